import "server-only";
import { randomUUID } from "node:crypto";
import { KeyportError, isKeyportError } from "@/lib/errors";
import { isPrimary } from "@/lib/inventory/multi-region";
import type { Actor, ImportDeps } from "../deps";
import { invalidChoice, keyNotFound, sessionNotFound } from "../errors";
import { mayDecide } from "../permissions";
import * as queries from "../queries";
import type { StartImport } from "../schemas";
import { isFinal } from "../states";
import { decide, type DecisionOutcome } from "./execute";
import { expireDue } from "./expiry";
import { factsOf, personOf } from "./shared";
import { verifySession, type SessionVerification } from "./session-verify";
import { firstParameters, importChoices, openImportRequest } from "./start";

/**
 * A multi-Region import session: one request per Region of a multi-Region key, started together and decided
 * once. KMS never copies imported material between Regions, so each Region has its own parameters (wrapping
 * key, token, countdown), its own upload and its own ImportKeyMaterial of the same material; the session
 * keeps them together. Each member is an ordinary request (audited per Region, retried alone while its token
 * lives); the session adds the all-or-nothing start and the single decision, applied primary first.
 */

export type StartSession = Omit<StartImport, "region" | "kind" | "importType"> & { regions: string[] };

export type SessionStart = {
  sessionId: string;
  requests: Array<{ region: string; requestId: string; parametersError: { code: string; message: string } | null }>;
};

export async function startSession(deps: ImportDeps, actor: Actor, input: StartSession): Promise<SessionStart> {
  const regions = [...new Set(input.regions)].sort();
  if (regions.length === 0) throw invalidChoice("regions", "Choose at least one Region of the key.");
  const keys = await Promise.all(regions.map((region) => deps.inventory.getKey(input.target, region, input.keyId)));
  const missing = regions.filter((_, i) => !keys[i]);
  if (missing.length > 0) {
    if (missing.length === regions.length) throw keyNotFound();
    throw invalidChoice("regions", `The inventory holds no such key in ${missing.join(", ")}. Refresh the inventory, or leave those Regions out.`);
  }
  const found = keys.filter((k): k is NonNullable<typeof k> => !!k);
  if (found.some((k) => !k.multiRegion)) {
    throw invalidChoice("keyId", "This is not a multi-Region key: start an import on the key's own page instead.");
  }
  const now = deps.now();
  // Every Region is checked before anything is written: a session starts whole or not at all.
  const choices = found.map((key) => {
    try {
      return importChoices(key, { ...input, kind: "import" }, now);
    } catch (error) {
      if (isKeyportError(error)) throw new KeyportError(error.code, `${key.region}: ${error.message}`, { status: error.status });
      throw error;
    }
  });

  const sessionId = randomUUID();
  // Regions in name order: concurrent sessions on the same key take the keys' locks in the same order.
  const rows = await deps.db.transaction(async (tx) => {
    const out: queries.RequestRow[] = [];
    for (const [i, key] of found.entries()) out.push(await openImportRequest(tx, key, actor, now, { ...input, kind: "import" }, choices[i]!, sessionId));
    return out;
  });

  // Parameters in every Region at once, as the person; a Region KMS refuses stays a draft with its error.
  const requests = await Promise.all(
    rows.map(async (row) => ({ region: row.region, requestId: row.id, parametersError: await firstParameters(deps, actor, row.id) })),
  );
  return { sessionId, requests };
}

/** The members of a session, primary Region first (KMS takes new material into the primary first), then by Region. */
export async function sessionMembers(deps: ImportDeps, sessionId: string): Promise<queries.RequestRow[]> {
  const rows = await queries.sessionRequests(deps.db, sessionId);
  const keys = await Promise.all(rows.map((row) => deps.inventory.getKey(row.targetId, row.region, row.keyId)));
  const primary = new Set(keys.filter((k) => k && isPrimary(k)).map((k) => k!.region));
  return [...rows].sort((a, b) => Number(primary.has(b.region)) - Number(primary.has(a.region)) || a.region.localeCompare(b.region));
}

export type SessionDecision = {
  sessionId: string;
  decision: "approve" | "reject";
  comment?: string;
  confirmed?: boolean;
  /** The SHA-256 of each Region's blob as the approver reviewed it, by request id. */
  blobs: Record<string, string>;
};

export type SessionDecisionOutcome = {
  regions: Array<{ region: string; requestId: string; outcome: DecisionOutcome }>;
  /** Once every Region is imported: whether they hold the same material (null until then). */
  verification: SessionVerification | null;
};

/**
 * One decision for every open Region of the session. Every open member must be awaiting approval, and the
 * person must be allowed to decide each of them (not its requester, not its uploader): checked for all
 * before any is decided, so a refusal leaves the whole session as it was. Then each Region is decided in
 * order, primary first; a Region whose import fails is recorded as failed and can be retried alone. Once
 * every Region is imported, the approver's decision ends with the cross-Region proof (session-verify.ts).
 */
export async function decideSession(deps: ImportDeps, actor: Actor, input: SessionDecision): Promise<SessionDecisionOutcome> {
  const members = await sessionMembers(deps, input.sessionId);
  if (members.length === 0) throw sessionNotFound();
  for (const member of members) await expireDue(deps, { requestId: member.id });

  const open = (await Promise.all(members.map((m) => queries.getRequest(deps.db, m.id)))).filter(
    (row): row is queries.RequestRow => !!row && !isFinal(row.state) && row.state !== "failed",
  );
  if (open.length === 0) throw new KeyportError("invalid_state", "Every Region of this session is already decided.", { status: 409 });
  const now = deps.now();
  for (const row of open) {
    if (!input.blobs[row.id]) throw invalidChoice("blobSha256", `Review the blob uploaded for ${row.region} before deciding.`);
    const verdict = mayDecide(await factsOf(deps.db, deps, row, now), personOf(actor), input.decision);
    if (verdict.allowed) continue;
    // decide() refuses it as it refuses any decision (a self-approval attempt is audited there); nothing changes.
    // The refusal names the Region: the same person may be refused in one Region and not another.
    const refusal = await decide(deps, actor, decisionFor(input, row.id)).then(
      () => verdict.error,
      (error: unknown) => error,
    );
    if (isKeyportError(refusal)) throw new KeyportError(refusal.code, `${row.region}: ${refusal.message}`, { status: refusal.status });
    throw refusal;
  }

  const regions: SessionDecisionOutcome["regions"] = [];
  for (const row of members.filter((m) => open.some((o) => o.id === m.id))) {
    const outcome = await decide(deps, actor, decisionFor(input, row.id));
    regions.push({ region: row.region, requestId: row.id, outcome });
  }
  // Regions decided earlier count too (one imported by a retry before this decision).
  const everyRegionImported = (await queries.sessionRequests(deps.db, input.sessionId)).every((m) => m.state === "imported");
  const verification = input.decision === "approve" && everyRegionImported ? await verifySession(deps, actor, members) : null;
  return { regions, verification };
}

function decisionFor(input: SessionDecision, requestId: string) {
  return { requestId, decision: input.decision, comment: input.comment, confirmed: input.confirmed ?? false, blobSha256: input.blobs[requestId]! };
}

/** The cross-Region proof again, on demand (after a Region was retried alone, or to check later). */
export async function verifySessionMaterial(deps: ImportDeps, actor: Actor, sessionId: string): Promise<SessionVerification> {
  return verifySession(deps, actor, await sessionMembers(deps, sessionId));
}
