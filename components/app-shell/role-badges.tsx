import { Badge } from "@/components/ui/badge";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import type { Role } from "@/lib/config/schema";

/** A person's roles as badges; "No role" when there are none. */
export function RoleBadges({ roles }: { roles: readonly Role[] }) {
  if (roles.length === 0) {
    return (
      <Badge tone="neutral" dot={false}>
        No role
      </Badge>
    );
  }
  return (
    <ul aria-label="Roles" className="flex flex-wrap gap-1.5">
      {roles.map((role) => (
        <li key={role}>
          <Badge tone="accent" dot={false}>
            {ROLE_LABELS[role]}
          </Badge>
        </li>
      ))}
    </ul>
  );
}
