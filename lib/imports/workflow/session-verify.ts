import "server-only";
import { appendAuditStandalone } from "@/lib/audit";
import { KeyportError } from "@/lib/errors";
import type { Actor, ImportDeps } from "../deps";
import { sessionNotFound } from "../errors";
import { verifyAcrossRegions, type CrossRegionResult } from "../multi-region/verify";
import { mayVerify } from "../permissions";
import * as queries from "../queries";
import { asKeySpec, auditActor, enforce, factsOf, keyFields, personOf, principal, sessionNameOf } from "./shared";

/**
 * Proof that every Region of a session holds the same material, as `actor`: ciphertext from each Region
 * decrypts in every other (symmetric keys), equal MACs (HMAC keys), equal public keys (asymmetric keys).
 * Related multi-Region keys interoperate only when they do. Audited once per Region, with the whole result.
 */
export type SessionVerification = CrossRegionResult & { at: string };

export async function verifySession(deps: ImportDeps, actor: Actor, members: queries.RequestRow[]): Promise<SessionVerification> {
  if (members.length === 0) throw sessionNotFound();
  const rows = (await Promise.all(members.map((m) => queries.getRequest(deps.db, m.id)))).filter((r): r is queries.RequestRow => !!r);
  const waiting = rows.filter((r) => r.state !== "imported");
  if (waiting.length > 0) {
    throw new KeyportError(
      "invalid_state",
      `Every Region must hold the imported material before they can be compared; not yet: ${waiting.map((r) => r.region).join(", ")}.`,
      { status: 409 },
    );
  }
  const now = deps.now();
  for (const row of rows) enforce(mayVerify(await factsOf(deps.db, deps, row, now), personOf(actor)));
  const first = rows[0]!;
  const result = await verifyAcrossRegions(
    asKeySpec(first.keySpec),
    rows.map((r) => ({ region: r.region, keyArn: r.keyArn, client: deps.kms.kms(r.targetId, r.region, principal(actor)) })),
  );
  const at = deps.now();
  for (const row of rows) {
    await appendAuditStandalone(deps.db, {
      action: "import.session_verified",
      actor: auditActor(actor),
      at,
      ...keyFields(row),
      details: {
        sessionId: row.sessionId,
        sessionName: sessionNameOf(actor),
        method: result.method,
        ok: result.ok,
        regions: rows.map((r) => r.region),
        checks: result.checks.map((c) => ({ from: c.from, to: c.to, ok: c.ok, ...(c.detail ? { detail: c.detail } : {}) })),
      },
    });
  }
  return { ...result, at: at.toISOString() };
}
