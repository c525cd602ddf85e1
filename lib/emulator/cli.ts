import { parseArgs } from "node:util";
import { isValidAccountId } from "./ids";
import { parseSeed, type SeedName } from "./seed";
import { startEmulator, type PoolTargets, type RunningEmulator } from "./index";

/**
 * `npm run emulator -- [--port 4599] [--seed demo|none|scale:N[:externalPercent]] [--state FILE]
 *   [--access-key-id ID --secret-access-key SECRET] [--account-id ID] [--admin]`
 */

const USAGE = `Usage: npm run emulator -- [options]

  --port N                   port on 127.0.0.1 (default 4599; 0 picks a free one)
  --seed demo|none|scale:N[:externalPercent]
                             demo (default): accounts, roles, Regions and keys in every state
                             none: only the base account, where you create keys yourself
                             scale:N[:P]: N keys, P% of them EXTERNAL (default 5), for benchmarks
  --state FILE               persist all state to FILE (loaded on start if it exists)
  --access-key-id ID --secret-access-key SECRET
                             base credentials (default: obviously fake emulator credentials)
  --account-id ID            base account id (default 111111111111)
  --admin                    enable test controls under /__admin/ (clock, latency, throttling, faults)
  --wrapping-key-pool 2048=N,3072=N,4096=N
                             RSA wrapping key pairs kept ready for GetParametersForImport
                             (default 2048=4,3072=2,4096=4; with --seed none 2048=2,3072=1,4096=1)
`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseCli() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string", default: "4599" },
        seed: { type: "string", default: "demo" },
        state: { type: "string" },
        "access-key-id": { type: "string" },
        "secret-access-key": { type: "string" },
        "account-id": { type: "string" },
        admin: { type: "boolean", default: false },
        "wrapping-key-pool": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0–65535, not '${values.port}'.`);
  try {
    parseSeed(values.seed);
  } catch (error) {
    fail((error as Error).message);
  }
  if ((values["access-key-id"] === undefined) !== (values["secret-access-key"] === undefined)) {
    fail("Give --access-key-id and --secret-access-key together.");
  }
  if (values["account-id"] !== undefined && !isValidAccountId(values["account-id"])) fail("--account-id must be 12 digits.");
  const seed = parseSeed(values.seed);
  // Demo and scale runs keep a few RSA_4096 pairs ready so GetParametersForImport answers at once;
  // `none` keeps a small pool so start-up costs little CPU.
  const wrappingKeyPool: PoolTargets = seed.kind === "none" ? { RSA_2048: 2, RSA_3072: 1, RSA_4096: 1 } : { RSA_2048: 4, RSA_3072: 2, RSA_4096: 4 };
  for (const entry of values["wrapping-key-pool"]?.split(",") ?? []) {
    const match = /^(2048|3072|4096)=(\d{1,3})$/.exec(entry.trim());
    if (!match) fail(`--wrapping-key-pool takes 2048=N,3072=N,4096=N, not '${entry}'.`);
    wrappingKeyPool[`RSA_${match[1]}` as keyof PoolTargets] = Number(match[2]);
  }
  return {
    port,
    seed: values.seed as SeedName,
    stateFile: values.state,
    accessKeyId: values["access-key-id"],
    secretAccessKey: values["secret-access-key"],
    accountId: values["account-id"],
    admin: values.admin,
    wrappingKeyPool,
  };
}

function describe(emulator: RunningEmulator, options: ReturnType<typeof parseCli>): string {
  const lines = [
    `Keyport KMS + STS emulator listening on ${emulator.endpoint}`,
    "",
    `Base credentials (account ${emulator.baseAccountId}):`,
    `  AWS_ACCESS_KEY_ID=${emulator.credentials.accessKeyId}`,
    `  AWS_SECRET_ACCESS_KEY=${emulator.credentials.secretAccessKey}`,
    "",
    `Regions: any Region a request is signed for (keys are kept per account and Region)${emulator.regions.length ? `; seeded: ${emulator.regions.join(", ")}` : ""}`,
  ];
  if (emulator.accounts.length > 0) {
    lines.push("", "Accounts and roles (assume them with the base credentials):");
    for (const account of emulator.accounts) {
      const extra = account.assumable ? (account.externalId ? `  ExternalId=${account.externalId}` : "") : "  (trust policy refuses everyone: AccessDenied, for negative tests)";
      lines.push(`  ${account.accountId}  ${account.name.padEnd(24)} ${account.roleArn}${extra}`);
    }
  }
  lines.push(
    "",
    `State: ${
      options.stateFile
        ? `${emulator.restoredFromState ? `restored from ${options.stateFile} (seed ${emulator.seed}; --seed ignored)` : `new (seed ${emulator.seed}), saved to ${options.stateFile}`}`
        : `seed ${emulator.seed}, in memory (use --state FILE to keep it)`
    }`,
    `Admin controls: ${options.admin ? `on at ${emulator.endpoint}/__admin/` : "off (--admin to enable)"}`,
    "",
    `Use it: aws --endpoint-url ${emulator.endpoint} --region eu-west-1 kms list-keys   (same endpoint for sts)`,
    "Ctrl+C stops it.",
  );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const options = parseCli();
  const emulator = await startEmulator(options);
  console.log(describe(emulator, options));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`\n${signal}: stopping${options.stateFile ? ` and saving state to ${options.stateFile}` : ""}…`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Failed to stop cleanly:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("The emulator could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
