import { oaepCapacity } from "@/lib/imports/compat";
import type { KeyFacts } from "./key-facts";
import { refuse } from "./refusal";

/**
 * Which PKCS#11 mechanisms produce which of KMS's wrapping formats, and the plan for one wrap: decided from
 * what the token showed it can do (`Capabilities`, measured by probing it), never assumed from its name.
 * Pure: the token calls live in token.ts and wrap.ts.
 *
 * - RSAES_OAEP_SHA_1 / _SHA_256: one `C_WrapKey` with CKM_RSA_PKCS_OAEP, OAEP hash and MGF1 hash alike.
 *   PKCS#11 defines it for secret keys only, so private keys go through RSA_AES_KEY_WRAP.
 * - RSA_AES_KEY_WRAP_SHA_1 / _SHA_256: PKCS#11's CKM_RSA_AES_KEY_WRAP does this in one call, but its
 *   parameter (CK_RSA_AES_KEY_WRAP_PARAMS) holds a pointer to the OAEP parameters, which pkcs11js cannot
 *   pass. So the CLI always builds it from the same two steps the mechanism is defined by: a fresh session
 *   AES-256 key in the token wraps the target with RFC 5649 key wrap, then RSA-OAEP wraps that AES key; the
 *   output is the RSA block followed by the AES-wrapped key, as KMS expects.
 */

export const HSM_ALGORITHMS = ["RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1"] as const;
export type HsmAlgorithm = (typeof HSM_ALGORITHMS)[number];

export function isHsmAlgorithm(value: string): value is HsmAlgorithm {
  return (HSM_ALGORITHMS as readonly string[]).includes(value);
}

export type OaepHash = "sha1" | "sha256";
export const OAEP_HASHES: readonly OaepHash[] = ["sha256", "sha1"];

export function hashOf(algorithm: HsmAlgorithm): OaepHash {
  return algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
}

export function hashLabel(hash: OaepHash): string {
  return hash === "sha1" ? "SHA-1" : "SHA-256";
}

/** Mechanism numbers pkcs11js does not name (PKCS#11 3.0 values). */
export const CKM_AES_KEY_WRAP_KWP = 0x210b;
export const CKM_RSA_AES_KEY_WRAP = 0x1054;

/**
 * RFC 5649 (AES key wrap with padding), the format KMS unwraps. PKCS#11 3.0 names it CKM_AES_KEY_WRAP_KWP;
 * older tokens (SoftHSM2 2.6 among them) implement RFC 5649 as CKM_AES_KEY_WRAP_PAD, which 3.0 redefined as
 * RFC 3394 over PKCS#7-padded data. So KWP is preferred where offered; where only PAD is and a token means
 * the 3.0 definition, KMS refuses the upload (it cannot unwrap it) rather than importing something else.
 */
export type AesWrapMechanism = "CKM_AES_KEY_WRAP_KWP" | "CKM_AES_KEY_WRAP_PAD";

/** The outcome of `C_WrapKey` with CKM_RSA_PKCS_OAEP and one hash on a throwaway session AES key. */
export type OaepProbe = { ok: true } | { ok: false; rv: string };

/**
 * What the token's AES key wrap does to the bytes it wraps, found by wrapping throwaway keys whose bytes are
 * known under a throwaway AES key and unwrapping the result here: "exact" is RFC 5649 of exactly the key's
 * bytes; "pads" is RFC 5649 of the bytes zero-padded to a multiple of 8 (Debian's SoftHSM2 2.6.1 does that to
 * secret and private keys alike, so a PKCS#8 private key would reach KMS with trailing zero bytes, which is
 * not the DER KMS takes, and which the emulator's strict parser refuses); "not-rfc5649" does not unwrap as RFC 5649 at all; null could not be checked.
 */
export type AesWrapFidelity = "exact" | "pads" | "not-rfc5649" | null;

