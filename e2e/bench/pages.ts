/**
 * `npm run bench:pages`: how heavy and how fast Keyport's pages are over an estate's worth of keys.
 *
 * Starts the KMS emulator with the scale seed (40,000 keys, BENCH_EXTERNAL_KEYS of them EXTERNAL, default 2,000)
 * in its own process, fills a fresh database with BENCH_AUDIT_EVENTS audit events (default 100,000) and a schedule
 * for every account (seed-audit.ts), starts the built app (`npm run build` first) in production mode on it,
 * signs in an admin through next-auth's real OpenID Connect flow, waits for the first inventory refresh, then
 * requests each page 13 times (the first warms it) and prints, per page:
 *
 *   page <path> server_ms_p50=<n> html_kib=<n> js_kib_gz=<n>
 *
 * - server_ms_p50: the median time from sending the request to the last byte of the HTML, over loopback (so it
 *   is the server's time plus well under a millisecond of transfer);
 * - html_kib: the HTML as sent, uncompressed;
 * - js_kib_gz: every script the HTML makes a current browser load (not `nomodule` ones), gzipped at level 6.
 *
 * then `rss_mib=<n> rss_peak_mib=<n> rss_after_gc_mib=<n> driver=<pglite|postgres>`: the app's resident memory
 * after the inventory and the pages, as it stands (it moves by a hundred MiB with when V8 last collected), at its
 * highest (during the inventory), and after a full collection (what the app holds). The app runs with the
 * inspector on loopback so the benchmark can ask for that collection.
 * PGlite always; PostgreSQL as well when DATABASE_URL is set (a fresh database on its server, dropped after).
 * Prints figures, asserts nothing. Nothing else should run on the machine meanwhile.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY } from "@/lib/emulator";
import { SCALE_TARGETS } from "@/lib/emulator/seed";
import { startIdentityProvider } from "../oidc/identity-provider.mts";
import { signIn } from "../reliability/client";
import { AppInstance, CLIENT, createDatabase, PEOPLE, productionEnv } from "../reliability/stack";
import { collectGarbage, measurePage, pagesToMeasure, peakRssKib, processTreeRssKib, waitForInventory } from "./measure";

const ESTATE_KEYS = Number(process.env.BENCH_ESTATE_KEYS ?? 40_000);
const EXTERNAL_KEYS = Number(process.env.BENCH_EXTERNAL_KEYS ?? 2_000);
const AUDIT_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000);
const BASE_PORT = Number(process.env.BENCH_PORT ?? 3300);
const emulatorPort = BASE_PORT + 90;
const idpPort = BASE_PORT + 99;
const inspectorPort = BASE_PORT + 98;
const tsx = path.join(process.cwd(), "node_modules/tsx/dist/cli.mjs");

const TARGETS = SCALE_TARGETS;

function startEmulatorProcess(): Promise<ChildProcess> {
  const percent = (EXTERNAL_KEYS / ESTATE_KEYS) * 100;
  const args = [tsx, "lib/emulator/cli.ts", "--port", String(emulatorPort), "--seed", `scale:${ESTATE_KEYS}:${percent}`, "--wrapping-key-pool", "2048=0,3072=0,4096=2"];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

function seedAudit(where: string): Promise<void> {
  const child = spawn(process.execPath, [tsx, "--conditions=react-server", "e2e/bench/seed-audit.ts", String(AUDIT_EVENTS), where], { stdio: "inherit" });
  return new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seeding the audit trail exited with ${code}`)))));
}

async function benchDriver(driver: "pglite" | "postgres", databaseUrl: string | undefined): Promise<void> {
  const runDir = mkdtempSync(path.join(tmpdir(), "keyport-bench-pages-"));
  const database = driver === "postgres" ? await createDatabase(databaseUrl!) : undefined;
  const port = BASE_PORT;
  const idpIssuer = `http://127.0.0.1:${idpPort}`;
  const idp = await startIdentityProvider({
    issuer: idpIssuer,
    port: idpPort,
    client: { ...CLIENT, redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/oidc`], postLogoutRedirectUris: [`http://127.0.0.1:${port}/signin?signedOut=1`] },
    people: PEOPLE,
  });
  const app = new AppInstance("bench", port, {
    ...productionEnv({
      port,
      idpIssuer,
      targets: TARGETS,
      emulatorEndpoint: `http://127.0.0.1:${emulatorPort}`,
      dataDir: runDir,
      databaseUrl: database?.url,
      credentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY },
    }),
    // One refresh at start (the one waited for), none during the measurements.
    KEYPORT_INVENTORY_INTERVAL_MINUTES: "1440",
    NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort}`,
  });
  try {
    await seedAudit(database ? database.url : path.join(runDir, "pglite"));
    await app.start();
    const person = await signIn(app.url, idpIssuer, "adm");
    const inventoryMs = await waitForInventory(app.url, person.cookie);
    console.log(`inventory of ${ESTATE_KEYS} keys (${EXTERNAL_KEYS} EXTERNAL) refreshed in ${(inventoryMs / 1000).toFixed(1)} s`);
    for (const page of await pagesToMeasure(app.url, person.cookie)) {
      const m = await measurePage(app.url, page, person.cookie);
      console.log(`page ${page} server_ms_p50=${m.serverMsP50} html_kib=${m.htmlKib} js_kib_gz=${m.jsKibGz}`);
    }
    const rssMib = Math.round(processTreeRssKib(app.pid) / 1024);
    await collectGarbage(app.log);
    const afterGcMib = Math.round(processTreeRssKib(app.pid) / 1024);
    console.log(`rss_mib=${rssMib} rss_peak_mib=${Math.round(peakRssKib(app.pid) / 1024)} rss_after_gc_mib=${afterGcMib} driver=${driver}`);
  } finally {
    await app.stop("SIGTERM");
    await idp.close();
    await database?.drop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  console.log(`bench:pages — ${ESTATE_KEYS} keys, ${EXTERNAL_KEYS} EXTERNAL, ${AUDIT_EVENTS} audit events; node ${process.version}`);
  const emulator = await startEmulatorProcess();
  try {
    for (const driver of databaseUrl ? (["pglite", "postgres"] as const) : (["pglite"] as const)) await benchDriver(driver, databaseUrl);
  } finally {
    emulator.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
