import { randomBytes } from "node:crypto";
import * as pkcs11js from "pkcs11js";
import { EC_CURVES, type KeyFacts } from "./key-facts";
import { CKM_AES_KEY_WRAP_KWP, CKM_RSA_AES_KEY_WRAP, type AesWrapMechanism, type OaepHash } from "./mechanisms";
import { refuse } from "./refusal";

/**
 * The PKCS#11 calls the companion makes, over pkcs11js. pkcs11js rather than graphene-pk11: graphene is an
 * object layer built on pkcs11js (same native addon, plus tslib and its own abstractions), while the code
 * here is easiest to check against the PKCS#11 specification and HSM vendors' BYOK guides when it makes
 * exactly the C_* calls they describe. pkcs11js ships its own TypeScript types and is the more used of
 * the two. It builds a native addon with node-gyp when installed (package.json "allowScripts").
 *
 * Nothing here reads CKA_VALUE: the key to wrap is only ever a handle. Every object this creates is a
 * session object (CKA_TOKEN=false), destroyed before the session closes.
 */

type Handle = Buffer;

const CKZ_DATA_SPECIFIED = 1;

const KEY_TYPES: Record<number, string> = {
  [pkcs11js.CKK_AES]: "CKK_AES",
  [pkcs11js.CKK_GENERIC_SECRET]: "CKK_GENERIC_SECRET",
  [pkcs11js.CKK_SHA_1_HMAC]: "CKK_SHA_1_HMAC",
  [pkcs11js.CKK_SHA224_HMAC]: "CKK_SHA224_HMAC",
  [pkcs11js.CKK_SHA256_HMAC]: "CKK_SHA256_HMAC",
  [pkcs11js.CKK_SHA384_HMAC]: "CKK_SHA384_HMAC",
  [pkcs11js.CKK_SHA512_HMAC]: "CKK_SHA512_HMAC",
  [pkcs11js.CKK_RSA]: "CKK_RSA",
  [pkcs11js.CKK_EC]: "CKK_EC",
  [pkcs11js.CKK_DES3]: "CKK_DES3",
};

/** The CKR_… name of a PKCS#11 error, or null for any other error. */
export function ckr(error: unknown): string | null {
  return error instanceof Error && error.name === "Pkcs11Error" && /^CKR_\w+$/.test(error.message) ? error.message : null;
}

function ulong(value: Buffer): number {
  return value.length === 8 ? Number(value.readBigUInt64LE()) : value.readUInt32LE();
}

function oaepMechanism(hash: OaepHash): pkcs11js.Mechanism {
  const sha1 = hash === "sha1";
  const parameter: pkcs11js.RsaOAEP = {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: sha1 ? pkcs11js.CKM_SHA_1 : pkcs11js.CKM_SHA256,
    mgf: sha1 ? pkcs11js.CKG_MGF1_SHA1 : pkcs11js.CKG_MGF1_SHA256,
    source: CKZ_DATA_SPECIFIED,
  };
  return { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter };
}

export type TokenInfo = { label: string; manufacturer: string; model: string; serial: string; library: string };

/** A logged-in session on one token. `close()` destroys what it created, logs out and finalizes. */
export class TokenSession {
  private readonly created = new Set<string>();

  private constructor(
    private readonly p11: pkcs11js.PKCS11,
    private readonly slot: Handle,
    private readonly session: Handle,
    readonly info: TokenInfo,
  ) {}

  static open(modulePath: string, tokenLabel: string, pin: string): TokenSession {
    const p11 = new pkcs11js.PKCS11();
    try {
      p11.load(modulePath);
    } catch (error) {
      refuse(`Cannot load the PKCS#11 module ${modulePath} (--module): ${(error as Error).message}. Give the path of your HSM's PKCS#11 library (.so).`);
    }
    p11.C_Initialize();
    try {
      const library = p11.C_GetInfo();
      const slots = p11.C_GetSlotList(true).map((slot) => ({ slot, token: p11.C_GetTokenInfo(slot) }));
      const matching = slots.filter((s) => s.token.label.trim() === tokenLabel);
      if (matching.length !== 1) {
        const labels = slots.map((s) => `"${s.token.label.trim()}"`).join(", ") || "none";
        refuse(`${matching.length ? "Several tokens are" : "No token is"} labelled "${tokenLabel}" (--token-label); the module has: ${labels}.`);
      }
      const { slot, token } = matching[0]!;
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      try {
        p11.C_Login(session, pkcs11js.CKU_USER, pin);
      } catch (error) {
        const rv = ckr(error);
        if (rv !== "CKR_USER_ALREADY_LOGGED_IN") {
          p11.C_CloseSession(session);
          refuse(`The token "${tokenLabel}" refused the user PIN (${rv ?? (error as Error).message}). Check KEYPORT_PKCS11_PIN.`);
        }
      }
      const info: TokenInfo = {
        label: tokenLabel,
        manufacturer: token.manufacturerID.trim(),
        model: token.model.trim(),
        serial: token.serialNumber.trim(),
        library: `${library.libraryDescription.trim()} ${library.libraryVersion.major}.${library.libraryVersion.minor}`,
      };
      return new TokenSession(p11, slot, session, info);
    } catch (error) {
      p11.C_Finalize();
      throw error;
    }
  }