export type Capabilities = {
  /** CKM_RSA_PKCS_OAEP is in the mechanism list with CKF_WRAP. */
  oaepMechanism: boolean;
  /** Per hash (OAEP hash = MGF1 hash): whether the token's C_WrapKey takes it. Tokens differ here. */
  oaep: Record<OaepHash, OaepProbe>;
  aesWrap: AesWrapMechanism | null;
  /** What `aesWrap` does to a secret key's bytes and to a private key's PKCS#8. */
  aesWrapFidelity: { secret: AesWrapFidelity; private: AesWrapFidelity };
  /** CKM_AES_KEY_GEN: the one-use transport key can be made inside the token. */
  aesKeyGen: boolean;
  /** Offered, and reported, but not used (see above). */
  rsaAesKeyWrap: boolean;
};

export type Plan =
  | { kind: "oaep"; algorithm: HsmAlgorithm; hash: OaepHash }
  | {
      kind: "rsa-aes";
      algorithm: HsmAlgorithm;
      hash: OaepHash;
      aesWrap: AesWrapMechanism;
      /** Where the one-use AES transport key is made and RSA-encrypted; the target key never leaves the token. */
      transport: "token" | "memory";
      /** Why the transport key is handled in memory. */
      why?: string;
    };

function oaepInToken(caps: Capabilities, hash: OaepHash): boolean {
  return caps.oaepMechanism && caps.oaep[hash].ok;
}

function oaepFailure(caps: Capabilities, hash: OaepHash): string {
  if (!caps.oaepMechanism) return "the token does not offer CKM_RSA_PKCS_OAEP for C_WrapKey";
  const probe = caps.oaep[hash];
  return probe.ok ? "" : `the token's C_WrapKey with CKM_RSA_PKCS_OAEP and ${hashLabel(hash)} (MGF1-${hashLabel(hash)}) answered ${probe.rv}`;
}

type KeyShape = Pick<KeyFacts, "keyClass" | "valueLen">;

/**
 * Why the token's AES key wrap cannot carry this key to KMS as it is, or null when it can. Where the token pads
 * to a multiple of 8, a secret key of such a length is unharmed; a private key's PKCS#8 length is not known
 * without its value, so it is refused.
 */
function aesWrapProblem(key: KeyShape, caps: Capabilities): string | null {
  if (!caps.aesWrap) return `this token offers neither CKM_AES_KEY_WRAP_KWP nor CKM_AES_KEY_WRAP_PAD for C_WrapKey`;
  const fidelity = key.keyClass === "secret" ? caps.aesWrapFidelity.secret : (caps.aesWrapFidelity.private ?? caps.aesWrapFidelity.secret);
  if (fidelity === "not-rfc5649") return `this token's ${caps.aesWrap} does not produce RFC 5649 (AES key wrap with padding), the format KMS unwraps`;
  if (fidelity !== "pads") return null;
  if (key.keyClass === "secret") {
    if (key.valueLen !== undefined && key.valueLen % 8 === 0) return null;
    return `this token zero-pads a key's bytes to a multiple of 8 before ${caps.aesWrap}, so KMS would receive the ${key.valueLen}-byte key followed by zero bytes`;
  }
  return (
    `this token zero-pads a private key's PKCS#8 encoding to a multiple of 8 bytes before ${caps.aesWrap} (Debian's SoftHSM2 2.6.1 does), ` +
    "so KMS would receive the DER followed by up to 7 zero bytes, which is not the PKCS#8 DER it takes (the emulator refuses it with IncorrectKeyMaterialException)"
  );
}

