import { constants, createDecipheriv, publicEncrypt, randomBytes } from "node:crypto";
import type { KeySpec } from "@/lib/imports/compat";
import type { WrappingKey } from "./inputs";
import { checkFits, checkKey, type KeyFacts } from "./key-facts";
import { hashLabel, OAEP_HASHES, planWrap, type AesWrapFidelity, type AesWrapMechanism, type Capabilities, type HsmAlgorithm, type OaepProbe, type Plan } from "./mechanisms";
import { refuse } from "./refusal";
import { ckr, TokenSession, type TokenInfo } from "./token";

/**
 * One wrap, start to end: open the token, find and check the key, import KMS's wrapping public key as a
 * session object, find out what the token can do, plan, and wrap with C_WrapKey. The key's plaintext
 * never passes through here; the result is only the blob KMS's ImportKeyMaterial takes.
 */

export type WrapRequest = {
  modulePath: string;
  tokenLabel: string;
  pin: string;
  key: { label: string } | { id: Buffer };
  wrappingKey: WrappingKey;
  algorithm: HsmAlgorithm;
  /** From the parameters zip: the key must be material for this spec. */
  keySpec?: KeySpec | null;
  region?: string | null;
};

export type WrapResult = { token: TokenInfo; key: KeyFacts; capabilities: Capabilities; plan: Plan; wrapped: Buffer };

export function wrapInToken(request: WrapRequest): WrapResult {
  const token = TokenSession.open(request.modulePath, request.tokenLabel, request.pin);
  try {
    const { handle, facts } = token.findKey(request.key);
    checkKey(facts);
    if (request.keySpec) checkFits(facts, request.keySpec, request.region ?? "us-east-1");
    const jwk = request.wrappingKey.key.export({ format: "jwk" });
    const publicKey = token.importRsaPublicKey(Buffer.from(jwk.n ?? "", "base64url"), Buffer.from(jwk.e ?? "", "base64url"));
    const capabilities = tokenCapabilities(token, publicKey);
    const plan = planWrap(request.algorithm, facts, capabilities, request.wrappingKey.modulusBits);
    const wrapped = carryOut(token, plan, publicKey, handle, facts, request.wrappingKey);
    return { token: token.info, key: facts, capabilities, plan, wrapped };
  } finally {
    token.close();
  }
}

/**
 * What the token can do. Which OAEP hashes a token's C_WrapKey takes is not in its mechanism list (SoftHSM2
 * 2.6 lists CKM_RSA_PKCS_OAEP but answers CKR_ARGUMENTS_BAD to SHA-256), so each is tried on a throwaway
 * session AES key. Without CKM_AES_KEY_GEN there is nothing harmless to try it on: the wrap itself tells.
 */
export function tokenCapabilities(token: TokenSession, publicKey: Buffer): Capabilities {
  const listed = token.mechanisms();
  const oaep = {} as Record<(typeof OAEP_HASHES)[number], OaepProbe>;
  for (const hash of OAEP_HASHES) {
    if (!listed.oaep || !listed.aesKeyGen) {
      oaep[hash] = listed.oaep ? { ok: true } : { ok: false, rv: "CKR_MECHANISM_INVALID" };
      continue;
    }
    const throwaway = token.generateTransportKey();
    try {
      token.wrapOaep(hash, publicKey, throwaway);
      oaep[hash] = { ok: true };
    } catch (error) {
      const rv = ckr(error);
      if (!rv) throw error;
      oaep[hash] = { ok: false, rv };
    } finally {
      token.destroy(throwaway);
    }
  }
  const aesWrapFidelity = listed.aesWrap ? checkAesWrap(token, listed.aesWrap, listed.ecKeyGen) : { secret: null, private: null };
  return { oaepMechanism: listed.oaep, oaep, aesWrap: listed.aesWrap, aesWrapFidelity, aesKeyGen: listed.aesKeyGen, rsaAesKeyWrap: listed.rsaAesKeyWrap };
}

/** RFC 5649 unwrap (AES-256) of what the token wrapped, for the throwaway keys of `checkAesWrap` only. */
function unwrapRfc5649(key: Buffer, wrapped: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv("id-aes256-wrap-pad", key, Buffer.from("A65959A6", "hex"));
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return null;
  }
}

/** Length of the DER element that starts `bytes` (tag, length, contents), or null when it does not parse. */
function derLength(bytes: Buffer): number | null {
  const first = bytes[1];
  if (first === undefined) return null;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return null;
  return 2 + count + bytes.subarray(2, 2 + count).reduce((length, byte) => length * 256 + byte, 0);
}

