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

/**
 * A full collection in `app`, through its inspector. Node 20 has WebSocket only behind a flag, so a short
 * child process speaks the inspector's protocol.
 */
async function collectGarbage(app: AppInstance): Promise<void> {
  const script = `
    const list = await (await fetch("http://127.0.0.1:${inspectorPort(app)}/json/list")).json();
    const ws = new WebSocket(list[0].webSocketDebuggerUrl);
    await new Promise((ok, no) => { ws.onopen = ok; ws.onerror = () => no(new Error("no inspector")); });
    for (const id of [1, 2]) {
      ws.send(JSON.stringify({ id, method: "HeapProfiler.collectGarbage" }));
      await new Promise((ok) => { ws.onmessage = (m) => { if (JSON.parse(m.data).id === id) ok(); }; });
    }
    ws.close();`;
  const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`could not collect garbage in ${app.name} through its inspector: ${stderr.slice(0, 300)}`);
}

/** An instance's RSS in kB right after a full collection. */
export async function collectedRssKb(app: AppInstance): Promise<number> {
  await collectGarbage(app);
  await sleep(1000);
  return app.rssKb();
}
