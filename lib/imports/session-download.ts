import "server-only";
import { isKeyportError } from "@/lib/errors";
import { sha256Hex } from "@/lib/crypto";
import type { KeySpec, WrappingAlgorithm, WrappingKeySpec } from "./compat";
import type { Actor, ImportDeps } from "./deps";
import { sessionNotFound } from "./errors";
import { sessionBundle, type BundleRegion } from "./multi-region/bundle";
import type { Download } from "./downloads";
import { parametersForDownload, recordDownload, sessionMembers } from "./workflow";

/**
 * The session's one zip (multi-region/bundle.ts): every Region whose parameters this person may download
 * now, in the session's order (primary first). A Region that hands out nothing (imported, expired) is left
 * out; if none does, the first Region's refusal is the answer. Audited per Region, like any download.
 */
export const SESSION_BUNDLE_FILE = "ImportParameters-all-Regions.zip";

export async function buildSessionBundle(deps: ImportDeps, actor: Actor, sessionId: string): Promise<Download> {
  const members = await sessionMembers(deps, sessionId);
  if (members.length === 0) throw sessionNotFound();
  const ready: Array<Awaited<ReturnType<typeof parametersForDownload>>> = [];
  let refusal: unknown = null;
  for (const member of members) {
    try {
      ready.push(await parametersForDownload(deps, actor, member.id));
    } catch (error) {
      if (!isKeyportError(error)) throw error;
      refusal ??= error;
    }
  }
  if (ready.length === 0) throw refusal;

  const first = ready[0]!.request;
  const key = await deps.inventory.getKey(first.targetId, first.region, first.keyId);
  const regions: BundleRegion[] = ready.map(({ request, parameters, importToken }) => ({
    region: request.region,
    keyArn: request.keyArn,
    keySpec: request.keySpec as KeySpec,
    wrappingAlgorithm: parameters.wrappingAlgorithm as WrappingAlgorithm,
    wrappingKeySpec: parameters.wrappingKeySpec as WrappingKeySpec,
    publicKeyDer: parameters.publicKey,
    importToken: importToken(),
    parametersValidTo: parameters.parametersValidTo,
    expirationModel: request.expirationModel,
    validTo: request.validTo,
    importType: request.importType,
  }));
  // Stamped with the newest parameters' issue time: the same parameters always zip to the same bytes.
  const stamp = new Date(Math.max(...ready.map((r) => r.parameters.issuedAt.getTime())));
  const body = sessionBundle({ keyId: first.keyId, alias: key?.aliases[0] ?? null, regions, now: stamp });
  const sha256 = sha256Hex(body);
  for (const { request, parameters } of ready) {
    await recordDownload(deps, actor, request, { file: SESSION_BUNDLE_FILE, sha256, size: body.length, parameterSetId: parameters.id });
  }
  return { body, filename: `${first.keyId}-${SESSION_BUNDLE_FILE}`, contentType: "application/zip", sha256 };
}
