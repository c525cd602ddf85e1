import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Workdir } from "./test-support";

/**
 * `npm run emulator` as a user runs it: start-up output, argument errors, graceful shutdown with --state,
 * and the README's "Rehearse an import offline" blocks (single- and multi-Region) run verbatim with the AWS CLI
 * and openssl.
 */

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, "cli.ts");
const REPO = join(__dirname, "..", "..");

let work: Workdir;

beforeAll(async () => {
  work = await Workdir.create();
});

afterAll(async () => {
  await work?.cleanup();
});

interface Started {
  child: ChildProcess;
  endpoint: string;
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts the CLI and resolves once it printed its endpoint. */
function startCli(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && output.includes("Ctrl+C stops it.")) {
        clearTimeout(timer);
        resolve({ child, endpoint: match[1] as string, output: () => output, exit });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}:\n${output}`));
    });
  });
}

describe("npm run emulator", () => {
  it("prints endpoint, credentials, accounts and roles, and saves state on SIGTERM", async () => {
    const stateFile = join(await work.sub("cli-state"), "state.json");
    const cli = await startCli(["--port", "0", "--seed", "demo", "--state", stateFile, "--admin", "--wrapping-key-pool", "2048=0,3072=0,4096=0"]);
    const output = cli.output();
    expect(output).toContain("AWS_ACCESS_KEY_ID=AKIAKEYPORTEMULATOR");
    expect(output).toContain("Base credentials (account 111111111111)");
    expect(output).toContain("arn:aws:iam::222222222222:role/KeyportImportRole  ExternalId=keyport-demo-external-id");
    expect(output).toContain("arn:aws:iam::333333333333:role/KeyportImportRole");
    expect(output).toMatch(/444444444444 .*refuses everyone/);
    expect(output).toContain("seeded: eu-west-1, us-east-1, eu-central-1");
    const status = await fetch(`${cli.endpoint}/__admin/status`);
    expect(status.status).toBe(200);

    cli.child.kill("SIGTERM");
    expect(await cli.exit).toBe(0);
    const saved = JSON.parse(await readFile(stateFile, "utf8")) as { seed: string; roles: unknown[] };
    expect(saved.seed).toBe("demo");
    expect(saved.roles).toHaveLength(3);
  });

  it("refuses bad arguments with the usage", async () => {
    const failure = await execFileAsync(process.execPath, ["--import", "tsx", CLI, "--seed", "bogus"], { cwd: REPO }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain("Unknown seed 'bogus'");
    expect(failure?.stderr).toContain("Usage: npm run emulator");
  });
});

/** The first ```bash block of a README section that contains `marker`. */
async function readmeScript(heading: string, marker: string): Promise<string | undefined> {
  const readme = await readFile(join(__dirname, "..", "..", "README.md"), "utf8");
  const start = readme.indexOf(heading);
  const section = readme.slice(start, readme.indexOf("\n## ", start + heading.length));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((block) => block.includes(marker));
}

async function hasAwsCli(): Promise<boolean> {
  try {
    await execFileAsync("aws", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

describe("README: Rehearse an import offline", () => {
  it("runs as written with the AWS CLI and openssl against --seed none", async ({ skip }) => {
    if (!(await hasAwsCli())) skip("the AWS CLI is not installed; the same flow runs through the SDK in import-matrix.test.ts");
    const script = await readmeScript("## Rehearse an import offline", "import-key-material");
    expect(script).toBeDefined();

    const dir = await work.sub("rehearsal");
    // No pre-generated pairs: the one RSA_4096 pair the script needs is generated on demand.
    const cli = await startCli(["--port", "0", "--seed", "none", "--wrapping-key-pool", "2048=0,3072=0,4096=0"]);
    try {
      const { stdout } = await execFileAsync("bash", ["-c", script as string], {
        cwd: dir,
        // HOME in the scratch directory keeps any ~/.aws configuration of the machine out of the run.
        env: { ...process.env, HOME: dir, E: cli.endpoint },
        timeout: 60_000,
      });
      // KeyState and ExpirationModel only: CLIs older than mid-2025 (Debian's awscli 2.9) print None for CurrentKeyMaterialId.
      expect(stdout).toMatch(/^Enabled\tKEY_MATERIAL_DOES_NOT_EXPIRE$/m);
      expect(stdout.trimEnd().endsWith("rehearsal")).toBe(true);
      const encrypted = await readFile(join(dir, "EncryptedKeyMaterial.bin"));
      expect(encrypted.length).toBe(512 + 40);
    } finally {
      cli.child.kill("SIGTERM");
      await cli.exit;
    }
  }, 90_000);
});

describe("README: Rehearse a multi-Region import offline", () => {
  it("imports the same material in two Regions and decrypts in one what the other encrypted", async ({ skip }) => {
    if (!(await hasAwsCli())) skip("the AWS CLI is not installed; the same flow runs through the SDK in multi-region-import.test.ts");
    const script = await readmeScript("## Rehearse a multi-Region import offline", "replicate-key");
    expect(script).toBeDefined();

    const dir = await work.sub("multi-region-rehearsal");
    const cli = await startCli(["--port", "0", "--seed", "none", "--wrapping-key-pool", "2048=0,3072=0,4096=0"]);
    try {
      const { stdout } = await execFileAsync("bash", ["-c", script as string], { cwd: dir, env: { ...process.env, HOME: dir, E: cli.endpoint }, timeout: 60_000 });
      // The replica answers Creating, then each Region's key is Enabled once its own import is in.
      expect(stdout).toMatch(/^Creating$/m);
      expect(stdout).toMatch(/^Enabled\tPRIMARY$/m);
      expect(stdout).toMatch(/^Enabled\tREPLICA$/m);
      expect(stdout.trimEnd().endsWith("multi-Region rehearsal")).toBe(true);
      // The same material, wrapped separately for each Region's own wrapping key.
      const [primary, replica] = await Promise.all(["eu-west-1", "us-east-1"].map((region) => readFile(join(dir, `EncryptedKeyMaterial-${region}.bin`))));
      expect(primary!.length).toBe(256);
      expect(primary!.equals(replica!)).toBe(false);
    } finally {
      cli.child.kill("SIGTERM");
      await cli.exit;
    }
  }, 90_000);
});
