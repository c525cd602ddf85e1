import { familyOf, isChinaRegion, type KeySpec } from "@/lib/imports/compat";
import { refuse } from "./refusal";

/**
 * What the CLI learns about the key to wrap from its PKCS#11 attributes (never its value), the checks that
 * keep the promise "the plaintext never exists outside the token", and whether it fits the KMS key spec the
 * import parameters are for. Pure.
 */

export type KeyFacts = {
  keyClass: "secret" | "private";
  /** CKK_AES, CKK_GENERIC_SECRET, CKK_RSA, CKK_EC … */
  keyTypeName: string;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  /** Secret keys: CKA_VALUE_LEN in bytes. */
  valueLen?: number;
  /** RSA private keys: from CKA_MODULUS. */
  modulusBits?: number;
  /** EC private keys: the KMS key spec of CKA_EC_PARAMS's curve, or its DER in hex when unknown. */
  curve?: string;
  extractable: boolean;
  sensitive: boolean;
  /** Never readable in plaintext since it was made (CKA_ALWAYS_SENSITIVE). */
  alwaysSensitive: boolean;
  /** Made inside the token (CKA_LOCAL), rather than imported into it. */
  local: boolean;
  wrapWithTrusted: boolean;
};

/** Named-curve OIDs (DER of CKA_EC_PARAMS) of the curves KMS imports. */
export const EC_CURVES: Record<string, KeySpec> = {
  "06082a8648ce3d030107": "ECC_NIST_P256",
  "06052b81040022": "ECC_NIST_P384",
  "06052b81040023": "ECC_NIST_P521",
  "06052b8104000a": "ECC_SECG_P256K1",
};

export function describeKey(key: KeyFacts): string {
  const what =
    key.keyClass === "secret"
      ? `${key.keyTypeName} secret key, ${key.valueLen ?? "?"} bytes`
      : key.modulusBits
        ? `${key.keyTypeName} private key, ${key.modulusBits} bits`
        : `${key.keyTypeName} private key${key.curve ? `, ${key.curve}` : ""}`;
  const flags = [
    key.sensitive ? "sensitive" : "NOT sensitive",
    key.alwaysSensitive ? "always sensitive" : "NOT always sensitive (its value could have been read before it was made sensitive)",
    key.extractable ? "extractable (wrappable)" : "NOT extractable",
    key.local ? "generated in the token" : "imported into the token",
  ];
  return `"${key.label}" (CKA_ID ${key.id || "none"}): ${what}; ${flags.join(", ")}`;
}

/** Refuses a key the token will not wrap, or whose plaintext the token would hand out anyway. */
export function checkKey(key: KeyFacts): void {
  const name = `The key "${key.label}"`;
  if (!key.extractable) {
    refuse(
      `${name} has CKA_EXTRACTABLE=false: the token wraps it for no one (C_WrapKey would answer CKR_KEY_UNEXTRACTABLE), and PKCS#11 cannot make it extractable again. ` +
        "Generate or unwrap the key into the token with CKA_EXTRACTABLE=true, or let KMS generate the key instead of importing it.",
    );
  }
  if (!key.sensitive) {
    refuse(
      `${name} has CKA_SENSITIVE=false: the token hands its value out in plaintext to anyone logged in (C_GetAttributeValue of CKA_VALUE), so it cannot be said to have stayed inside the token. ` +
        "Set CKA_SENSITIVE=true on it (PKCS#11 allows that one-way change with C_SetAttributeValue), check your HSM's audit that its value was never read out, and run this again.",
    );
  }
  if (key.wrapWithTrusted) {
    refuse(
      `${name} has CKA_WRAP_WITH_TRUSTED=true: the token wraps it only under a key with CKA_TRUSTED=true, which only the security officer can set, and the KMS wrapping key this run imports is an untrusted session object. ` +
        "Have the security officer import WrappingPublicKey.bin as a trusted wrapping key, or use a key without CKA_WRAP_WITH_TRUSTED.",
    );
  }
}

/** Refuses a key that is not material for `keySpec` (from the parameters zip), naming the attribute. */
export function checkFits(key: KeyFacts, keySpec: KeySpec, region: string): void {
  const family = familyOf(keySpec);
  if (family === "SYMMETRIC" || family === "HMAC") {
    if (key.keyClass !== "secret") refuse(`${keySpec} takes secret key material, and "${key.label}" is a ${key.keyTypeName} private key (CKA_CLASS).`);
    const bytes = family === "SYMMETRIC" ? (isChinaRegion(region) ? 16 : 32) : Number(keySpec.slice("HMAC_".length)) / 8;
    if (key.valueLen !== bytes) refuse(`${keySpec} in ${region} takes ${bytes} bytes of key material, and "${key.label}" is ${key.valueLen ?? "of unknown length"} bytes (CKA_VALUE_LEN).`);
    return;
  }
  if (key.keyClass !== "private") refuse(`${keySpec} takes a private key, and "${key.label}" is a ${key.keyTypeName} secret key (CKA_CLASS).`);
  if (family === "RSA") {
    const bits = Number(keySpec.slice("RSA_".length));
    if (key.keyTypeName !== "CKK_RSA") refuse(`${keySpec} takes an RSA private key, and "${key.label}" is ${key.keyTypeName} (CKA_KEY_TYPE).`);
    if (key.modulusBits !== bits) refuse(`${keySpec} takes a ${bits}-bit RSA key, and "${key.label}" has ${key.modulusBits ?? "an unknown number of"} bits (CKA_MODULUS).`);
    return;
  }
  if (key.keyTypeName !== "CKK_EC") refuse(`${keySpec} takes an EC private key, and "${key.label}" is ${key.keyTypeName} (CKA_KEY_TYPE).`);
  if (key.curve !== keySpec) refuse(`${keySpec} takes a key on that curve, and "${key.label}" is on ${key.curve ?? "an unknown curve"} (CKA_EC_PARAMS).`);
}
