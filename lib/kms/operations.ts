import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  type SigningAlgorithmSpec,
  type KMSClient,
  type MacAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { toKmsError } from "./errors";

/**
 * Typed KMS operations returning plain objects (never SDK outputs) with the
 * KMS request id, and throwing only KmsError.
 */

export type KeyMetadata = {
  keyId: string;
  arn: string;
  accountId: string;
  origin: string;
  keySpec: string | null;
  keyUsage: string | null;
  keyState: string;
  enabled: boolean;
  keyManager: string | null;
  description: string | null;
  creationDate: Date | null;
  validTo: Date | null;
  expirationModel: string | null;
  currentKeyMaterialId: string | null;
  multiRegion: boolean;
  /** A multi-Region key's primary Region (MultiRegionConfiguration.PrimaryKey), null for single-Region keys. */
  primaryRegion: string | null;
  deletionDate: Date | null;
};

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toKmsError(error);
  }
}

export async function listKeysPage(client: KMSClient, marker?: string, limit = 1000) {
  const out = await call(() => client.send(new ListKeysCommand({ Limit: limit, Marker: marker })));
  return {
    keys: (out.Keys ?? []).flatMap((k) => (k.KeyId && k.KeyArn ? [{ keyId: k.KeyId, arn: k.KeyArn }] : [])),
    nextMarker: out.Truncated ? out.NextMarker : undefined,
    requestId: out.$metadata.requestId,
  };
}

export async function describeKey(client: KMSClient, keyId: string): Promise<KeyMetadata> {
  const out = await call(() => client.send(new DescribeKeyCommand({ KeyId: keyId })));
  const m = out.KeyMetadata;
  if (!m?.KeyId || !m.Arn) throw toKmsError(Object.assign(new Error("DescribeKey returned no metadata"), { name: "KMSInternalException" }));
  return {
    keyId: m.KeyId,
    arn: m.Arn,
    accountId: m.AWSAccountId ?? "",
    origin: m.Origin ?? "AWS_KMS",
    keySpec: m.KeySpec ?? null,
    keyUsage: m.KeyUsage ?? null,
    keyState: m.KeyState ?? "Unavailable",
    enabled: m.Enabled ?? false,
    keyManager: m.KeyManager ?? null,
    description: m.Description ?? null,
    creationDate: m.CreationDate ?? null,
    validTo: m.ValidTo ?? null,
    expirationModel: m.ExpirationModel ?? null,
    currentKeyMaterialId: m.CurrentKeyMaterialId ?? null,
    multiRegion: m.MultiRegion ?? false,
    primaryRegion: m.MultiRegionConfiguration?.PrimaryKey?.Region ?? null,
    deletionDate: m.DeletionDate ?? null,
  };
}

/** Every alias in the account and Region that points at a key, by key id (ListAliases pages of 100). */
export async function listAllAliases(client: KMSClient): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const out = await call(() => client.send(new ListAliasesCommand({ Limit: 100, Marker: marker })));
    for (const alias of out.Aliases ?? []) {
      if (!alias.TargetKeyId || !alias.AliasName) continue;
      const list = byKey.get(alias.TargetKeyId) ?? [];
      list.push(alias.AliasName);
      byKey.set(alias.TargetKeyId, list);
    }
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  for (const list of byKey.values()) list.sort();
  return byKey;
}

/**
 * Material imported for a rotation and not current yet. A multi-Region key's new material is
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica has imported it, then PENDING_ROTATION.
 */
export function isPendingRotation(state: string | null): boolean {
  return state === "PENDING_ROTATION" || state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";
}

export type KeyMaterialEntry = {
  keyMaterialId: string | null;
  state: string | null;
  importState: string | null;
  expirationModel: string | null;
  validTo: Date | null;
  description: string | null;
  rotationDate: Date | null;
  rotationType: string | null;
};

