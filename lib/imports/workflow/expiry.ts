import "server-only";
import { appendAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { notifyImportFailed } from "@/lib/notify";
import type { ImportDeps } from "../deps";
import * as queries from "../queries";
import { canDo, TOKEN_STATES } from "../states";
import { keyFields, requestRef, tokenSpent, transition } from "./shared";

/**
 * The periodic half of expiry and recovery (sweep.ts calls these; state-changing actions call expireDue
 * first): tokens past ParametersValidTo expire, and requests a stopped server left `importing` fail as interrupted.
 */

// --- expiry -------------------------------------------------------------------------------------------------

/**
 * Moves requests whose import token has passed ParametersValidTo to `expired` (all of them, or only
 * `requestId`), each in its own transaction with its `import.expired` event. Returns how many moved.
 */
export async function expireDue(deps: ImportDeps, options: { requestId?: string } = {}): Promise<number> {
  const now = deps.now();
  const due = await queries.dueForExpiry(deps.db, now, TOKEN_STATES, options.requestId);
  let moved = 0;
  for (const candidate of due) {
    const expired = await deps.db.transaction(async (tx) => {
      const req = await queries.lockRequest(tx, candidate.id);
      if (!req || !canDo(req.kind, req.state, "expire") || tokenSpent(req)) return false;
      const params = await queries.currentParameterSet(tx, req.id);
      if (!params || params.parametersValidTo.getTime() > now.getTime()) return false;
      await transition(tx, req, "expire", now);
      await appendAudit(tx, {
        action: "import.expired",
        actor: SYSTEM_ACTOR,
        at: now,
        ...keyFields(req),
        details: { from: req.state, parametersValidTo: params.parametersValidTo.toISOString(), parameterSetId: params.id },
      });
      return true;
    });
    if (expired) moved += 1;
  }
  return moved;
}


/** The default of KEYPORT_INTERRUPTED_AFTER_SECONDS: how long in `importing` before the sweep decides the process doing it is gone. */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/**
 * A request left in `importing` (the server stopped between committing the quorum and recording KMS's
 * answer) becomes `failed` with an explanation, so that it can be checked and retried instead of hanging.
 */
export async function recoverInterrupted(deps: ImportDeps): Promise<number> {
  const now = deps.now();
  const stuck = await queries.stuckImporting(deps.db, new Date(now.getTime() - (deps.interruptedAfterMs ?? INTERRUPTED_AFTER_MS)));
  let moved = 0;
  for (const candidate of stuck) {
    const message =
      "Keyport stopped while this request was being carried out, so it does not know whether AWS KMS completed it. A retry first asks AWS KMS whether the import happened, and completes the request from that instead of importing again.";
    const done = await deps.db.transaction(async (tx) => {
      const req = await queries.lockRequest(tx, candidate.id);
      if (!req || req.state !== "importing" || req.version !== candidate.version) return false;
      await transition(tx, req, "fail", now, { lastErrorCode: "interrupted", lastErrorMessage: message });
      await appendAudit(tx, { action: "import.failed", actor: SYSTEM_ACTOR, at: now, ...keyFields(req), details: { code: "interrupted" } });
      await notifyImportFailed(tx, () => requestRef(tx, req), { code: "interrupted", retryable: true, at: now });
      return true;
    });
    if (done) moved += 1;
  }
  return moved;
}
