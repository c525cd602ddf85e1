/**
 * `npm run bench:inventory`: how fast Keyport reads an estate of 10,000 keys (5% EXTERNAL, 2 accounts ×
 * 2 Regions) from the emulator with 20 ms added to every call, against the lower bound its concurrency
 * allows and against a naive sequential reader. Prints figures; asserts nothing (tests do that).
 *
 * The emulator runs in a child process, as it would beside the app, so the two do not share an event loop.
 * A developer tool: it reads DATABASE_URL through lib/db/testing like the tests do. Environment:
 * BENCH_PORT (the emulator's port, default 4690), BENCH_DRIVER (pglite or postgres: that driver alone, so
 * the RSS printed after its cold refresh is its own), BENCH_REFRESH_ONLY=1 (skip the throttled run, the
 * floors and the naive baseline), BENCH_CPU_PROFILE=<file> (a V8 CPU profile of the cold refresh, for
 * Chrome DevTools or speedscope).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { performance } from "node:perf_hooks";
import { Agent, request } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { DEFAULT_DESCRIBE_CONCURRENCY } from "@/lib/config";
import type { Driver } from "@/lib/db";
import { createTestDatabase, testDrivers } from "@/lib/db/testing";
import { adminClient, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY } from "@/lib/emulator";
import { SCALE_TARGETS, SEEDED_REGIONS } from "@/lib/emulator/seed";
import { NodeSha256 } from "@/lib/emulator/sigv4";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import { describeKey, listKeysPage } from "@/lib/kms/operations";
import { refreshAll, type RefreshDeps } from "./refresh";

const KEYS = Number(process.argv[2] ?? 10_000);
const EXTERNAL_PERCENT = 5;
const LATENCY_MS = 20;
const CONCURRENCY = Number(process.argv[3] ?? DEFAULT_DESCRIBE_CONCURRENCY);
const PORT = Number(process.env.BENCH_PORT ?? 4690);
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) throw new Error(`BENCH_PORT must be a TCP port number, not ${process.env.BENCH_PORT}`);
const DRIVERS = benchDrivers();
const REFRESH_ONLY = process.env.BENCH_REFRESH_ONLY === "1";
const endpoint = `http://127.0.0.1:${PORT}`;

const targets: KmsTarget[] = SCALE_TARGETS;

function startEmulatorProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "lib/emulator/cli.ts", "--port", String(PORT), "--seed", `scale:${KEYS}:${EXTERNAL_PERCENT}`, "--admin", "--wrapping-key-pool", "2048=0,3072=0,4096=0"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening on")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

function benchDrivers(): Driver[] {
  const chosen = process.env.BENCH_DRIVER?.trim();
  if (!chosen) return testDrivers();
  if (chosen !== "pglite" && chosen !== "postgres") throw new Error(`BENCH_DRIVER must be pglite or postgres, not ${chosen}`);
  if (chosen === "postgres" && !testDrivers().includes("postgres")) throw new Error("BENCH_DRIVER=postgres needs DATABASE_URL");
  return [chosen];
}

/** Counts the statements drizzle sends (BEGIN/COMMIT of transactions are not among them). */
const statements = { count: 0, logQuery: () => void statements.count++ };