/** The key material history of a symmetric key (ListKeyRotations with ALL_KEY_MATERIAL). */
export async function listKeyMaterial(client: KMSClient, keyArn: string): Promise<KeyMaterialEntry[]> {
  const entries: KeyMaterialEntry[] = [];
  let marker: string | undefined;
  do {
    const out = await call(() =>
      client.send(new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: "ALL_KEY_MATERIAL", Limit: 100, Marker: marker })),
    );
    for (const r of out.Rotations ?? []) {
      entries.push({
        keyMaterialId: r.KeyMaterialId ?? null,
        state: r.KeyMaterialState ?? null,
        importState: r.ImportState ?? null,
        expirationModel: r.ExpirationModel ?? null,
        validTo: r.ValidTo ?? null,
        description: r.KeyMaterialDescription ?? null,
        rotationDate: r.RotationDate ?? null,
        rotationType: r.RotationType ?? null,
      });
    }
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return entries;
}

/** The key's tags, as a map (ListResourceTags pages of 50). */
export async function listKeyTags(client: KMSClient, keyArn: string): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  let marker: string | undefined;
  do {
    const out = await call(() => client.send(new ListResourceTagsCommand({ KeyId: keyArn, Limit: 50, Marker: marker })));
    for (const tag of out.Tags ?? []) if (tag.TagKey) tags.set(tag.TagKey, tag.TagValue ?? "");
    marker = out.Truncated ? out.NextMarker : undefined;
  } while (marker);
  return tags;
}

export type WrappingAlgorithm = "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256" | "SM2PKE";
export type WrappingKeySpec = "RSA_2048" | "RSA_3072" | "RSA_4096" | "SM2";

export async function getParametersForImport(
  client: KMSClient,
  input: { keyArn: string; wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec },
) {
  const out = await call(() =>
    client.send(
      new GetParametersForImportCommand({
        KeyId: input.keyArn,
        WrappingAlgorithm: input.wrappingAlgorithm,
        WrappingKeySpec: input.wrappingKeySpec,
      }),
    ),
  );
  if (!out.PublicKey || !out.ImportToken || !out.ParametersValidTo) {
    throw toKmsError(Object.assign(new Error("GetParametersForImport returned no parameters"), { name: "KMSInternalException" }));
  }
  return {
    keyArn: out.KeyId ?? input.keyArn,
    publicKey: Buffer.from(out.PublicKey),
    importToken: Buffer.from(out.ImportToken),
    parametersValidTo: out.ParametersValidTo,
    requestId: out.$metadata.requestId,
  };
}

export async function importKeyMaterial(
  client: KMSClient,
  input: {
    keyArn: string;
    importToken: Buffer;
    encryptedKeyMaterial: Buffer;
    expirationModel: "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
    validTo?: Date;
    importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL";
    keyMaterialDescription?: string;
  },
) {
  const out = await call(() =>
    client.send(
      new ImportKeyMaterialCommand({
        KeyId: input.keyArn,
        ImportToken: input.importToken,
        EncryptedKeyMaterial: input.encryptedKeyMaterial,
        ExpirationModel: input.expirationModel,
        ...(input.expirationModel === "KEY_MATERIAL_EXPIRES" ? { ValidTo: input.validTo } : {}),
        ...(input.importType ? { ImportType: input.importType } : {}),
        ...(input.keyMaterialDescription ? { KeyMaterialDescription: input.keyMaterialDescription } : {}),
      }),
    ),
  );
  return { keyArn: out.KeyId ?? input.keyArn, keyMaterialId: out.KeyMaterialId ?? null, requestId: out.$metadata.requestId };
}

/** DeleteImportedKeyMaterial: the key returns to PendingImport (a PendingDeletion key keeps its state). */
export async function deleteImportedKeyMaterial(client: KMSClient, input: { keyArn: string; keyMaterialId?: string }) {
  const out = await call(() =>
    client.send(new DeleteImportedKeyMaterialCommand({ KeyId: input.keyArn, ...(input.keyMaterialId ? { KeyMaterialId: input.keyMaterialId } : {}) })),
  );
  return { keyArn: out.KeyId ?? input.keyArn, keyMaterialId: out.KeyMaterialId ?? null, requestId: out.$metadata.requestId };
}

