import "server-only";
import { KeyportError } from "@/lib/errors";
import { defaultWrapping, familyOf, isKeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "@/lib/imports/compat";
import { importedRequestsOfKey, type Q } from "@/lib/imports/queries";
import type { StartImport } from "@/lib/imports/schemas";
import type { KeyRow } from "@/lib/inventory/queries";
import { sameLengthValidTo } from "./policy";

/**
 * What a scheduled request asks KMS for, copied from the key's last import through Keyport: the same wrapping
 * algorithm and wrapping key spec, the same expiration model, and a ValidTo as far ahead as the last one was.
 * A reimport of a symmetric key brings back the same material (EXISTING_KEY_MATERIAL); a rotation brings new
 * material (NEW_KEY_MATERIAL, which importChoices sets).
 */

export function noEarlierImport(): KeyportError {
  return new KeyportError(
    "no_earlier_import",
    "Keyport has no earlier import of this key to copy the choices from. Start the reimport from the key page and choose them there.",
    { status: 409 },
  );
}

/**
 * The start input for a scheduled reimport (`kind: "import"`) or rotation (`kind: "rotate"`) of `key`. A
 * reimport needs an earlier import to copy; a rotation without one takes Keyport's default wrapping for the
 * key spec and keeps the key's expiration model and current ValidTo.
 */
export async function scheduledStart(q: Q, key: KeyRow, kind: "import" | "rotate", now: Date, justification: string): Promise<StartImport> {
  const [last] = await importedRequestsOfKey(q, key.targetId, key.region, key.keyId, 1);
  const keySpec = isKeySpec(key.keySpec) ? key.keySpec : null;
  let wrapping: { algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec } | null = null;
  let expirationModel: StartImport["expirationModel"];
  let validTo: Date | undefined;

  if (last?.wrappingAlgorithm && last.wrappingKeySpec && last.expirationModel) {
    wrapping = { algorithm: last.wrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: last.wrappingKeySpec as WrappingKeySpec };
    expirationModel = last.expirationModel as StartImport["expirationModel"];
    if (expirationModel === "KEY_MATERIAL_EXPIRES" && last.validTo) {
      validTo = sameLengthValidTo({ validTo: last.validTo, requestedAt: last.closedAt ?? last.createdAt }, now);
    }
  } else if (kind === "rotate" && keySpec) {
    wrapping = defaultWrapping(keySpec, key.region);
    const expires = key.expirationModel === "KEY_MATERIAL_EXPIRES" && key.validTo && key.validTo.getTime() > now.getTime();
    expirationModel = expires ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE";
    validTo = expires ? key.validTo! : undefined;
  } else {
    throw noEarlierImport();
  }
  if (!wrapping) throw noEarlierImport();

  const symmetric = keySpec !== null && familyOf(keySpec) === "SYMMETRIC";
  return {
    target: key.targetId,
    region: key.region,
    keyId: key.keyId,
    kind,
    wrappingAlgorithm: wrapping.algorithm,
    wrappingKeySpec: wrapping.wrappingKeySpec,
    importType: kind === "rotate" ? "NEW_KEY_MATERIAL" : symmetric ? "EXISTING_KEY_MATERIAL" : undefined,
    expirationModel,
    validTo,
    justification,
  };
}