  /** The one secret or private key with this label or CKA_ID. */
  findKey(selector: { label: string } | { id: Buffer }): { handle: Handle; facts: KeyFacts } {
    const what = "label" in selector ? `labelled "${selector.label}" (--key-label)` : `with CKA_ID ${selector.id.toString("hex")} (--key-id)`;
    const match = "label" in selector ? { type: pkcs11js.CKA_LABEL, value: selector.label } : { type: pkcs11js.CKA_ID, value: selector.id };
    const found = [pkcs11js.CKO_SECRET_KEY, pkcs11js.CKO_PRIVATE_KEY].flatMap((keyClass) => this.find([{ type: pkcs11js.CKA_CLASS, value: keyClass }, match]));
    if (found.length === 0) refuse(`No secret or private key ${what} on token "${this.info.label}".`);
    if (found.length > 1) refuse(`${found.length} keys are ${what} on token "${this.info.label}": name one by --key-id (its CKA_ID in hex).`);
    const handle = found[0]!;
    return { handle, facts: this.facts(handle) };
  }

  private find(template: pkcs11js.Template): Handle[] {
    this.p11.C_FindObjectsInit(this.session, template);
    try {
      return this.p11.C_FindObjects(this.session, 16);
    } finally {
      this.p11.C_FindObjectsFinal(this.session);
    }
  }

  /** One attribute, or null when the token does not have it for this object. */
  private attribute(handle: Handle, type: number): Buffer | null {
    try {
      const [result] = this.p11.C_GetAttributeValue(this.session, handle, [{ type }]);
      return (result?.value as Buffer | undefined) ?? null;
    } catch (error) {
      if (ckr(error) === "CKR_ATTRIBUTE_TYPE_INVALID" || ckr(error) === "CKR_ATTRIBUTE_SENSITIVE") return null;
      throw error;
    }
  }

  private facts(handle: Handle): KeyFacts {
    const flag = (type: number) => this.attribute(handle, type)?.[0] === 1;
    const keyClass = ulong(this.attribute(handle, pkcs11js.CKA_CLASS)!) === pkcs11js.CKO_SECRET_KEY ? "secret" : "private";
    const keyType = ulong(this.attribute(handle, pkcs11js.CKA_KEY_TYPE)!);
    const valueLen = keyClass === "secret" ? this.attribute(handle, pkcs11js.CKA_VALUE_LEN) : null;
    const modulus = keyType === pkcs11js.CKK_RSA ? this.attribute(handle, pkcs11js.CKA_MODULUS) : null;
    const ecParams = keyType === pkcs11js.CKK_EC ? this.attribute(handle, pkcs11js.CKA_EC_PARAMS)?.toString("hex") : undefined;
    const firstByte = modulus?.findIndex((b) => b !== 0) ?? -1;
    return {
      keyClass,
      keyTypeName: KEY_TYPES[keyType] ?? `CKK 0x${keyType.toString(16)}`,
      label: this.attribute(handle, pkcs11js.CKA_LABEL)?.toString("utf8") ?? "",
      id: this.attribute(handle, pkcs11js.CKA_ID)?.toString("hex") ?? "",
      valueLen: valueLen ? ulong(valueLen) : undefined,
      modulusBits: modulus && firstByte >= 0 ? (modulus.length - firstByte) * 8 : undefined,
      curve: ecParams === undefined ? undefined : (EC_CURVES[ecParams] ?? ecParams),
      extractable: flag(pkcs11js.CKA_EXTRACTABLE),
      sensitive: flag(pkcs11js.CKA_SENSITIVE),
      alwaysSensitive: flag(pkcs11js.CKA_ALWAYS_SENSITIVE),
      local: flag(pkcs11js.CKA_LOCAL),
      wrapWithTrusted: flag(pkcs11js.CKA_WRAP_WITH_TRUSTED),
    };
  }

