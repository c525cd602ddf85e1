import { CreateKeyCommand, ReplicateKeyCommand, type KMSClient, type KeySpec } from "@aws-sdk/client-kms";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "@/lib/emulator";
import { REPLICA_CREATION_MS } from "@/lib/emulator/kms/multi-region-operations";
import { defaultUsage, kmsClient } from "@/lib/emulator/test-support";
import type { RegionKey } from "./verify";

/** The multi-Region tests' harness (test code): the emulator over HTTP and EXTERNAL multi-Region keys in it. */

export type MultiRegionHarness = {
  emulator: RunningEmulator;
  admin: AdminClient;
  kms: (region: string) => KMSClient;
  arnIn: (region: string, keyId: string) => string;
  close: () => Promise<void>;
};

export async function startHarness(port: number, regions: string[]): Promise<MultiRegionHarness> {
  const emulator = await startEmulator({ seed: "none", admin: true, port });
  const admin = adminClient(emulator.endpoint);
  const clients = new Map(regions.map((r) => [r, kmsClient(emulator, r)]));
  return {
    emulator,
    admin,
    kms: (region) => {
      const client = clients.get(region);
      if (!client) throw new Error(`No client for ${region}`);
      return client;
    },
    arnIn: (region, keyId) => `arn:aws:kms:${region}:${emulator.baseAccountId}:key/${keyId}`,
    close: async () => {
      for (const client of clients.values()) client.destroy();
      await emulator.close();
    },
  };
}

/**
 * An EXTERNAL multi-Region key with its primary in `regions[0]` and replicas in the others, none holding
 * material yet (each Region imports its own). Returns its id and one RegionKey per Region, primary first.
 */
export async function externalMrk(h: MultiRegionHarness, keySpec: KeySpec, regions: string[]): Promise<{ keyId: string; keys: RegionKey[] }> {
  const [primary, ...replicas] = regions as [string, ...string[]];
  const created = await h
    .kms(primary)
    .send(new CreateKeyCommand({ MultiRegion: true, Origin: "EXTERNAL", KeySpec: keySpec, KeyUsage: defaultUsage(keySpec) }));
  const keyId = created.KeyMetadata!.KeyId!;
  for (const region of replicas) await h.kms(primary).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
  // A new replica answers Creating for a while in emulator time.
  if (replicas.length > 0) await h.admin.advanceClock(REPLICA_CREATION_MS);
  return { keyId, keys: regions.map((region) => ({ region, keyArn: h.arnIn(region, keyId), client: h.kms(region) })) };
}