/** The algorithms this token can do for this key: wholly inside it, and with the transport key in memory. */
export function algorithmsThatWork(key: KeyShape, caps: Capabilities): { inToken: HsmAlgorithm[]; transportInMemory: HsmAlgorithm[] } {
  const inToken: HsmAlgorithm[] = [];
  const transportInMemory: HsmAlgorithm[] = [];
  const aesWraps = aesWrapProblem(key, caps) === null;
  for (const hash of OAEP_HASHES) {
    const suffix = hash === "sha1" ? "SHA_1" : "SHA_256";
    if (key.keyClass === "secret" && oaepInToken(caps, hash)) inToken.push(`RSAES_OAEP_${suffix}`);
    if (aesWraps) (oaepInToken(caps, hash) && caps.aesKeyGen ? inToken : transportInMemory).push(`RSA_AES_KEY_WRAP_${suffix}`);
  }
  return { inToken, transportInMemory };
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** What to do instead, for a refusal's message. */
export function alternatives(key: KeyShape, caps: Capabilities, except: HsmAlgorithm): string {
  const { inToken, transportInMemory } = algorithmsThatWork(key, caps);
  const whole = inToken.filter((a) => a !== except);
  const memory = transportInMemory.filter((a) => a !== except);
  const parts: string[] = [];
  if (whole.length) parts.push(`Issue the import parameters in Keyport with ${orList(whole)}, which this token does wholly inside.`);
  if (memory.length) {
    parts.push(
      `${whole.length ? "Also possible" : "Possible"}: ${orList(memory)}, where the key still never leaves the token but its one-use AES transport key is RSA-encrypted in this program's memory.`,
    );
  }
  if (!parts.length) parts.push("This token offers no mechanism that wraps this key for KMS inside it.");
  return parts.join(" ");
}

/**
 * The plan for `algorithm`, or a refusal (exit 2) that names the mechanism the token lacks and what works.
 * `wrappingModulusBits` is the KMS wrapping key's size (RSA-OAEP carries k − 2·hLen − 2 bytes).
 */
export function planWrap(algorithm: HsmAlgorithm, key: KeyFacts, caps: Capabilities, wrappingModulusBits: number): Plan {
  const hash = hashOf(algorithm);
  if (algorithm.startsWith("RSAES_OAEP")) {
    if (key.keyClass !== "secret") {
      refuse(
        `${algorithm} puts the key in one RSA-OAEP block, and PKCS#11's CKM_RSA_PKCS_OAEP wraps only secret keys, not a ${key.keyTypeName} private key: ` +
          "private keys go with RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1. " +
          alternatives(key, caps, algorithm),
      );
    }
    if (!oaepInToken(caps, hash)) {
      refuse(`${algorithm} cannot be done inside this token: ${oaepFailure(caps, hash)}. ${alternatives(key, caps, algorithm)}`);
    }
    const capacity = oaepCapacity(`RSA_${wrappingModulusBits}` as "RSA_2048" | "RSA_3072" | "RSA_4096", hash);
    if (key.valueLen !== undefined && key.valueLen > capacity) {
      refuse(`The key is ${key.valueLen} bytes (CKA_VALUE_LEN); ${algorithm} under an RSA ${wrappingModulusBits} wrapping key carries at most ${capacity}. Use RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.`);
    }
    return { kind: "oaep", algorithm, hash };
  }
  const problem = aesWrapProblem(key, caps);
  if (problem || !caps.aesWrap) {
    refuse(`${algorithm} wraps the key with AES key wrap with padding (RFC 5649) inside the token, and ${problem}. ${alternatives(key, caps, algorithm)}`);
  }
  if (!oaepInToken(caps, hash)) return { kind: "rsa-aes", algorithm, hash, aesWrap: caps.aesWrap, transport: "memory", why: oaepFailure(caps, hash) };
  if (!caps.aesKeyGen) return { kind: "rsa-aes", algorithm, hash, aesWrap: caps.aesWrap, transport: "memory", why: "the token does not offer CKM_AES_KEY_GEN" };
  return { kind: "rsa-aes", algorithm, hash, aesWrap: caps.aesWrap, transport: "token" };
}

/** One paragraph for the CLI's output: which calls made the blob, and where each part happened. */
export function describePlan(plan: Plan): string {
  const oaep = `CKM_RSA_PKCS_OAEP (${hashLabel(plan.hash)}, MGF1-${hashLabel(plan.hash)})`;
  if (plan.kind === "oaep") return `C_WrapKey with ${oaep}, wholly inside the token.`;
  const aes = `C_WrapKey with ${plan.aesWrap} (RFC 5649) under a one-use session AES-256 key`;
  if (plan.transport === "token") {
    return `${aes} made in the token, then C_WrapKey with ${oaep} of that AES key: wholly inside the token. The AES key was destroyed.`;
  }
  return (
    `${aes}, then RSA-OAEP (${hashLabel(plan.hash)}) of that AES key in this program's memory, because ${plan.why}. ` +
    "The key being exported never left the token; only the one-use transport key was in memory, and it was destroyed."
  );
}
