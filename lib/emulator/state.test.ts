import { randomBytes, createPublicKey } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
} from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapKeyMaterial } from "./crypto/wrap";
import { adminClient, startEmulator } from "./index";
import { Workdir, assumeRole, importWithNode, kmsClient, stsClient } from "./test-support";

/** --state FILE: everything survives a restart; writes are atomic. */

let work: Workdir;

beforeAll(async () => {
  work = await Workdir.create();
});

afterAll(async () => {
  await work?.cleanup();
});

describe("state persistence", () => {
  it("restores keys, material, aliases, tags, sessions, the token secret and the clock", async () => {
    const dir = await work.sub("round-trip");
    const stateFile = join(dir, "emulator-state.json");
    const first = await startEmulator({ seed: "demo", stateFile, admin: true });
    expect(first.restoredFromState).toBe(false);
    const kms = kmsClient(first);
    const created = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "survives restarts", Tags: [{ TagKey: "k", TagValue: "v" }] }));
    const keyArn = created.KeyMetadata?.Arn as string;
    await kms.send(new CreateAliasCommand({ AliasName: "alias/persisted", TargetKeyId: keyArn }));
    await importWithNode(kms, keyArn, randomBytes(32));
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: "alias/persisted", Plaintext: Buffer.from("kept") }))).CiphertextBlob;
    // Parameters issued before the restart are used after it.
    const pending = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    const pendingArn = pending.KeyMetadata?.Arn as string;
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: pendingArn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const production = first.accounts.find((a) => a.accountId === "222222222222");
    if (!production) throw new Error("no production account");
    const session = await assumeRole(first, production, "persisted-session");
    await adminClient(first.endpoint).advanceClock(30 * 60 * 1000);
    const productionKeyCount = (await kmsClient(first, "eu-west-1", session).send(new ListKeysCommand({}))).Keys?.length;
    kms.destroy();
    await first.close();

    const saved = JSON.parse(await readFile(stateFile, "utf8")) as { version: number; keys: unknown[] };
    expect(saved.version).toBe(1);
    expect(saved.keys.length).toBeGreaterThan(20);
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    // The file wins over the requested seed.
    const second = await startEmulator({ seed: "none", stateFile, admin: true });
    try {
      expect(second.restoredFromState).toBe(true);
      expect(second.seed).toBe("demo");
      const again = kmsClient(second);
      const described = await again.send(new DescribeKeyCommand({ KeyId: "alias/persisted" }));
      expect(described.KeyMetadata).toMatchObject({ Arn: keyArn, KeyState: "Enabled", Description: "survives restarts" });
      expect((await again.send(new ListResourceTagsCommand({ KeyId: keyArn }))).Tags).toEqual([{ TagKey: "k", TagValue: "v" }]);
      const decrypted = await again.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe("kept");

      const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey as Uint8Array), format: "der", type: "spki" });
      await again.send(
        new ImportKeyMaterialCommand({
          KeyId: pendingArn,
          ImportToken: params.ImportToken,
          EncryptedKeyMaterial: wrapKeyMaterial("RSAES_OAEP_SHA_256", publicKey, randomBytes(32)),
          ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
      );
      const identity = await stsClient(second, session).send(new GetCallerIdentityCommand({}));
      expect(identity.Arn).toContain("assumed-role/KeyportImportRole/persisted-session");
      expect((await kmsClient(second, "eu-west-1", session).send(new ListKeysCommand({}))).Keys?.length).toBe(productionKeyCount);

      const status = await adminClient(second.endpoint).status();
      expect(status.clockOffsetMs).toBeGreaterThan(29 * 60 * 1000);
      again.destroy();
    } finally {
      await second.close();
    }
  });

  it("writes soon after a change, without waiting for shutdown", async () => {
    const dir = await work.sub("debounced");
    const stateFile = join(dir, "state.json");
    const emulator = await startEmulator({ stateFile });
    try {
      const kms = kmsClient(emulator);
      const created = await kms.send(new CreateKeyCommand({ Description: "written promptly" }));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await readFile(stateFile, "utf8")).toContain(created.KeyMetadata?.KeyId as string);
      kms.destroy();
    } finally {
      await emulator.close();
    }
  });
});
