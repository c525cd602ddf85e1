import type { AddressInfo } from "node:net";
import { RSA_WRAPPING_SPECS, type PoolTargets } from "./crypto/wrapping-key-pool";
import { Emulator } from "./emulator";
import { newAccessKeyId } from "./ids";
import { parseSeed, seededAccounts, type SeedName, type SeededAccount } from "./seed";
import { createEmulatorServer } from "./server";

/**
 * Programmatic entry point: test setups and the demo launcher start the emulator with startEmulator().
 * Nothing in the app imports lib/emulator otherwise. (No `server-only` marker: this runs as a plain Node
 * process under tsx, where that package throws.)
 */

export { adminClient, type AdminClient } from "./admin-client";
export { demoAuditSigningKey } from "./seed";
export type { SeedName, SeededAccount } from "./seed";

export const DEFAULT_ACCESS_KEY_ID = "AKIAKEYPORTEMULATOR";
export const DEFAULT_SECRET_ACCESS_KEY = "keyport-emulator-secret-not-a-real-aws-key";
export const DEFAULT_ACCOUNT_ID = "111111111111";

export interface StartEmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  seed?: SeedName;
  /** Persist all state to this JSON file; an existing file is loaded instead of seeding. */
  stateFile?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** The base account, whose credentials are accessKeyId/secretAccessKey. */
  accountId?: string;
  /** Enable the /__admin/ test controls. */
  admin?: boolean;
  /** Wrapping key pairs generated ahead per spec; small by default so start-up stays cheap. */
  wrappingKeyPool?: Partial<PoolTargets>;
  /** Background key-pair generations at once (default 1, leaving a core to serve requests). */
  poolConcurrency?: number;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>`: pass it as `endpoint` to both the KMS and the STS client. */
  endpoint: string;
  port: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  baseAccountId: string;
  accounts: SeededAccount[];
  regions: string[];
  /** The seed in use; when the state was restored from `stateFile`, the one that file was created with. */
  seed: string;
  restoredFromState: boolean;
  /** Resolves once the wrapping-key pool holds its target number of pairs (the benchmark waits for it). */
  wrappingKeyPoolReady(): Promise<void>;
  close(): Promise<void>;
}

/** Pool sizes when none are given: enough for a test's RSA_2048 calls; larger specs are generated on demand. */
export const TEST_POOL: PoolTargets = { RSA_2048: 2, RSA_3072: 0, RSA_4096: 0 };

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const seedName = options.seed ?? "none";
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const poolTargets = { ...TEST_POOL, ...options.wrappingKeyPool };
  for (const spec of RSA_WRAPPING_SPECS) poolTargets[spec] = Math.max(0, Math.floor(poolTargets[spec]));
  const emulator = await Emulator.create({
    seed: parseSeed(seedName),
    seedName,
    stateFile: options.stateFile,
    base: {
      accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
      secretAccessKey: options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
      accountId,
      userName: "keyport-emulator",
      userId: newAccessKeyId("AIDA", 17),
    },
    credentialsExplicit: options.accessKeyId !== undefined,
    poolTargets,
    poolConcurrency: options.poolConcurrency ?? 1,
  });
  const server = createEmulatorServer(emulator, { admin: options.admin ?? false });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Loopback only: the emulator accepts fake credentials and must never be reachable from elsewhere.
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  emulator.start();
  const { port } = server.address() as AddressInfo;
  const store = emulator.state;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    credentials: { accessKeyId: store.base.accessKeyId, secretAccessKey: store.base.secretAccessKey },
    baseAccountId: store.base.accountId,
    accounts: seededAccounts(store),
    regions: [...store.regions],
    seed: store.seed,
    restoredFromState: emulator.restored,
    wrappingKeyPoolReady: () => emulator.pool.whenFilled(),
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await emulator.close();
      })();
      return closing;
    },
  };
}

export type { PoolTargets };
