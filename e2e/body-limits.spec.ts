import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import { PRODUCTION_PORT } from "./servers";

/**
 * A stranger's large request bodies must be refused from their headers, before the server buffers them: ten
 * concurrent 10 MB posts made one instance grow by ~300 MB. Runs against the production-mode server, which no
 * other demo spec touches, so its memory moves only with what this test sends.
 */

const TEN_MB = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x61);

function serverPid(port: number): number {
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const match = /pid=(\d+)/.exec(out);
  if (!match) throw new Error(`No process listens on port ${port}: ${out}`);
  return Number(match[1]);
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`No VmRSS for ${pid}`);
  return Number(match[1]);
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; ms: number };

/** Posts `total` bytes (or streams them chunked when `chunked`), resolving on the server's answer. */
function postLarge(path: string, total: number, chunked = false, extra: Record<string, string> = {}): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port: PRODUCTION_PORT,
      path,
      method: "POST",
      headers: {
        "Next-Action": "7f".padEnd(42, "0"),
        "Content-Type": "text/plain;charset=UTF-8",
        ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(total) }),
        ...extra,
      },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, ms: Date.now() - started });
    });
    // The server closes the connection once it has refused: the rest of the upload then fails to write.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const pump = () => {
      while (sent < total && !req.destroyed) {
        const piece = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", pump);
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

test("ten concurrent 10 MB posts without a session are refused at once and do not grow the server", async () => {
  test.slow();
  const pid = serverPid(PRODUCTION_PORT);
  // Warm up the paths taken (proxy, sign-in page) so their first-use allocations are not counted.
  for (let i = 0; i < 3; i++) await postLarge("/keys", 2 * 1024 * 1024);
  await new Promise((r) => setTimeout(r, 1000));
  const before = rssKb(pid);

  const answers = await Promise.all([
    ...Array.from({ length: 8 }, () => postLarge("/keys", TEN_MB)),
    postLarge("/imports/x", TEN_MB, true),
    postLarge("/", TEN_MB, true),
  ]);
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssKb(pid);
  console.log(`server RSS before ${Math.round(before / 1024)} MB, after ${Math.round(after / 1024)} MB (${after - before} kB)`);

  // A prefetch header makes the proxy's matcher skip a request, but not one with a Next-Action header; behind
  // it, Next's own action limit would stop these bodies too.
  const bypass = await Promise.all(Array.from({ length: 3 }, () => postLarge("/keys", TEN_MB, false, { "Next-Router-Prefetch": "1" })));
  await new Promise((r) => setTimeout(r, 1000));
  const afterBypass = rssKb(pid);
  console.log(`with the prefetch header: after ${Math.round(afterBypass / 1024)} MB (${afterBypass - before} kB); statuses ${bypass.map((a) => a.status).join(",")}`);
  expect(afterBypass - before).toBeLessThan(8 * 1024);

  for (const answer of answers) {
    expect([411, 413]).toContain(answer.status);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.ms).toBeLessThan(5_000);
  }
  expect(after - before).toBeLessThan(8 * 1024);
});

test("a small signed-out action call is still answered by the server, not the size gate", async () => {
  const answer = await postLarge("/keys", 100);
  expect(answer.status).not.toBe(413);
  expect(answer.status).not.toBe(411);
});