/** RotateKeyOnDemand: for an imported symmetric key, makes the material pending rotation current. */
export async function rotateKeyOnDemand(client: KMSClient, keyArn: string) {
  const out = await call(() => client.send(new RotateKeyOnDemandCommand({ KeyId: keyArn })));
  return { keyId: out.KeyId ?? keyArn, requestId: out.$metadata.requestId };
}

/** Sign a message (MessageType RAW: KMS hashes it) with an asymmetric key: the signature KMS returns. */
export async function signMessage(client: KMSClient, input: { keyArn: string; message: Uint8Array; algorithm: SigningAlgorithmSpec }) {
  const out = await call(() =>
    client.send(new SignCommand({ KeyId: input.keyArn, Message: input.message, MessageType: "RAW", SigningAlgorithm: input.algorithm })),
  );
  if (!out.Signature) throw toKmsError(Object.assign(new Error("Sign returned no signature"), { name: "KMSInternalException" }));
  return { signature: Buffer.from(out.Signature), keyArn: out.KeyId ?? input.keyArn, requestId: out.$metadata.requestId };
}

/** GetPublicKey: the DER SubjectPublicKeyInfo KMS reports for an asymmetric key. */
export async function getPublicKey(client: KMSClient, keyArn: string) {
  const out = await call(() => client.send(new GetPublicKeyCommand({ KeyId: keyArn })));
  if (!out.PublicKey) throw toKmsError(Object.assign(new Error("GetPublicKey returned no public key"), { name: "KMSInternalException" }));
  return { publicKey: Buffer.from(out.PublicKey), keySpec: out.KeySpec ?? null, requestId: out.$metadata.requestId };
}

export async function encrypt(client: KMSClient, input: { keyArn: string; plaintext: Buffer; encryptionContext?: Record<string, string> }) {
  const out = await call(() =>
    client.send(new EncryptCommand({ KeyId: input.keyArn, Plaintext: input.plaintext, EncryptionContext: input.encryptionContext })),
  );
  if (!out.CiphertextBlob) throw toKmsError(Object.assign(new Error("Encrypt returned no ciphertext"), { name: "KMSInternalException" }));
  return { ciphertext: Buffer.from(out.CiphertextBlob), requestId: out.$metadata.requestId };
}

export async function decrypt(client: KMSClient, input: { keyArn: string; ciphertext: Buffer; encryptionContext?: Record<string, string> }) {
  const out = await call(() =>
    client.send(new DecryptCommand({ KeyId: input.keyArn, CiphertextBlob: input.ciphertext, EncryptionContext: input.encryptionContext })),
  );
  if (!out.Plaintext) throw toKmsError(Object.assign(new Error("Decrypt returned no plaintext"), { name: "KMSInternalException" }));
  return { plaintext: Buffer.from(out.Plaintext), keyMaterialId: out.KeyMaterialId ?? null, requestId: out.$metadata.requestId };
}

export type MacAlgorithm = "HMAC_SHA_224" | "HMAC_SHA_256" | "HMAC_SHA_384" | "HMAC_SHA_512";

export async function generateMac(client: KMSClient, input: { keyArn: string; message: Buffer; macAlgorithm: MacAlgorithm }) {
  const out = await call(() =>
    client.send(new GenerateMacCommand({ KeyId: input.keyArn, Message: input.message, MacAlgorithm: input.macAlgorithm satisfies MacAlgorithmSpec })),
  );
  if (!out.Mac) throw toKmsError(Object.assign(new Error("GenerateMac returned no MAC"), { name: "KMSInternalException" }));
  return { mac: Buffer.from(out.Mac), requestId: out.$metadata.requestId };
}
