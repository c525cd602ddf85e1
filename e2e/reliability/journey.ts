/**
 * The single-key journey, step by step from outside, for the suites to compose: fresh EXTERNAL keys made in the
 * emulator with the AWS SDK, the inventory refreshed, a request started, its parameters downloaded, key
 * material wrapped and uploaded, decisions taken, and what the app and the emulator then say.
 */
import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeyRotationsCommand } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY } from "@/lib/emulator";
import { wrapKeyMaterial } from "@/lib/emulator/crypto/wrap";
import type { ActionAnswer, ActionClient, Person } from "./client";
import { TARGETS, type Stack } from "./stack";

export const TARGET = TARGETS[0]!;
export const REGION = "eu-west-1";

/** A KMS client in the first target's account and Region, as its role: what KMS really holds, unseen by Keyport. */
export async function targetKms(stack: Stack): Promise<KMSClient> {
  const sts = new STSClient({
    endpoint: stack.emulatorEndpoint,
    region: REGION,
    credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY },
  });
  const { Credentials: c } = await sts
    .send(new AssumeRoleCommand({ RoleArn: TARGET.roleArn, RoleSessionName: "reliability-setup", ExternalId: TARGET.externalId }))
    .finally(() => sts.destroy());
  return new KMSClient({
    endpoint: stack.emulatorEndpoint,
    region: REGION,
    credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
  });
}

/** Creates `count` EXTERNAL symmetric keys (PendingImport) in the first target's account, as its role. */
export async function createExternalKeys(stack: Stack, count: number, description = "reliability run"): Promise<string[]> {
  const kms = await targetKms(stack);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: `${description} #${i + 1}` }));
    ids.push(KeyMetadata!.KeyId!);
  }
  kms.destroy();
  return ids;
}

/** The key's state and every key material KMS holds for it (ListKeyRotations, ALL_KEY_MATERIAL). */
export async function kmsView(stack: Stack, keyId: string): Promise<{ keyState: string; current: string | null; materials: { id: string; state: string }[] }> {
  const kms = await targetKms(stack);
  try {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
    return {
      keyState: KeyMetadata?.KeyState ?? "unknown",
      current: KeyMetadata?.CurrentKeyMaterialId ?? null,
      materials: (Rotations ?? []).filter((r) => r.ImportState !== "PENDING_IMPORT").map((r) => ({ id: r.KeyMaterialId ?? "", state: r.KeyMaterialState ?? "" })),
    };
  } finally {
    kms.destroy();
  }
}

/** The `data` of a successful action answer; anything else throws with what came back. */
export function dataOf<T>(answer: ActionAnswer, what: string): T {
  const result = answer.result as { ok?: boolean; data?: T; code?: string; message?: string } | undefined;
  if (answer.status !== 200 || !result?.ok) {
    throw new Error(`${what}: ${answer.status} ${result ? `${result.code}: ${result.message}` : answer.raw.slice(0, 200)}`);
  }
  return result.data as T;
}

async function waitForIdleInventory(appUrl: string, person: Person, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const response = await fetch(`${appUrl}/api/inventory/status`, { headers: { Cookie: person.cookie } });
    const status = (await response.json()) as { running?: boolean };
    if (response.ok && !status.running) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("The inventory refresh did not finish within 60 s");
}

/**
 * Runs a refresh that starts now, as `person`, and waits for it to finish. A refresh already running (the
 * instance's start-up one) may have listed the account before keys just created existed: it is waited out
 * and then a new one started.
 */
export async function refreshInventory(actions: ActionClient, appUrl: string, person: Person): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { started } = dataOf<{ started: boolean }>(await actions.call(appUrl, person, "refreshInventory", [{}]), "refreshInventory");
    await waitForIdleInventory(appUrl, person, deadline);
    if (started) return;
  }
}

export function importInput(keyId: string, overrides: Record<string, unknown> = {}) {
  return {
    target: TARGET.id,
    region: REGION,
    keyId,
    kind: "import",
    wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
    wrappingKeySpec: "RSA_2048",
    expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    justification: "Reliability run: first import of this key's material.",
    ...overrides,
  };
}

export async function startImport(actions: ActionClient, appUrl: string, custodian: Person, keyId: string): Promise<string> {
  const outcome = dataOf<{ requestId: string; parametersError: unknown }>(
    await actions.call(appUrl, custodian, "startImportRequest", [importInput(keyId)]),
    "startImportRequest",
  );
  if (outcome.parametersError) throw new Error(`startImportRequest: no parameters: ${JSON.stringify(outcome.parametersError)}`);
  return outcome.requestId;
}

