import { afterAll, beforeAll } from "vitest";
import { startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import type { KeyMetadata } from "@/lib/kms/operations";

/**
 * For inventory tests: the demo emulator (its admin controls on), one target for its first assumable account
 * in every Region, and fresh KmsAccess instances that do not retry — each destroyed after the file, so idle
 * keep-alive sockets do not hold the emulator's close() open.
 */
export function emulatorTarget() {
  const state = {} as { emulator: RunningEmulator; target: KmsTarget };
  const accesses: KmsAccess[] = [];
  beforeAll(async () => {
    state.emulator = await startEmulator({ seed: "demo", admin: true });
    const account = state.emulator.accounts.find((a) => a.assumable)!;
    state.target = { id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: state.emulator.regions };
  });
  afterAll(async () => {
    for (const made of accesses) made.destroy();
    await state.emulator?.close();
  });
  return {
    get emulator() {
      return state.emulator;
    },
    get target() {
      return state.target;
    },
    access(): KmsAccess {
      const made = new KmsAccess({ targets: [state.target], endpoint: state.emulator.endpoint, now: Date.now, baseCredentials: state.emulator.credentials, maxAttempts: 1 });
      accesses.push(made);
      return made;
    },
  };
}

/**
 * A KMS key as DescribeKey reports it, for writing inventory rows (`upsertDescribed`) without asking KMS: an
 * enabled EXTERNAL symmetric key of account 222222222222 whose material expires, changed by `over`. Its ARN
 * names its Region, account and key id unless `over` gives one.
 */
export function describedKey(region: string, keyId: string, over: Partial<KeyMetadata> = {}): KeyMetadata {
  const accountId = over.accountId ?? "222222222222";
  return {
    keyId,
    arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}`,
    accountId,
    origin: "EXTERNAL",
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    keyState: "Enabled",
    enabled: true,
    keyManager: "CUSTOMER",
    description: "",
    creationDate: new Date("2026-01-01T00:00:00Z"),
    validTo: new Date("2027-06-01T00:00:00Z"),
    expirationModel: "KEY_MATERIAL_EXPIRES",
    currentKeyMaterialId: "a".repeat(64),
    multiRegion: false,
    primaryRegion: null,
    deletionDate: null,
    ...over,
  };
}

/** What `describedKey` overrides to describe a key created without material, waiting for its first import. */
export const AWAITING_MATERIAL = { keyState: "PendingImport", validTo: null, expirationModel: null, currentKeyMaterialId: null } as const satisfies Partial<KeyMetadata>;
