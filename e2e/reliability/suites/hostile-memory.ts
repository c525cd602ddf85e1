/**
 * Memory, measured so that two readings can be compared: each instance's RSS just after a full garbage
 * collection. V8 keeps garbage until it needs the room or the process has idled a while, so two plain readings
 * differ by tens of megabytes of garbage either way (one instance read 219 MB, then 145 MB 25 s later with
 * nothing running). The suite restarts each instance with its inspector on loopback, on a port of the run's own
 * range, asks it to collect through the inspector (HeapProfiler.collectGarbage) before each reading, and
 * restarts it without the inspector at the end.
 */
import { spawn } from "node:child_process";
import type { AppInstance, Stack } from "../stack";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The instance's inspector port: within the run's range, clear of the instances, the emulator and the IdP. */
const inspectorPort = (app: AppInstance) => app.port + 80;

/** Waits until no inventory refresh runs (each instance starts one when it boots), as `person` sees it. */
async function refreshesDone(app: AppInstance, cookie: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${app.url}/api/inventory/status`, { headers: { Cookie: cookie } });
    if (response.ok && !((await response.json()) as { running?: boolean }).running) return;
    await sleep(250);
  }
  throw new Error(`${app.name}'s start-up inventory refresh did not finish within 60 s`);
}

/** Restarts every instance with its inspector open (loopback), and waits for its start-up refresh. */
export async function openInspectors(stack: Stack, cookie: string): Promise<void> {
  for (const app of stack.apps) {
    await app.stop("SIGTERM");
    await app.start({ NODE_OPTIONS: `--inspect=127.0.0.1:${inspectorPort(app)}` });
    await refreshesDone(app, cookie);
  }
}

/** Restarts every instance as it was (no inspector), and waits for its start-up refresh. */
export async function closeInspectors(stack: Stack, cookie: string): Promise<void> {
  for (const app of stack.apps) {
    await app.stop("SIGTERM");
    await app.start({ NODE_OPTIONS: "" });
    await refreshesDone(app, cookie);
  }
}

/** What an instance holds just after a full collection: its RSS, and V8's own share of it. */
export interface MemoryReading {
  /** Resident set size, kB (/proc). */
  rssKb: number;
  /** V8's heap in use, kB: where Keyport's JavaScript objects live. */
  heapUsedKb: number;
  /** Memory outside V8's heap that JavaScript objects own, kB (Buffers, and PGlite's WebAssembly memory). */
  externalKb: number;
}

/**
 * A full collection in `app` through its inspector, then `process.memoryUsage()` read in the same process.
 * Node 20 has WebSocket only behind a flag, so a short child process speaks the inspector's protocol and
 * prints the figures.
 */
async function collectAndRead(app: AppInstance): Promise<Omit<MemoryReading, "rssKb">> {
  const script = `
    const list = await (await fetch("http://127.0.0.1:${inspectorPort(app)}/json/list")).json();
    const ws = new WebSocket(list[0].webSocketDebuggerUrl);
    await new Promise((ok, no) => { ws.onopen = ok; ws.onerror = () => no(new Error("no inspector")); });
    const call = (id, method, params) => new Promise((ok) => {
      ws.onmessage = (m) => { const answer = JSON.parse(m.data); if (answer.id === id) ok(answer.result); };
      ws.send(JSON.stringify({ id, method, params }));
    });
    await call(1, "HeapProfiler.collectGarbage");
    await call(2, "HeapProfiler.collectGarbage");
    const read = await call(3, "Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true });
    process.stdout.write(read.result.value);
    ws.close();`;
  const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`could not collect garbage in ${app.name} through its inspector: ${stderr.slice(0, 300)}`);
  const usage = JSON.parse(stdout) as { heapUsed: number; external: number };
  return { heapUsedKb: Math.round(usage.heapUsed / 1024), externalKb: Math.round(usage.external / 1024) };
}

/** An instance's memory right after a full collection. */
export async function collectedMemory(app: AppInstance): Promise<MemoryReading> {
  const heap = await collectAndRead(app);
  await sleep(1000);
  return { rssKb: app.rssKb(), ...heap };
}

/** An instance's RSS in kB right after a full collection. */
export async function collectedRssKb(app: AppInstance): Promise<number> {
  return (await collectedMemory(app)).rssKb;
}
