/** How `npm run bench:pages` measures one page, waits for the inventory, and reads the app's memory. */
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";

const WARMUPS = 1;
const SAMPLES = 12;

export type PageFigures = { serverMsP50: number; htmlKib: number; jsKibGz: number };

async function get(url: string, cookie: string): Promise<{ ms: number; body: string; status: number }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  const body = await response.text();
  return { ms: performance.now() - started, body, status: response.status };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The scripts a current browser loads for this HTML: `<script src>` without `nomodule`, each once. */
export function scriptSources(html: string): string[] {
  const sources = new Set<string>();
  for (const tag of html.matchAll(/<script\b[^>]*>/gi)) {
    if (/\bnomodule\b/i.test(tag[0])) continue;
    const src = /\bsrc="([^"]+)"/i.exec(tag[0])?.[1];
    if (src) sources.add(src.replace(/&amp;/g, "&"));
  }
  return [...sources];
}

const gzippedScripts = new Map<string, number>();

async function scriptsGzBytes(base: string, html: string): Promise<number> {
  let total = 0;
  for (const src of scriptSources(html)) {
    let size = gzippedScripts.get(src);
    if (size === undefined) {
      const response = await fetch(new URL(src, base));
      if (!response.ok) throw new Error(`${src} answered ${response.status}`);
      size = gzipSync(Buffer.from(await response.arrayBuffer()), { level: 6 }).length;
      gzippedScripts.set(src, size);
    }
    total += size;
  }
  return total;
}

export async function measurePage(base: string, page: string, cookie: string): Promise<PageFigures> {
  const times: number[] = [];
  let html = "";
  for (let i = 0; i < WARMUPS + SAMPLES; i += 1) {
    const { ms, body, status } = await get(new URL(page, base).toString(), cookie);
    if (status !== 200) throw new Error(`${page} answered ${status}: is the person allowed to see it?`);
    if (i >= WARMUPS) times.push(ms);
    html = body;
  }
  const kib = (bytes: number) => Math.round(bytes / 1024);
  return { serverMsP50: Math.round(median(times)), htmlKib: kib(Buffer.byteLength(html)), jsKibGz: kib(await scriptsGzBytes(base, html)) };
}

/** The pages measured: the key list three ways, the pending and full import lists, approvals, audit, and a key. */
export async function pagesToMeasure(base: string, cookie: string): Promise<string[]> {
  const keys = await get(new URL("/keys", base).toString(), cookie);
  const keyPage = /href="(\/keys\/[a-z0-9-]+\/[a-z0-9-]+\/[0-9a-f-]{36})"/.exec(keys.body)?.[1];
  if (!keyPage) throw new Error("The key list links to no key page: did the inventory find any EXTERNAL key?");
  return ["/keys", "/keys?sort=validTo&dir=desc", "/keys?q=key-0012", "/imports", "/imports?view=all", "/approvals", "/schedules", "/audit", keyPage];
}

/** Waits until the first refresh of every Region has ended; returns how long that took from now. */
export async function waitForInventory(base: string, cookie: string, timeoutMs = 15 * 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { body, status } = await get(new URL("/api/inventory/status", base).toString(), cookie);
    if (status !== 200) throw new Error(`/api/inventory/status answered ${status}`);
    const dto = JSON.parse(body) as { running: boolean; regions: Array<{ status: string; region: string; targetId: string; errorMessage: string | null }> };
    const failed = dto.regions.find((r) => r.status === "failed");
    if (failed) throw new Error(`The refresh of ${failed.targetId} ${failed.region} failed: ${failed.errorMessage}`);
    if (!dto.running && dto.regions.every((r) => r.status === "succeeded")) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error("The inventory did not finish within the time allowed");
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Resident memory of a process and its descendants, in KiB, from /proc. */
export function processTreeRssKib(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const own = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  let children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    children = children.concat(readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number));
  }
  return own + children.reduce((sum, child) => sum + processTreeRssKib(child), 0);
}

/** The most resident memory the process has had (VmHWM), in KiB: what a container limit must allow for. */
export function peakRssKib(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
}

/**
 * Asks the app's V8 for a full garbage collection through its inspector (the app runs with --inspect on
 * loopback for the benchmark only), so that the RSS read next is what the app holds rather than what it has
 * not yet collected. Needs a global WebSocket: Node 22, or Node 20 with --experimental-websocket.
 */
export async function collectGarbage(log: readonly string[]): Promise<void> {
  const url = log.map((line) => /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
  if (!url) throw new Error("The app printed no inspector address: was it started with --inspect?");
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; error?: { message: string } };
      if (message.id !== 1) return;
      if (message.error) reject(new Error(`HeapProfiler.collectGarbage: ${message.error.message}`));
      else resolve();
    });
    socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" }));
  });
  socket.close();
}
