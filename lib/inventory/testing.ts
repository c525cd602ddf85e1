import { afterAll, beforeAll } from "vitest";
import { startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "@/lib/kms";

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
