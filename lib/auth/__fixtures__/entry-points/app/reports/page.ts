// An inline server action: invisible to any wrapper. The authorization test must fail on this.
export default function ReportsPage() {
  async function purge() {
    "use server";
    return "purged";
  }
  return purge;
}
