import "server-only";
import { randomUUID } from "node:crypto";
import { appendAudit, standingEventsPerKey, type AuditEvent } from "@/lib/audit";
import { KeyportError } from "@/lib/errors";
import { logInternalError } from "@/lib/errors/internal";
import { relatedRegions, type KeyRow } from "@/lib/inventory/queries";
import { isAwsFailure, toKmsError } from "@/lib/kms";
import { deleteImportedKeyMaterial } from "@/lib/kms/operations";
import { enqueueNotification } from "@/lib/notify";
import type { Actor, ImportDeps } from "../deps";
import { invalidChoice, keyNotFound } from "../errors";
import type { BreakGlassOutcome, BreakGlassRegion } from "../outcomes";
import * as queries from "../queries";
import { confirmsKey, type BreakGlassInput } from "../schemas";
import { canDo } from "../states";
import { auditActor, cancelLocked, principal, sessionNameOf } from "./shared";

/**
 * Break glass: one person deletes a key's imported material in every Region of its set, at once, with no
 * second person. It exists for an incident (material suspected compromised, a key that must stop working
 * now) that cannot wait for an approver; everything else in Keyport keeps dual control. Off unless an
 * operator turns it on (KEYPORT_BREAK_GLASS=enabled), admins only (`break_glass`), and loud: a mandatory
 * reason, one `material.break_glass` event per Region, a notification, and the key shown in red until
 * material is imported again under dual control (`standingBreakGlass`).
 */

export function breakGlassDisabled(): KeyportError {
  return new KeyportError(
    "break_glass_disabled",
    "Break glass is turned off here. Ask for a deletion under dual control instead, or have an operator set KEYPORT_BREAK_GLASS=enabled.",
    { status: 403 },
  );
}

export async function breakGlass(deps: ImportDeps, actor: Actor, input: BreakGlassInput): Promise<BreakGlassOutcome> {
  if (!deps.breakGlass) throw breakGlassDisabled();
  const key = await deps.inventory.getKey(input.target, input.region, input.keyId);
  if (!key) throw keyNotFound();
  if (!confirmsKey(input.confirmation, key)) {
    throw invalidChoice("confirmation", `That is not this key. Type its key id (${key.keyId})${key.aliases[0] ? ` or its alias (${key.aliases[0]})` : ""} to confirm.`);
  }
  // A multi-Region key is one key to the people using it: material left in one Region keeps it working there.
  const regions = key.multiRegion ? ((await relatedRegions(deps.db, [key])).get(`${key.targetId}/${key.keyId}`) ?? [key]) : [key];
  if (regions.every((r) => r.keyState === "PendingImport")) {
    throw new KeyportError("no_material", "This key holds no imported key material in any Region, so there is nothing to delete.", { status: 409 });
  }

  const breakGlassId = randomUUID();
  const { cancelled, inFlight } = await cancelOpenRequests(deps, actor, regions, breakGlassId);

  // Every Region is tried, and a refusal in one does not stop the others: in an emergency, material deleted
  // in some Regions is better than in none, and the Region that failed is shown, audited and can be run again
  // (DeleteImportedKeyMaterial on a key without material succeeds and changes nothing).
  const outcomes = await Promise.all(regions.map((row) => deleteIn(deps, actor, row)));

  const at = deps.now();
  const details = {
    breakGlassId,
    reason: input.reason,
    regions: regions.map((r) => r.region),
    sessionName: sessionNameOf(actor),
    cancelledRequestIds: cancelled,
    inFlightRequestIds: inFlight,
  };
  await deps.db.transaction(async (tx) => {
    for (const [i, outcome] of outcomes.entries()) {
      await appendAudit(tx, {
        action: "material.break_glass",
        actor: auditActor(actor),
        at,
        targetId: key.targetId,
        region: outcome.region,
        keyArn: outcome.keyArn,
        kmsRequestId: outcome.kmsRequestId,
        details: {
          ...details,
          outcome: outcome.result.outcome,
          keyStateBefore: regions[i]!.keyState,
          ...(outcome.result.outcome === "deleted" ? { keyMaterialId: outcome.result.keyMaterialId } : { code: outcome.result.code, message: outcome.result.message }),
        },
      });
    }
    const failed = outcomes.filter((o) => o.result.outcome === "failed").map((o) => o.region);
    await enqueueNotification(tx, {
      kind: "break_glass.used",
      dedupeKey: `break_glass.used:${breakGlassId}`,
      summary:
        `${actor.name ?? actor.subject} deleted the key material of ${key.aliases[0] ?? key.keyId} without a second person (break glass).` +
        (failed.length ? ` It could not be deleted in ${failed.join(", ")}: look at the key now.` : " Import it again under dual control to bring the key back."),
      keyArn: key.arn,
      targetId: key.targetId,
      region: key.region,
      path: `/keys/${encodeURIComponent(key.targetId)}/${encodeURIComponent(key.region)}/${encodeURIComponent(key.keyId)}`,
      fields: {
        Reason: input.reason,
        By: actor.email ?? actor.subject,
        Regions: outcomes.map((o) => `${o.region}: ${o.result.outcome}`).join(", "),
      },
      at,
    });
  });
  for (const row of regions) await refreshQuietly(deps, row);
  return { breakGlassId, regions: outcomes.map((o) => o.result), cancelledRequestIds: cancelled, inFlightRequestIds: inFlight };
}

