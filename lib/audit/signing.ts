import "server-only";
import type { KeyObject } from "node:crypto";
import { now } from "@/lib/clock";
import { getConfig, type Config } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logInternalError } from "@/lib/errors/internal";
import { KeyportError } from "@/lib/errors";
import { getKmsAccess } from "@/lib/kms";
import { getPublicKey, signMessage } from "@/lib/kms/operations";
import { finalStateSinceCheckpoint, latestCheckpointFile, signCheckpoint, type CheckpointSigner, type CheckpointTrigger } from "./checkpoints";
import { publicKeyFingerprint, publicKeyFrom, type CheckpointAlgorithm, type SignedCheckpoint } from "./checkpoint-format";
import { SYSTEM_ACTOR, type AuditEvent, type AuditUserActor } from "./events";

/**
 * Keyport's checkpoints as configured (KEYPORT_AUDIT_SIGNING_KEY …): the KMS signer under Keyport's own
 * role, the pinned public key, the schedule (start-up, every KEYPORT_AUDIT_CHECKPOINT_MINUTES, soon after a
 * request reaches a final state), and what verification needs to hold the chain to them.
 */

type Settings = NonNullable<Config["auditSigning"]>;
type SigningKey = { publicKey: KeyObject; algorithm: CheckpointAlgorithm; fingerprint: string };

const SLOT = Symbol.for("keyport.auditSigning");
const state = globalThis as typeof globalThis & {
  [SLOT]?: { key?: Promise<SigningKey>; queue: Promise<unknown>; timers: NodeJS.Timeout[] };
};
const slot = () => (state[SLOT] ??= { queue: Promise.resolve(), timers: [] });

/** The signing algorithm Keyport uses for a key spec; a spec it cannot sign checkpoints with is refused. */
function algorithmFor(keySpec: string | null, keyArn: string): CheckpointAlgorithm {
  if (keySpec === "ECC_NIST_P256") return "ECDSA_SHA_256";
  if (keySpec === "RSA_2048" || keySpec === "RSA_3072" || keySpec === "RSA_4096") return "RSASSA_PSS_SHA_256";
  throw new KeyportError(
    "audit_signing_key_unsuitable",
    `The audit signing key ${keyArn} has key spec ${keySpec ?? "unknown"}; use an ECC_NIST_P256 or RSA signing key (KEYPORT_AUDIT_SIGNING_KEY).`,
    { status: 500 },
  );
}

/** GetPublicKey once per process, checked against the pinned fingerprint. */
function signingKey(settings: Settings): Promise<SigningKey> {
  const s = slot();
  if (s.key) return s.key;
  const lookup = (async () => {
    const client = getKmsAccess().kms(settings.targetId, settings.region, { kind: "service" });
    const { publicKey: der, keySpec } = await getPublicKey(client, settings.keyArn);
    const publicKey = publicKeyFrom(der);
    const fingerprint = publicKeyFingerprint(publicKey);
    if (settings.fingerprint && settings.fingerprint !== fingerprint) {
      throw new KeyportError(
        "audit_signing_key_mismatch",
        `The audit signing key's public key has fingerprint ${fingerprint}, not the pinned ${settings.fingerprint}: Keyport will not sign or verify with it. Check KEYPORT_AUDIT_SIGNING_KEY and KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT.`,
        { status: 500 },
      );
    }
    if (!settings.fingerprint) {
      console.warn(`[audit] signing checkpoints with ${settings.keyArn}, public key SHA-256 ${fingerprint}; pin it with KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT.`);
    }
    return { publicKey, algorithm: algorithmFor(keySpec, settings.keyArn), fingerprint };
  })();
  s.key = lookup;
  // A failed lookup is not cached: the next checkpoint asks KMS again.
  lookup.catch(() => {
    if (slot().key === lookup) slot().key = undefined;
  });
  return lookup;
}

function signerFor(settings: Settings, key: SigningKey): CheckpointSigner {
  const client = getKmsAccess().kms(settings.targetId, settings.region, { kind: "service" });
  return {
    keyArn: settings.keyArn,
    algorithm: key.algorithm,
    sign: async (message) => {
      const signed = await signMessage(client, { keyArn: settings.keyArn, message, algorithm: key.algorithm });
      return { signature: signed.signature, requestId: signed.requestId };
    },
  };
}

/** Whether checkpoints are configured. */
export function checkpointsConfigured(): boolean {
  return getConfig().auditSigning !== undefined;
}

/**
 * Signs a checkpoint now, one at a time per process. Answers the checkpoint event, or null when there was
 * nothing new to sign. Throws when checkpoints are not configured or KMS refuses.
 */
export function checkpointNow(trigger: CheckpointTrigger, actor: AuditUserActor | typeof SYSTEM_ACTOR = SYSTEM_ACTOR): Promise<AuditEvent | null> {
  const settings = getConfig().auditSigning;
  if (!settings) {
    return Promise.reject(
      new KeyportError("audit_signing_off", "No audit signing key is configured (KEYPORT_AUDIT_SIGNING_KEY), so Keyport cannot sign a checkpoint.", { status: 409 }),
    );
  }
  const s = slot();
  const run = s.queue.then(async () => {
    const key = await signingKey(settings);
    const { db } = await getDatabase();
    return signCheckpoint({ db, signer: signerFor(settings, key), directory: settings.directory, now }, trigger, actor);
  });
  s.queue = run.catch(() => undefined);
  return run;
}

/** How often an instance looks for requests that reached a final state since the last checkpoint. */
const FINAL_STATE_POLL_MS = 15_000;

/**
 * Called once at server start (lib/startup): a checkpoint now, another every configured interval, and one
 * within FINAL_STATE_POLL_MS of a request reaching a final state — on whichever instance sees it first.
 */
export function scheduleCheckpoints(): void {
  const settings = getConfig().auditSigning;
  const s = slot();
  if (!settings || s.timers.length) return;
  const attempt = (trigger: CheckpointTrigger) =>
    checkpointNow(trigger).catch((error: unknown) => logInternalError("audit", `while signing a checkpoint (${trigger})`, error));
  void attempt("startup");
  const interval = setInterval(() => void attempt("interval"), settings.intervalMinutes * 60_000);
  const poll = setInterval(() => {
    void getDatabase()
      .then(({ db }) => finalStateSinceCheckpoint(db))
      .then((due) => (due ? attempt("final_state") : undefined))
      .catch((error: unknown) => logInternalError("audit", "while looking for finished requests to checkpoint", error));
  }, FINAL_STATE_POLL_MS);
  for (const timer of [interval, poll]) timer.unref();
  s.timers.push(interval, poll);
}

/**
 * What verification holds the chain to: the pinned public key and the signing key's ARN (null when no key is
 * configured, or KMS cannot be reached for the public key: `reason` says which), and the latest checkpoint
 * kept outside the database.
 */
export async function checkpointEvidence(): Promise<{
  publicKey: KeyObject | null;
  keyArn: string | null;
  latestExternal: SignedCheckpoint | null;
  reason: string | null;
}> {
  const settings = getConfig().auditSigning;
  if (!settings) return { publicKey: null, keyArn: null, latestExternal: null, reason: "no audit signing key is configured" };
  const external = await latestCheckpointFile(settings.directory);
  try {
    const key = await signingKey(settings);
    return { publicKey: key.publicKey, keyArn: settings.keyArn, latestExternal: external?.checkpoint ?? null, reason: null };
  } catch (error) {
    return { publicKey: null, keyArn: settings.keyArn, latestExternal: external?.checkpoint ?? null, reason: error instanceof Error ? error.message : String(error) };
  }
}