/** Runs `work` under the V8 profiler when BENCH_CPU_PROFILE names a file to write the profile to. */
async function profiled<T>(work: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/** RSS and JS heap once garbage is collected: what the refresh retains, apart from what it left to collect. */
function afterGc(): string {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
  const { rss, heapUsed } = process.memoryUsage();
  return `rss_after_gc_mib=${Math.round(rss / 2 ** 20)} heap_used_after_gc_mib=${Math.round(heapUsed / 2 ** 20)}`;
}

const CLOCK_TICKS = 100; // USER_HZ: /proc counts CPU time in hundredths of a second

/** CPU milliseconds a process (and its children: tsx runs the emulator in one) has used, from /proc. */
function processCpuMs(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  const [utime, stime] = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ").slice(11, 13).map(Number);
  return (utime! + stime!) * (1000 / CLOCK_TICKS) + children.reduce((sum, child) => sum + processCpuMs(child), 0);
}

/** Wall time and the CPU this process and the emulator spent meanwhile: on a small machine the two share the cores. */
async function measured<T>(emulatorPid: number, work: () => Promise<T>): Promise<{ result: T; wallMs: number; appCpuMs: number; emulatorCpuMs: number }> {
  const emulator0 = processCpuMs(emulatorPid);
  const app0 = process.cpuUsage();
  const t = performance.now();
  const result = await work();
  const wallMs = performance.now() - t;
  const app = process.cpuUsage(app0);
  return { result, wallMs, appCpuMs: (app.user + app.system) / 1000, emulatorCpuMs: processCpuMs(emulatorPid) - emulator0 };
}

const cpuLine = (m: { wallMs: number; appCpuMs: number; emulatorCpuMs: number }) =>
  `CPU: Keyport ${seconds(m.appCpuMs)}, emulator ${seconds(m.emulatorCpuMs)} (${((m.appCpuMs + m.emulatorCpuMs) / m.wallMs).toFixed(2)} of ${availableParallelism()} cores busy)`;

/** DescribeKey as a bare signed POST: the floor without the SDK's middleware. */
async function signedDescribeKey(signer: SignatureV4, agent: Agent, keyId: string): Promise<void> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ KeyId: keyId });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    query: {},
    headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.DescribeKey" },
    body,
  });
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", headers: signed.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200 && (JSON.parse(text) as { KeyMetadata?: unknown }).KeyMetadata) resolve();
        else reject(new Error(`DescribeKey ${keyId}: HTTP ${res.statusCode} ${text}`));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const perRegionKeys = () => KEYS / (targets.length * SEEDED_REGIONS.length);

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const emulator = await startEmulatorProcess();
  const admin = adminClient(endpoint);
  try {
    await admin.setLatency(LATENCY_MS);
    const perRegion = perRegionKeys();
    const pages = Math.ceil(perRegion / 1000);
    // The bound: per Region, the ListKeys pages one after another plus the DescribeKey calls C at a time;
    // Regions run in parallel, so the slowest Region sets it. (AssumeRole and ListAliases overlap these.)
    const boundMs = (pages + Math.ceil(perRegion / CONCURRENCY)) * LATENCY_MS;

    console.log(`Inventory benchmark: ${KEYS.toLocaleString("en")} keys, ${EXTERNAL_PERCENT}% EXTERNAL, ${targets.length} accounts × ${SEEDED_REGIONS.length} Regions, ${LATENCY_MS} ms per call, DescribeKey concurrency ${CONCURRENCY} per Region`);

    for (const driver of DRIVERS) {
      const db = await createTestDatabase(driver, { logger: statements });
      const kms = new KmsAccess({ targets, endpoint, now: Date.now, baseCredentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY } });
      const deps: RefreshDeps = { db: db.database.db, kms, now: () => new Date(), instanceId: "bench", describeConcurrency: CONCURRENCY };
      try {
        await admin.reset();
        await admin.setLatency(LATENCY_MS);
        statements.count = 0;
        const coldRun = await measured(emulator.pid!, () => profiled(() => refreshAll(deps)));
        const coldStatements = statements.count;
        // After the refresh, before anything is freed: what the process grew to while holding the inventory.
        const memory = Object.entries(process.memoryUsage()).map(([name, bytes]) => `${name === "rss" ? "rss" : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_mib=${Math.round(bytes / 2 ** 20)}`);
        const cold = coldRun.result;
        const coldMs = coldRun.wallMs;
        const coldCalls = await admin.getCallCounts();
        const failedCold = cold.filter((o) => o.status !== "succeeded");

        await admin.reset();
        await admin.setLatency(LATENCY_MS);
        statements.count = 0;
        const warmRun = await measured(emulator.pid!, () => refreshAll(deps));
        const warmStatements = statements.count;
        const warm = warmRun.result;
        const warmMs = warmRun.wallMs;
        const warmCalls = await admin.getCallCounts();
        const external = warm.reduce((n, o) => n + (o.status === "succeeded" ? o.externalKeys : 0), 0);

        console.log(`\n[${driver}]`);
        console.log(`cold refresh: ${seconds(coldMs)} (${failedCold.length} failed Regions)`);
        console.log(`cold ${cpuLine(coldRun)}`);
        console.log(`cold calls: ${JSON.stringify(coldCalls)}`);
        console.log(`cold statements=${coldStatements} app_cpu_ms=${Math.round(coldRun.appCpuMs)} ${memory.join(" ")} ${afterGc()}`);
        console.log(`lower bound: ${seconds(boundMs)} (${pages} ListKeys pages + ${perRegion} DescribeKey ÷ ${CONCURRENCY}, × ${LATENCY_MS} ms)`);
        console.log(`ratio: ${(coldMs / boundMs).toFixed(2)}`);
        console.log(`warm refresh: ${seconds(warmMs)}`);
        console.log(`warm ${cpuLine(warmRun)}`);
        console.log(`warm calls: ${JSON.stringify(warmCalls)}`);
        console.log(`warm statements=${warmStatements} app_cpu_ms=${Math.round(warmRun.appCpuMs)}`);
        console.log(`warm DescribeKey calls: ${warmCalls.DescribeKey ?? 0} for ${external} EXTERNAL keys (non-EXTERNAL described: ${(warmCalls.DescribeKey ?? 0) - external})`);
      } finally {
        kms.destroy();
        await db.cleanup();
      }
    }

    if (REFRESH_ONLY) return;

    // Throttled at KMS's own quota (2,000 DescribeKey/s per account and Region): nothing may fail.
    {
      const db = await createTestDatabase("pglite");
      const kms = new KmsAccess({ targets, endpoint, now: Date.now, baseCredentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY } });
      try {
        await admin.reset();
        await admin.setLatency(LATENCY_MS);
        await admin.throttle("DescribeKey", 2000);
        const t = performance.now();
        const outcomes = await refreshAll({ db: db.database.db, kms, now: () => new Date(), instanceId: "bench-throttled", describeConcurrency: CONCURRENCY });
        const calls = await admin.getCallCounts();
        console.log(`\n[throttled at 2,000 DescribeKey/s per account and Region]`);
        console.log(`cold refresh: ${seconds(performance.now() - t)}; failed refreshes: ${outcomes.filter((o) => o.status !== "succeeded").length}; DescribeKey calls: ${calls.DescribeKey} for ${KEYS} keys`);
      } finally {
        kms.destroy();
        await db.cleanup();
        await admin.throttle("DescribeKey", null);
      }
    }

    // Floors: the same DescribeKey calls, CONCURRENCY per Region and the Regions in parallel, with nothing of Keyport
    // around them (no pool, no database). First through @aws-sdk/client-kms as Keyport sends them, then signed
    // with the SDK's own signer over keep-alive HTTP. On a machine whose cores the emulator shares, these show
    // how much of the cold refresh is the SDK's CPU per call rather than anything Keyport does.
    {
      const kms = new KmsAccess({ targets, endpoint, now: Date.now, baseCredentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY } });
      const agent = new Agent({ keepAlive: true });
      try {
        await admin.reset();
        await admin.setLatency(LATENCY_MS);
        const regions = await Promise.all(
          targets.flatMap((target) =>
            target.regions.map(async (region) => {
              const client = kms.kms(target.id, region, { kind: "service" });
              const keyIds: string[] = [];
              let marker: string | undefined;
              do {
                const page = await listKeysPage(client, marker);
                keyIds.push(...page.keys.map((key) => key.keyId));
                marker = page.nextMarker;
              } while (marker);
              const signer = new SignatureV4({ service: "kms", region, credentials: () => kms.roles.get(target, { kind: "service" }), sha256: NodeSha256 });
              return { client, keyIds, signedDescribe: (keyId: string) => signedDescribeKey(signer, agent, keyId) };
            }),
          ),
        );
        const floor = async (describe: (region: (typeof regions)[number], keyId: string) => Promise<unknown>) =>
          measured(emulator.pid!, () =>
            Promise.all(
              regions.map((region) => {
                let next = 0;
                return Promise.all(Array.from({ length: CONCURRENCY }, async () => {
                  while (next < region.keyIds.length) await describe(region, region.keyIds[next++]!);
                }));
              }),
            ),
          );
        const calls = regions.reduce((n, region) => n + region.keyIds.length, 0);
        const describeBoundMs = Math.ceil(perRegionKeys() / CONCURRENCY) * LATENCY_MS;
        const sdk = await floor((region, keyId) => describeKey(region.client, keyId));
        const signed = await floor((region, keyId) => region.signedDescribe(keyId));
        console.log(`\n[floors: ${calls.toLocaleString("en")} DescribeKey calls alone, ${CONCURRENCY} per Region; their share of the bound is ${seconds(describeBoundMs)}]`);
        console.log(`through @aws-sdk/client-kms: ${seconds(sdk.wallMs)} (${(sdk.wallMs / describeBoundMs).toFixed(2)} × bound); ${cpuLine(sdk)}`);
        console.log(`signed HTTP, no SDK:         ${seconds(signed.wallMs)} (${(signed.wallMs / describeBoundMs).toFixed(2)} × bound); ${cpuLine(signed)}`);
      } finally {
        agent.destroy();
        kms.destroy();
      }
    }

    // The naive reader: one Region after another, one DescribeKey after another. Measured on a sample and
    // scaled, since the whole run would take minutes.
    {
      const kms = new KmsAccess({ targets, endpoint, now: Date.now, baseCredentials: { accessKeyId: DEFAULT_ACCESS_KEY_ID, secretAccessKey: DEFAULT_SECRET_ACCESS_KEY } });
      try {
        await admin.reset();
        await admin.setLatency(LATENCY_MS);
        const client = kms.kms(targets[0]!.id, SEEDED_REGIONS[0]!, { kind: "service" });
        const sample = 200;
        const t = performance.now();
        const page = await listKeysPage(client, undefined, 1000);
        for (const key of page.keys.slice(0, sample)) await describeKey(client, key.keyId);
        const perKey = (performance.now() - t) / sample;
        console.log(`\n[naive sequential baseline] ${perKey.toFixed(1)} ms per key over ${sample} keys → ${seconds(perKey * KEYS)} for ${KEYS.toLocaleString("en")} keys (extrapolated)`);
      } finally {
        kms.destroy();
      }
    }
  } finally {
    emulator.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
