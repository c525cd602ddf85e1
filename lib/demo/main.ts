/**
 * `npm run demo`: Keyport on its embedded default, with nothing to configure.
 * Builds the app if the build is missing or older than the sources, starts the
 * KMS+STS emulator on loopback with the demo seed (state kept under .data/ so
 * the demo survives restarts), and starts the app in demo mode against it.
 *
 * This is a developer entry point beside the app, like the emulator: nothing
 * in the app imports it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { demoAuditSigningKey, startEmulator, type SeedName } from "@/lib/emulator";
import { parseSeed } from "@/lib/emulator/seed";
import { childEnv, droppedDatabaseSettings } from "@/lib/demo/env";

const root = process.cwd();
const dataDir = path.resolve(root, process.env.KEYPORT_DATA_DIR || ".data");
const appPort = Number(process.env.PORT || 3000);
const emulatorPort = Number(process.env.KEYPORT_EMULATOR_PORT || 4599);
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

/**
 * KEYPORT_DEMO_SEED=scale:40000:50 runs the demo on a large estate (to see and measure the pages at scale);
 * the default is the small demo estate. Checked before anything starts: a typo stops the demo with the reason.
 */
function demoSeed(): SeedName {
  const value = process.env.KEYPORT_DEMO_SEED?.trim();
  if (!value) return "demo";
  try {
    parseSeed(value);
  } catch (error) {
    throw new Error(`KEYPORT_DEMO_SEED: ${error instanceof Error ? error.message : String(error)}`);
  }
  return value as SeedName;
}

function newestSourceTime(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|css|js|mjs|json|svg)$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of ["app", "components", "lib", "public"]) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  for (const file of ["next.config.js", "tailwind.config.ts", "package-lock.json", "proxy.ts"])
    if (existsSync(path.join(root, file))) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  return newest;
}

function ensureBuild() {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestSourceTime()) return;
  console.log(existsSync(buildId) ? "Sources changed since the last build: rebuilding…" : "Building Keyport (once)…");
  const result = spawnSync(process.execPath, [nextBin, "build"], {
    stdio: "inherit",
    env: childEnv(process.env, { NEXT_TELEMETRY_DISABLED: "1" }),
  });
  if (result.status !== 0) {
    console.error("The build failed; see the output above.");
    process.exit(result.status ?? 1);
  }
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 63) || "account";
}

async function main() {
  const seed = demoSeed();
  const dropped = droppedDatabaseSettings(process.env);
  if (dropped.length) console.log(`The demo keeps its own database under ${dataDir}; ignoring ${dropped.join(" and ")}.`);
  ensureBuild();
  mkdirSync(dataDir, { recursive: true });

  const emulator = await startEmulator({
    port: emulatorPort,
    seed,
    stateFile: path.join(dataDir, "emulator-state.json"),
    admin: true,
  });

  // The seed also has an account whose role refuses everyone (for tests); the demo shows the working ones.
  const targets = emulator.accounts.filter((account) => account.assumable).map((account) => ({
    id: slug(account.name),
    name: account.name,
    accountId: account.accountId,
    roleArn: account.roleArn,
    ...(account.externalId ? { externalId: account.externalId } : {}),
    regions: emulator.regions,
  }));

  // Checkpoints of the audit chain are signed with the seed's audit signing key, its public key pinned.
  const signing = seed === "demo" ? await demoAuditSigningKey() : null;

  const app: ChildProcess = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(appPort)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: childEnv(process.env, {
      NEXT_TELEMETRY_DISABLED: "1",
      KEYPORT_MODE: "demo",
      KEYPORT_DATA_DIR: dataDir,
      // The SDK warns once that releases from 2027 need Node 22; true, but noise in a demo.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      KEYPORT_TARGETS: JSON.stringify(targets),
      KEYPORT_AWS_ENDPOINT: emulator.endpoint,
      // Only the demo estate holds the signing key: a scale estate's audit checkpoints go unsigned.
      ...(signing ? { KEYPORT_AUDIT_SIGNING_KEY: signing.arn, KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT: signing.fingerprint } : {}),
      // The emulator's base credentials, found by the SDK's default chain as real ones would be.
      AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
      AWS_REGION: emulator.regions[0] ?? "eu-west-1",
      NEXTAUTH_URL: `http://127.0.0.1:${appPort}`,
    }),
  });

  console.log(
    [
      "",
      `  Keyport demo   http://127.0.0.1:${appPort}   (sign in as any demo person)`,
      `  KMS emulator   ${emulator.endpoint}   accounts: ${targets.map((t) => `${t.name} (${t.accountId})`).join(", ")}`,
      `  Data           ${dataDir}   (delete it to start over)`,
      "  Stop with Ctrl+C.",
      "",
    ].join("\n"),
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    app.kill("SIGTERM");
    await emulator.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  app.on("exit", (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
