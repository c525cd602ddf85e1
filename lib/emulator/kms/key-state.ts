import { kms } from "../errors";
import type { KeyRecord } from "../state";
import { familyOf, type KeyUsage } from "./key-specs";

/** The key-state rules operations share, with KMS's messages. */

/** The states in which a key takes key material: not pending deletion, not still being created. */
export function assertNotPendingDeletion(key: KeyRecord): void {
  if (key.keyState === "PendingDeletion") throw kms.invalidState(`${key.arn} is pending deletion.`);
  // KMSInvalidStateException for a key still Creating is AWS's documented answer; its wording is not on
  // record, so the emulator words it as it words the other states.
  if (key.keyState === "Creating") throw kms.invalidState(`${key.arn} is creating.`);
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
      throw kms.invalidState(`${key.arn} is pending import.`);
    case "PendingDeletion":
      throw kms.invalidState(`${key.arn} is pending deletion.`);
    case "Creating":
      throw kms.invalidState(`${key.arn} is creating.`);
    case "Enabled":
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