export async function download(appUrl: string, person: Person, requestId: string, file: string): Promise<Response> {
  return fetch(`${appUrl}/api/imports/${requestId}/files/${file}`, { headers: { Cookie: person.cookie } });
}

/** 32 random bytes wrapped with the request's wrapping public key, as a custodian's EncryptedKeyMaterial.bin. */
export async function wrappedMaterial(appUrl: string, custodian: Person, requestId: string): Promise<Buffer> {
  const response = await download(appUrl, custodian, requestId, "WrappingPublicKey.bin");
  if (!response.ok) throw new Error(`WrappingPublicKey.bin: ${response.status}`);
  const publicKey = createPublicKey({ key: Buffer.from(await response.arrayBuffer()), format: "der", type: "spki" });
  return wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_256", publicKey, randomBytes(32));
}

/** `blob` as the file a custodian uploads, and its SHA-256 (what approvers compare). */
export function blobFile(blob: Buffer): { file: File; sha256: string } {
  return {
    file: new File([new Uint8Array(blob)], "EncryptedKeyMaterial.bin", { type: "application/octet-stream" }),
    sha256: createHash("sha256").update(blob).digest("hex"),
  };
}

/** Uploads `blob` as the request's wrapped key material; returns its SHA-256. */
export async function uploadBlob(actions: ActionClient, appUrl: string, custodian: Person, requestId: string, blob: Buffer): Promise<string> {
  const { file, sha256 } = blobFile(blob);
  dataOf(await actions.call(appUrl, custodian, "uploadWrappedKeyMaterial", [{ requestId, file }]), "uploadWrappedKeyMaterial");
  return sha256;
}

/** Wraps fresh material for the request and uploads it; returns the blob's SHA-256. */
export async function uploadMaterial(actions: ActionClient, appUrl: string, custodian: Person, requestId: string): Promise<string> {
  return uploadBlob(actions, appUrl, custodian, requestId, await wrappedMaterial(appUrl, custodian, requestId));
}

/** decideImportRequest's arguments for an approval of the blob with `blobSha256`, its box ticked. */
export function approveArgs(requestId: string, blobSha256: string) {
  return [{ requestId, decision: "approve", blobSha256, confirmed: true, comment: "" }];
}

export function approve(actions: ActionClient, appUrl: string, approver: Person, requestId: string, blobSha256: string): Promise<ActionAnswer> {
  return actions.call(appUrl, approver, "decideImportRequest", approveArgs(requestId, blobSha256));
}

/** A request's state as its page shows it (the badge's data-state). */
export async function requestState(appUrl: string, person: Person, requestId: string): Promise<string> {
  const response = await fetch(`${appUrl}/imports/${requestId}`, { headers: { Cookie: person.cookie } });
  const state = /data-state="([a-z_]+)"/.exec(await response.text())?.[1];
  if (!state) throw new Error(`No state on the page of request ${requestId} (status ${response.status})`);
  return state;
}

/** Waits until the request reaches one of `states`; returns the state seen. */
export async function waitForState(appUrl: string, person: Person, requestId: string, states: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    last = await requestState(appUrl, person, requestId);
    if (states.includes(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`Request ${requestId} stayed "${last}", not ${states.join(" or ")}, for ${timeoutMs / 1000} s`);
}

export type AuditEvent = { action: string; requestId: string | null; hash: string; at: string } & Record<string, unknown>;

/** The audit trail as JSON lines, through the export route (as an auditor). */
export async function auditTrail(appUrl: string, auditor: Person, query = ""): Promise<AuditEvent[]> {
  const response = await fetch(`${appUrl}/api/audit/export?format=jsonl${query ? `&${query}` : ""}`, { headers: { Cookie: auditor.cookie } });
  if (!response.ok) throw new Error(`audit export: ${response.status}`);
  return (await response.text())
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Runs the audit trail's own verification (the auditor's button) and says whether the chain holds. */
export async function verifyAudit(actions: ActionClient, appUrl: string, auditor: Person): Promise<{ ok: boolean; detail: string }> {
  const answer = await actions.call(appUrl, auditor, "verifyAuditTrail", [{}]);
  const result = answer.result as { ok?: boolean; data?: { ok?: boolean } } | undefined;
  const valid = result?.ok === true && result.data?.ok === true;
  return { ok: valid, detail: JSON.stringify(result).slice(0, 300) };
}
