"use server";

import { GUARD } from "@/lib/auth/guard";

// Claims a permission without enforcing it: discovery accepts the declaration, the refusal calls must not.
async function exportEverything() {
  return { ok: true, data: "every audit event" };
}
export const forgedExport = Object.assign(exportEverything, { [GUARD]: { kind: "action", name: "forgedExport", permission: "audit.export" } });
