import { createPrivateKey } from "node:crypto";
import { openImportToken, sealImportToken } from "../crypto/import-token";
import { materialIdOf, validateMaterial } from "../crypto/material";
import {
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  oaepCapacity,
  oaepHashOf,
  unwrapKeyMaterial,
  type RsaWrappingKeySpec,
  type SupportedWrappingAlgorithm,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../crypto/wrap";
import { kms } from "../errors";
import { isChinaRegion, materialScopeOf } from "../ids";
import type { ExpirationModel, KeyRecord, MaterialRecord } from "../state";
import type { KmsContext, KmsOperation } from "./context";
import {
  epochSeconds,
  keyIdField,
  optionalEnum,
  optionalString,
  optionalTimestamp,
  requiredBlob,
  requiredEnum,
  type KmsInput,
} from "./input";
import { familyOf, type KeySpec } from "./key-specs";
import { assertExternalOrigin, assertTakesMaterial, assertSymmetric, refuseIn } from "./key-state";
import { isMissingMaterial } from "./lifecycle";
import { DIFFERENT_MATERIAL, deleteReplicasPendingCopies, isReplica, replicaImportTarget } from "./multi-region-material";
import { resolveKey } from "./resolve";

/**
 * GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial as AWS documents them and answers them,
 * errors and messages included (lib/imports/README.md, "Which wrapping fits which key material").
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN_LIFETIME_MS = DAY_MS;
const MAX_VALID_TO_MS = 365 * DAY_MS;
const MATERIAL_ID_PATTERN = /^[a-f0-9]{64}$/;
const MATERIAL_DESCRIPTION_PATTERN = /^[a-zA-Z0-9:/_\s.-]+$/;

async function getParametersForImport(ctx: KmsContext, input: KmsInput) {
  const keyIdValue = keyIdField(input);
  const algorithm = requiredEnum(input, "WrappingAlgorithm", WRAPPING_ALGORITHMS);
  const wrappingKeySpec = requiredEnum(input, "WrappingKeySpec", WRAPPING_KEY_SPECS);
  const supported = assertWrappingAvailable(ctx.region, algorithm, wrappingKeySpec);

  const key = resolveKey(ctx, keyIdValue, { allowAlias: false });
  assertExternalOrigin(key);
  assertTakesMaterial(key);
  assertWrappingFits(key.keySpec, supported.algorithm, supported.wrappingKeySpec);

  const pair = await ctx.pool.take(supported.wrappingKeySpec);
  const validTo = ctx.now + TOKEN_LIFETIME_MS;
  const token = sealImportToken(ctx.tokenKey, {
    keyArn: key.arn,
    algorithm: supported.algorithm,
    wrappingKeySpec: supported.wrappingKeySpec,
    validTo,
    privateKeyDer: pair.privateKeyDer,
  });
  return {
    KeyId: key.arn,
    ImportToken: token.toString("base64"),
    PublicKey: pair.publicKeyDer.toString("base64"),
    ParametersValidTo: epochSeconds(validTo),
  };
}

/** Refuses what KMS no longer offers or offers only in China Regions. */
function assertWrappingAvailable(
  region: string,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): { algorithm: SupportedWrappingAlgorithm; wrappingKeySpec: RsaWrappingKeySpec } {
  if (algorithm === "RSAES_PKCS1_V1_5") {
    throw kms.validation(
      "The wrapping algorithm RSAES_PKCS1_V1_5 is no longer supported (since 2023-10-10). Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.",
    );
  }
  const china = isChinaRegion(region);
  if (algorithm === "SM2PKE" || wrappingKeySpec === "SM2") {
    if (!china) throw kms.validation("The SM2 wrapping key spec and the SM2PKE wrapping algorithm are available only in China Regions.");
    throw kms.unsupported("SM2 wrapping is not modelled by the emulator.");
  }
  if (china && algorithm.startsWith("RSA_AES_KEY_WRAP")) {
    throw kms.validation(`The wrapping algorithm ${algorithm} is not available in China Regions.`);
  }
  return { algorithm, wrappingKeySpec };
}

/**
 * Refuses wrapping choices that cannot carry the key's material: RSA private keys are larger than any
 * RSA-OAEP plaintext, and a P-521 PKCS#8 key exceeds RSA_2048's OAEP capacity. KMS documents these as not
 * supported; whether it refuses already here or only at import is UNCONFIRMED — refusing early is stricter.
 */
function assertWrappingFits(keySpec: KeySpec, algorithm: SupportedWrappingAlgorithm, wrappingKeySpec: RsaWrappingKeySpec): void {
  if (algorithm.startsWith("RSA_AES_KEY_WRAP")) return;
  if (familyOf(keySpec) === "RSA") {
    throw kms.validation(
      `${algorithm} cannot wrap ${keySpec} key material: an RSA private key is larger than RSA-OAEP can carry. Use RSA_AES_KEY_WRAP_SHA_256.`,
    );
  }
  if (keySpec === "ECC_NIST_P521" && wrappingKeySpec === "RSA_2048") {
    throw kms.validation(
      `${algorithm} with an RSA_2048 wrapping key cannot wrap ECC_NIST_P521 key material (it exceeds the ${oaepCapacity("RSA_2048", oaepHashOf(algorithm))}-byte OAEP limit). Use a larger wrapping key or RSA_AES_KEY_WRAP_SHA_256.`,
    );
  }
}

interface ImportRequest {
  token: Buffer;
  encrypted: Buffer;
  expirationModel: ExpirationModel;
  validTo?: number;
  importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";
  materialDescription?: string;
  materialId?: string;
}

function readImportRequest(ctx: KmsContext, input: KmsInput): ImportRequest {
  const request: ImportRequest = {
    token: requiredBlob(input, "ImportToken", 6144),
    encrypted: requiredBlob(input, "EncryptedKeyMaterial", 6144),
    expirationModel: optionalEnum(input, "ExpirationModel", ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"]) ?? "KEY_MATERIAL_EXPIRES",
    validTo: optionalTimestamp(input, "ValidTo"),
    importType: optionalEnum(input, "ImportType", ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"]),
    materialDescription: optionalString(input, "KeyMaterialDescription", { min: 0, max: 256, pattern: MATERIAL_DESCRIPTION_PATTERN }),
    materialId: optionalString(input, "KeyMaterialId", { min: 64, max: 64, pattern: MATERIAL_ID_PATTERN }),
  };
  if (request.expirationModel === "KEY_MATERIAL_EXPIRES") {
    if (request.validTo === undefined) {
      throw kms.validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    }
    if (request.validTo <= ctx.now) throw kms.validation("The ValidTo date must be in the future.");
    if (request.validTo > ctx.now + MAX_VALID_TO_MS) throw kms.validation("The ValidTo date must be no more than 365 days in the future.");
  } else if (request.validTo !== undefined) {
    throw kms.validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
  }
  if (request.importType === "NEW_KEY_MATERIAL" && request.materialId !== undefined) {
    throw kms.validation("KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.");
  }
  return request;
}

function importKeyMaterial(ctx: KmsContext, input: KmsInput) {
  const keyIdValue = keyIdField(input);
  const request = readImportRequest(ctx, input);
  const key = resolveKey(ctx, keyIdValue, { allowAlias: false });
  assertExternalOrigin(key);
  assertTakesMaterial(key);
  const symmetric = familyOf(key.keySpec) === "SYMMETRIC";
  if (!symmetric) {
    if (request.importType !== undefined) assertSymmetric(key, "ImportType");
    if (request.materialDescription !== undefined) assertSymmetric(key, "KeyMaterialDescription");
    if (request.materialId !== undefined) assertSymmetric(key, "KeyMaterialId");
  }

  // The token is bound to this key and carries the wrapping private key; check it before unwrapping.
  const token = openImportToken(ctx.tokenKey, request.token);
  if (token.keyArn !== key.arn) throw kms.invalidImportToken("The import token was issued for another KMS key.");
  if (ctx.now >= token.validTo) throw kms.expiredImportToken();
  const wrappingKey = createPrivateKey({ key: token.privateKeyDer, format: "der", type: "pkcs8" });
  const material = validateMaterial(key.keySpec, key.region, unwrapKeyMaterial(token.algorithm, wrappingKey, request.encrypted));
  const materialId = materialIdOf(ctx.store.secret, materialScopeOf(key), material);

  const record = symmetric ? symmetricTarget(ctx, key, request, materialId) : asymmetricTarget(key, materialId);
  record.bytes = material.toString("base64");
  record.expirationModel = request.expirationModel;
  if (request.validTo === undefined) delete record.validTo;
  else record.validTo = request.validTo;
  if (request.materialDescription !== undefined) record.description = request.materialDescription;
  if (!key.materials.includes(record)) key.materials.push(record);
  if (key.keyState === "PendingImport" && !isMissingMaterial(key)) key.keyState = "Enabled";
  return symmetric ? { KeyId: key.arn, KeyMaterialId: record.id } : { KeyId: key.arn };
}

/** HMAC and asymmetric keys hold one material for life: a reimport must be the same bytes. */
function asymmetricTarget(key: KeyRecord, materialId: string): MaterialRecord {
  const existing = key.materials[0];
  if (existing && existing.id !== materialId) throw kms.incorrectKeyMaterial(DIFFERENT_MATERIAL);
  return existing ?? { id: materialId, state: "CURRENT" };
}

/**
 * Symmetric keys can hold several generations. NEW_KEY_MATERIAL is the first import or, into an enabled
 * key, material pending rotation; EXISTING_KEY_MATERIAL reimports a generation the key already had.
 */
function symmetricTarget(ctx: KmsContext, key: KeyRecord, request: ImportRequest, materialId: string): MaterialRecord {
  const importType = request.importType ?? (key.materials.length === 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL");
  const replicaTarget = isReplica(key) ? replicaImportTarget(ctx, key, importType, request.materialId, materialId) : undefined;
  if (replicaTarget) return replicaTarget;
  if (importType === "NEW_KEY_MATERIAL") {
    if (key.materials.length === 0) return { id: materialId, state: "CURRENT" };
    if (key.materials.some((m) => m.id === materialId)) {
      // UNCONFIRMED: KMS may accept the same bytes as "new"; refusing is the stricter reading.
      throw kms.incorrectKeyMaterial("This key material was already imported into this KMS key; reimport it with ImportType EXISTING_KEY_MATERIAL.");
    }
    if (key.materials.some((m) => m.state === "PENDING_ROTATION")) {
      throw kms.invalidState(`${key.arn} already has key material pending rotation. Rotate (RotateKeyOnDemand) or delete it first.`);
    }
    if (key.keyState !== "Enabled") {
      // UNCONFIRMED whether a disabled key accepts new material; the stricter reading refuses.
      throw kms.invalidState(`${key.arn} is ${key.keyState}; new key material for rotation can be imported only into an enabled key.`);
    }
    // For a multi-Region primary this is PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica has
    // imported it (shown so by ListKeyRotations; multi-region-material.ts).
    return { id: materialId, state: "PENDING_ROTATION" };
  }
  if (key.materials.length === 0) {
    throw kms.validation("The key has no key material to reimport; use ImportType NEW_KEY_MATERIAL for the first import.");
  }
  if (request.materialId !== undefined) {
    const named = key.materials.find((m) => m.id === request.materialId);
    if (!named) throw kms.notFound(`Key material ${request.materialId} does not exist for ${key.arn}.`);
    if (named.id !== materialId) throw kms.incorrectKeyMaterial(DIFFERENT_MATERIAL);
    return named;
  }
  const same = key.materials.find((m) => m.id === materialId);
  if (!same) throw kms.incorrectKeyMaterial(DIFFERENT_MATERIAL);
  return same;
}

function deleteImportedKeyMaterial(ctx: KmsContext, input: KmsInput) {
  const keyIdValue = keyIdField(input);
  const requestedId = optionalString(input, "KeyMaterialId", { min: 64, max: 64, pattern: MATERIAL_ID_PATTERN });
  const key = resolveKey(ctx, keyIdValue, { allowAlias: false });
  assertExternalOrigin(key);
  // Strict reading of "certain management operations" an Updating key refuses (developer guide, "Change
  // the primary key in a set of multi-Region keys"): deleting its material is one (UNCONFIRMED).
  refuseIn(key, ["Updating"]);
  const symmetric = familyOf(key.keySpec) === "SYMMETRIC";
  if (requestedId !== undefined) assertSymmetric(key, "KeyMaterialId");

  const target = requestedId === undefined ? key.materials.find((m) => m.state === "CURRENT") : key.materials.find((m) => m.id === requestedId);
  if (requestedId !== undefined && !target) throw kms.notFound(`Key material ${requestedId} does not exist for ${key.arn}.`);
  const response = (id?: string) => (symmetric && id ? { KeyId: key.arn, KeyMaterialId: id } : { KeyId: key.arn });
  // Nothing imported (PendingImport): succeeds without effect.
  if (!target || target.bytes === undefined) return response(target?.id);

  if (target.state === "PENDING_ROTATION") {
    key.materials.splice(key.materials.indexOf(target), 1);
    deleteReplicasPendingCopies(ctx, key, target);
  } else delete target.bytes;
  // A key pending deletion keeps that state; otherwise it now waits for material.
  if (key.keyState !== "PendingDeletion" && isMissingMaterial(key)) key.keyState = "PendingImport";
  return response(target.id);
}

export const importOperations: Record<string, KmsOperation> = {
  GetParametersForImport: { handler: getParametersForImport, mutates: false },
  ImportKeyMaterial: { handler: importKeyMaterial, mutates: true },
  DeleteImportedKeyMaterial: { handler: deleteImportedKeyMaterial, mutates: true },
};
