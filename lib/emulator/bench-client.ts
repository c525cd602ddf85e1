import { Agent, request } from "node:http";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "./sigv4";

/**
 * Load generator for bench.ts, run as a child process so its CPU is not the emulator's: DescribeKey with
 * `concurrency` calls in flight for `durationMs`.
 *  - mode "signed-http": every request signed with @smithy/signature-v4 and sent over keep-alive HTTP —
 *    a light client, so the figure shows what the emulator sustains;
 *  - mode "sdk": the real @aws-sdk/client-kms, whose own CPU cost per call dominates on a small machine.
 * Argument: JSON {mode, endpoint, accessKeyId, secretAccessKey, keyId, concurrency, durationMs}. Prints JSON.
 */

interface Job {
  mode: "signed-http" | "sdk";
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  keyId: string;
  concurrency: number;
  durationMs: number;
}

function signedHttpCaller(job: Job): () => Promise<void> {
  const url = new URL(job.endpoint);
  const port = Number(url.port);
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const signer = new SignatureV4({
    service: "kms",
    region: "eu-west-1",
    credentials: { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey },
    sha256: NodeSha256,
  });
  const body = JSON.stringify({ KeyId: job.keyId });
  return async () => {
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port,
      path: "/",
      query: {},
      headers: { host: url.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.DescribeKey" },
      body,
    });
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port, method: "POST", path: "/", headers: signed.headers, agent }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
  };
}

function sdkCaller(job: Job): () => Promise<void> {
  const client = new KMSClient({
    endpoint: job.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: job.accessKeyId, secretAccessKey: job.secretAccessKey },
    maxAttempts: 1,
  });
  return async () => {
    await client.send(new DescribeKeyCommand({ KeyId: job.keyId }));
  };
}

async function run(job: Job): Promise<void> {
  const call = job.mode === "sdk" ? sdkCaller(job) : signedHttpCaller(job);
  // Warm up connections and signing keys before measuring.
  await Promise.all(Array.from({ length: job.concurrency }, call));
  let completed = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + job.durationMs;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await call();
          completed += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  process.stdout.write(JSON.stringify({ completed, errors, elapsedMs: performance.now() - started }));
  process.exit(0);
}

run(JSON.parse(process.argv[2] ?? "{}") as Job).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
