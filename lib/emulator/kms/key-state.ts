import { kms } from "../errors";
import type { KeyRecord, KeyState } from "../state";
import { familyOf, type KeyUsage } from "./key-specs";

/** The key-state rules operations share, with KMS's messages. */

/**
 * KMSInvalidStateException for a key in a state the operation does not accept, worded as AWS words it
 * ("<arn> is pending import.", "<arn> is pending deletion."). AWS's wording for a key still Creating is not
 * on record; it is worded the same way.
 */
export function invalidStateOf(key: KeyRecord) {
  const words = key.keyState === "PendingImport" ? "pending import" : key.keyState === "PendingDeletion" ? "pending deletion" : key.keyState.toLowerCase();
  return kms.invalidState(`${key.arn} is ${words}.`);
}

/** Refuses a key in any of `states` with KMS's KMSInvalidStateException. */
export function refuseIn(key: KeyRecord, states: readonly KeyState[]): void {
  if (states.includes(key.keyState)) throw invalidStateOf(key);
}

/**
 * The states in which a key takes key material. The ImportKeyMaterial API reference: the key's KeyState
 * "must be PendingImport or Enabled"; so not pending deletion, not still being created, not Updating after
 * UpdatePrimaryRegion. (A Disabled key still takes a reimport here, as the emulator has always allowed.)
 */
export function assertTakesMaterial(key: KeyRecord): void {
  refuseIn(key, ["PendingDeletion", "Creating", "Updating"]);
}

export function assertExternalOrigin(key: KeyRecord): void {
  if (key.origin !== "EXTERNAL") {
    throw kms.unsupported(`${key.arn} origin is ${key.origin} which is not valid for this operation.`);
  }
}

/**
 * Cryptographic operations need an Enabled key of the right usage. The wrong usage is refused naming the
 * key's usage and the operation, as AWS words it ("<arn> key usage is ENCRYPT_DECRYPT which is not valid for
 * GenerateMac.").
 */
export function assertUsableFor(key: KeyRecord, usage: KeyUsage, operation: string): void {
  switch (key.keyState) {
    case "Disabled":
      throw kms.disabled(key.arn);
    case "PendingImport":
    case "PendingDeletion":
    case "Creating":
      throw invalidStateOf(key);
    case "Enabled":
    // "While the key state is Updating, you can use the keys in cryptographic operations" (AWS KMS developer
    // guide, "Change the primary key in a set of multi-Region keys").
    case "Updating":
      break;
  }
  if (key.keyUsage !== usage) {
    throw kms.invalidKeyUsage(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
}

export function assertSymmetric(key: KeyRecord, what: string): void {
  if (familyOf(key.keySpec) !== "SYMMETRIC") {
    throw kms.validation(`${what} is valid only for symmetric encryption keys; ${key.arn} has key spec ${key.keySpec}.`);
  }
}
