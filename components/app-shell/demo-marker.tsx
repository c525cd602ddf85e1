/** The visible "DEMO" marker beside the product name, in every top bar of a demo-mode Keyport. */
export function DemoMarker() {
  return (
    <span
      className="rounded bg-alert-warning-icon px-1.5 py-0.5 text-[11px] font-bold uppercase tracking-wider text-ink-950"
      title="Demo mode: an offline KMS emulator and demo people. Nothing here touches real AWS."
    >
      Demo
    </span>
  );
}