function fidelity(unwrapped: Buffer | null, exactLength: number | null): AesWrapFidelity {
  if (!unwrapped || exactLength === null || exactLength > unwrapped.length) return "not-rfc5649";
  if (unwrapped.length === exactLength) return "exact";
  const zeroPadded = unwrapped.length % 8 === 0 && unwrapped.length - exactLength < 8 && unwrapped.subarray(exactLength).every((b) => b === 0);
  return zeroPadded ? "pads" : "not-rfc5649";
}

/**
 * What the token's AES key wrap does to a key's bytes: it wraps a 13-byte throwaway secret and, where the token
 * makes EC keys, a throwaway P-256 private key, under a throwaway AES key whose value is known here, and
 * unwraps them. None of these keys is the one being exported. Null where the token refuses to make them.
 */
function checkAesWrap(token: TokenSession, mechanism: AesWrapMechanism, ecKeyGen: boolean): Capabilities["aesWrapFidelity"] {
  let transport: { handle: Buffer; value: Buffer };
  try {
    transport = token.createTransportKey();
  } catch (error) {
    if (!ckr(error)) throw error;
    return { secret: null, private: null };
  }
  try {
    const attempt = (make: () => Buffer, exactLength: (unwrapped: Buffer) => number | null): AesWrapFidelity => {
      let key: Buffer;
      try {
        key = make();
      } catch (error) {
        if (!ckr(error)) throw error;
        return null;
      }
      try {
        const unwrapped = unwrapRfc5649(transport.value, token.wrapAes(mechanism, transport.handle, key));
        return fidelity(unwrapped, unwrapped ? exactLength(unwrapped) : null);
      } finally {
        token.destroy(key);
      }
    };
    const secretBytes = randomBytes(13);
    const secret = attempt(
      () => token.createThrowawaySecret(secretBytes),
      (unwrapped) => (unwrapped.subarray(0, 13).equals(secretBytes) ? 13 : null),
    );
    const privateKey = ecKeyGen ? attempt(() => token.generateThrowawayEcKey(), derLength) : null;
    return { secret, private: privateKey };
  } finally {
    transport.value.fill(0);
    token.destroy(transport.handle);
  }
}

/** C_WrapKey of the target; a token's refusal becomes ours, naming the mechanism and its answer. */
function wrapTarget(key: KeyFacts, mechanism: string, wrap: () => Buffer): Buffer {
  try {
    return wrap();
  } catch (error) {
    const rv = ckr(error);
    if (!rv) throw error;
    const hint =
      rv === "CKR_KEY_UNEXTRACTABLE"
        ? " The key is not extractable (CKA_EXTRACTABLE)."
        : rv === "CKR_KEY_NOT_WRAPPABLE"
          ? " The token does not wrap this kind of key with that mechanism."
          : "";
    refuse(`C_WrapKey with ${mechanism} of "${key.label}" answered ${rv}.${hint}`);
  }
}

function carryOut(token: TokenSession, plan: Plan, publicKey: Buffer, target: Buffer, key: KeyFacts, wrappingKey: WrappingKey): Buffer {
  const modulusBytes = wrappingKey.modulusBits / 8;
  const oaepName = `CKM_RSA_PKCS_OAEP (${hashLabel(plan.hash)})`;
  if (plan.kind === "oaep") {
    return wrapTarget(key, oaepName, () => token.wrapOaep(plan.hash, publicKey, target));
  }
  let rsaPart: Buffer;
  let transport: Buffer;
  if (plan.transport === "token") {
    transport = token.generateTransportKey();
    rsaPart = token.wrapOaep(plan.hash, publicKey, transport);
  } else {
    const made = token.createTransportKey();
    transport = made.handle;
    try {
      rsaPart = publicEncrypt({ key: wrappingKey.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: plan.hash }, made.value);
    } finally {
      made.value.fill(0);
    }
  }
  try {
    const materialPart = wrapTarget(key, plan.aesWrap, () => token.wrapAes(plan.aesWrap, transport, target));
    if (rsaPart.length !== modulusBytes) throw new Error(`The RSA part is ${rsaPart.length} bytes, not the wrapping key's ${modulusBytes}.`);
    return Buffer.concat([rsaPart, materialPart]);
  } finally {
    token.destroy(transport);
  }
}

