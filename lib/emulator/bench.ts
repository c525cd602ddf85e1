import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { CreateKeyCommand, GetParametersForImportCommand, KMSClient } from "@aws-sdk/client-kms";
import { startEmulator } from "./index";

/**
 * `npm run bench:emulator`: the two performance targets of the emulator.
 *  1. GetParametersForImport with RSA_4096 wrapping keys at 1 request/s (target p50 ≤ 50 ms), through the SDK.
 *  2. DescribeKey sustained throughput with concurrency (target ≥ 1,000 requests/s), measured from a child
 *     process signing every request with @smithy/signature-v4, so the client's CPU is not the emulator's;
 *     and, for comparison, the same through the full SDK (whose per-call CPU cost is the limit there).
 */

const GPFI_REQUESTS = 20;
const DESCRIBE_DURATION_MS = 5000;
const CLIENT_CONCURRENCY = 64;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function runClient(job: object): Promise<{ completed: number; errors: number; elapsedMs: number }> {
  const here = dirname(fileURLToPath(import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", join(here, "bench-client.ts"), JSON.stringify(job)], { cwd: join(here, "..", "..") }, (error, stdout, stderr) => {
      if (error) reject(new Error(`bench client failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout) as { completed: number; errors: number; elapsedMs: number });
    });
  });
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  // Enough RSA_4096 pairs ready for the burst, refilled in the background as they are used.
  const emulator = await startEmulator({ seed: "scale:2000", wrappingKeyPool: { RSA_2048: 0, RSA_3072: 0, RSA_4096: 10 }, poolConcurrency: 2 });
  console.log(`Emulator (seed scale:2000) on ${emulator.endpoint}, started in ${Math.round(performance.now() - startedAt)} ms`);
  const poolStarted = performance.now();
  await emulator.wrappingKeyPoolReady();
  console.log(`Wrapping-key pool: 10 RSA_4096 pairs generated in ${((performance.now() - poolStarted) / 1000).toFixed(1)} s (background, before measuring)`);

  const kms = new KMSClient({ endpoint: emulator.endpoint, region: "eu-west-1", credentials: emulator.credentials, maxAttempts: 1 });
  const key = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "benchmark" }));
  const keyArn = key.KeyMetadata?.Arn as string;

  // DescribeKey first, while the pool is full and idle, so key generation does not compete for CPU.
  for (const mode of ["signed-http", "sdk"] as const) {
    const job = { mode, endpoint: emulator.endpoint, ...emulator.credentials, keyId: keyArn, concurrency: CLIENT_CONCURRENCY, durationMs: DESCRIBE_DURATION_MS };
    const result = await runClient(job);
    const seconds = result.elapsedMs / 1000;
    console.log(
      `DescribeKey (${mode === "sdk" ? "@aws-sdk/client-kms client" : "SigV4-signing HTTP client"}): ${result.completed} requests in ${seconds.toFixed(2)} s = ` +
        `${Math.round(result.completed / seconds)} requests/s (${CLIENT_CONCURRENCY} in flight, ${result.errors} errors${mode === "sdk" ? "" : "; target ≥ 1000/s"})`,
    );
  }

  const latencies: number[] = [];
  for (let i = 0; i < GPFI_REQUESTS; i += 1) {
    const tick = performance.now();
    await kms.send(new GetParametersForImportCommand({ KeyId: keyArn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_4096" }));
    const elapsed = performance.now() - tick;
    latencies.push(elapsed);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - elapsed)));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `GetParametersForImport RSA_4096 at 1 request/s, ${GPFI_REQUESTS} requests: p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${(sorted[sorted.length - 1] as number).toFixed(1)} ms (target p50 ≤ 50 ms)`,
  );

  kms.destroy();
  await emulator.close();
  // Key-pair generations still running in the thread pool would otherwise keep the process alive.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