/**
 * Before deleting: every open request of the set is cancelled, so no approval given before the incident can
 * import the material again afterwards; restoring the key takes a new request and a fresh approval. A request
 * KMS is importing at this moment cannot be stopped: it is reported, and the key shows what it ends with.
 */
async function cancelOpenRequests(deps: ImportDeps, actor: Actor, regions: readonly KeyRow[], breakGlassId: string) {
  const cancelled: string[] = [];
  const inFlight: string[] = [];
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    for (const row of regions) {
      await queries.lockKey(tx, row.targetId, row.region, row.keyId);
      for (const open of await queries.openRequestsOfKey(tx, row.targetId, row.region, row.keyId)) {
        const req = await queries.lockRequest(tx, open.id);
        if (!req || !canDo(req.kind, req.state, "cancel")) {
          inFlight.push(open.id);
          continue;
        }
        await cancelLocked(tx, req, actor, now, { reason: "Cancelled by break glass: the key's material was deleted without a second person.", breakGlassId });
        cancelled.push(req.id);
      }
    }
  });
  return { cancelled, inFlight };
}

type RegionAttempt = { region: string; keyArn: string; kmsRequestId: string | null; result: BreakGlassRegion };

/** DeleteImportedKeyMaterial in one Region as the person (their STS session, so CloudTrail names them). */
async function deleteIn(deps: ImportDeps, actor: Actor, row: KeyRow): Promise<RegionAttempt> {
  const base = { region: row.region, keyArn: row.arn };
  try {
    const out = await deleteImportedKeyMaterial(deps.kms.kms(row.targetId, row.region, principal(actor)), { keyArn: row.arn });
    return { ...base, kmsRequestId: out.requestId ?? null, result: { ...base, outcome: "deleted", keyMaterialId: out.keyMaterialId } };
  } catch (error) {
    if (isAwsFailure(error)) {
      const mapped = toKmsError(error);
      return { ...base, kmsRequestId: mapped.details.requestId ?? null, result: { ...base, outcome: "failed", code: mapped.code, message: mapped.message } };
    }
    const reference = logInternalError("imports", `during break glass in ${row.region}`, error);
    const message = `Keyport could not ask KMS (ref ${reference}); the material in this Region may still be there. Run break glass again.`;
    return { ...base, kmsRequestId: null, result: { ...base, outcome: "failed", code: "internal", message } };
  }
}

async function refreshQuietly(deps: ImportDeps, row: KeyRow): Promise<void> {
  try {
    await deps.inventory.refreshKey(row.targetId, row.region, row.keyId);
  } catch (error) {
    // The deletion is recorded; the cache catches up at the next refresh.
    if (isAwsFailure(error)) console.warn(`[imports] could not refresh key ${row.keyId} in ${row.region} after break glass: ${toKmsError(error).code}`);
    else logInternalError("imports", `while refreshing key ${row.keyId} after break glass`, error);
  }
}

/**
 * Keys (by ARN) whose material was deleted by break glass and not imported again since: the newest
 * `material.break_glass` event that deleted it, with no `import.imported` after it for that key.
 */
export async function standingBreakGlass(db: ImportDeps["db"], keyArns: readonly string[]): Promise<Map<string, AuditEvent>> {
  return standingEventsPerKey(db, { action: "material.break_glass", match: { outcome: "deleted" }, closedBy: ["import.imported"], keyArns });
}