  /** Which of the mechanisms the plan may use the token lists with CKF_WRAP (or at all, for key generation). */
  mechanisms(): { oaep: boolean; aesWrap: AesWrapMechanism | null; aesKeyGen: boolean; ecKeyGen: boolean; rsaAesKeyWrap: boolean } {
    const list = new Set(this.p11.C_GetMechanismList(this.slot));
    const wraps = (mechanism: number) => list.has(mechanism) && (this.p11.C_GetMechanismInfo(this.slot, mechanism).flags & pkcs11js.CKF_WRAP) !== 0;
    return {
      oaep: wraps(pkcs11js.CKM_RSA_PKCS_OAEP),
      aesWrap: wraps(CKM_AES_KEY_WRAP_KWP) ? "CKM_AES_KEY_WRAP_KWP" : wraps(pkcs11js.CKM_AES_KEY_WRAP_PAD) ? "CKM_AES_KEY_WRAP_PAD" : null,
      aesKeyGen: list.has(pkcs11js.CKM_AES_KEY_GEN),
      ecKeyGen: list.has(pkcs11js.CKM_EC_KEY_PAIR_GEN),
      rsaAesKeyWrap: list.has(CKM_RSA_AES_KEY_WRAP),
    };
  }

  private track(handle: Handle): Handle {
    this.created.add(handle.toString("hex"));
    return handle;
  }

  /** KMS's wrapping public key as a session object that may wrap. */
  importRsaPublicKey(modulus: Buffer, publicExponent: Buffer): Handle {
    return this.track(
      this.p11.C_CreateObject(this.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        { type: pkcs11js.CKA_WRAP, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_LABEL, value: "Keyport KMS wrapping key (session)" },
        { type: pkcs11js.CKA_MODULUS, value: modulus },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: publicExponent },
      ]),
    );
  }

  private static readonly TRANSPORT_TEMPLATE: pkcs11js.Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_WRAP, value: true },
    { type: pkcs11js.CKA_ENCRYPT, value: false },
    { type: pkcs11js.CKA_DECRYPT, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: false },
    { type: pkcs11js.CKA_LABEL, value: "Keyport transport key (session, one use)" },
  ];

  /** A one-use AES-256 session key made by the token; extractable only so RSA-OAEP in the token can wrap it. */
  generateTransportKey(): Handle {
    return this.track(
      this.p11.C_GenerateKey(this.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        ...TokenSession.TRANSPORT_TEMPLATE,
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      ]),
    );
  }

  /**
   * A one-use AES-256 session key from 32 random bytes made here, for when the token cannot RSA-OAEP it with
   * the hash KMS asked for. The caller encrypts `value` and then zeroes it.
   */
  createTransportKey(): { handle: Handle; value: Buffer } {
    const value = randomBytes(32);
    const handle = this.track(
      this.p11.C_CreateObject(this.session, [...TokenSession.TRANSPORT_TEMPLATE, { type: pkcs11js.CKA_VALUE, value }, { type: pkcs11js.CKA_EXTRACTABLE, value: false }]),
    );
    return { handle, value };
  }

  /** A throwaway generic secret of known bytes, to see what the token's wrap does to them. */
  createThrowawaySecret(value: Buffer): Handle {
    return this.track(
      this.p11.C_CreateObject(this.session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_VALUE, value },
      ]),
    );
  }

  /** A throwaway session P-256 key pair; returns its private key, to see how the token encodes private keys. */
  generateThrowawayEcKey(): Handle {
    const pair = this.p11.C_GenerateKeyPair(
      this.session,
      { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") },
      ],
      [
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      ],
    );
    this.track(pair.publicKey);
    return this.track(pair.privateKey);
  }

  wrapOaep(hash: OaepHash, wrappingKey: Handle, key: Handle): Buffer {
    return Buffer.from(this.p11.C_WrapKey(this.session, oaepMechanism(hash), wrappingKey, key, Buffer.alloc(1024)));
  }

  wrapAes(mechanism: AesWrapMechanism, wrappingKey: Handle, key: Handle): Buffer {
    const number = mechanism === "CKM_AES_KEY_WRAP_KWP" ? CKM_AES_KEY_WRAP_KWP : pkcs11js.CKM_AES_KEY_WRAP_PAD;
    // PKCS#8 of an RSA 4096 key is about 2,400 bytes; 16 KB leaves room for any KMS key spec.
    return Buffer.from(this.p11.C_WrapKey(this.session, { mechanism: number }, wrappingKey, key, Buffer.alloc(16 * 1024)));
  }

  destroy(handle: Handle): void {
    if (!this.created.delete(handle.toString("hex"))) return;
    this.p11.C_DestroyObject(this.session, handle);
  }

  close(): void {
    try {
      for (const hex of [...this.created]) this.destroy(Buffer.from(hex, "hex"));
      try {
        this.p11.C_Logout(this.session);
      } finally {
        this.p11.C_CloseSession(this.session);
      }
    } finally {
      this.p11.C_Finalize();
    }
  }
}
