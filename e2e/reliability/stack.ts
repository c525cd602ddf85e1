/**
 * What the reliability run starts: the KMS + STS emulator (demo seed, fault controls, state in a file so it
 * can be stopped and started again mid-run), a real OpenID Connect provider, and the built app in production
 * mode — two instances on one fresh PostgreSQL database when DATABASE_URL is set, else one on PGlite. Each app
 * instance is a child process whose output is kept, so a suite can look for unhandled errors in it, and
 * which a suite can kill and start again.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "@/lib/emulator";
import { startIdentityProvider, type IdpPerson } from "../oidc/identity-provider.mts";
import { DEMO_TARGETS } from "../servers";

const root = process.cwd();
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

const BASE_PORT = Number(process.env.KEYPORT_RELIABILITY_PORT ?? 3500);
/**
 * Throwaway settings of this run. The checks suite looks for them where they must never appear; the hostile
 * suite signs tokens with NEXTAUTH_SECRET (expired, aged) as an operator could.
 */
export const NEXTAUTH_SECRET = "reliability-run-secret-0123456789abcdefghijkl";
export const CLIENT_SECRET = "reliability-client-secret-not-for-real-use";
export const CLIENT = { clientId: "keyport-reliability", clientSecret: CLIENT_SECRET };
/** Throwaway, but recognisable: the bundle scan and the at-rest check look for these bytes. */
export const DATA_KEY = Buffer.from("keyport-reliability-data-key-32b");

/** Group → role, as an operator would set KEYPORT_ROLE_MAP. */
const ROLE_MAP = { custodians: "custodian", approvers: "approver", auditors: "auditor", admins: "admin" };

/** Everyone the run signs in: enough approvers for five at once, and people with each role. */
export const PEOPLE = {
  cora: { name: "Cora Custodian", email: "cora@reliability.test", groups: ["custodians"] },
  dale: { name: "Dale Custodian", email: "dale@reliability.test", groups: ["custodians"] },
  ...Object.fromEntries(
    ["ana", "ben", "cai", "dee", "eli"].map((u) => [u, { name: `${u[0]!.toUpperCase()}${u.slice(1)} Approver`, email: `${u}@reliability.test`, groups: ["approvers"] }]),
  ),
  aud: { name: "Audra Auditor", email: "audra@reliability.test", groups: ["auditors"] },
  adm: { name: "Adam Admin", email: "adam@reliability.test", groups: ["admins"] },
  nobody: { name: "Nora Noroles", email: "nora@reliability.test", groups: ["marketing"] },
} satisfies Record<string, IdpPerson>;
export type Username = keyof typeof PEOPLE | "ana" | "ben" | "cai" | "dee" | "eli";
export const APPROVERS = ["ana", "ben", "cai", "dee", "eli"] as const;

/** The demo's accounts whose role Keyport can assume (the third refuses every AssumeRole). */
export const TARGETS = DEMO_TARGETS.filter((t) => t.id !== "quarantined-sandbox");

export class AppInstance {
  private child: ChildProcess | undefined;
  /** Every line the instance wrote, across restarts. */
  readonly log: string[] = [];
  private env: Record<string, string>;

  constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.env = env;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** KEYPORT_DATA_DIR: PGlite's files live here when there is no DATABASE_URL. */
  get dataDir(): string {
    return this.env.KEYPORT_DATA_DIR ?? "";
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  /** Resident memory in kB, from /proc. */
  rssKb(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  }

  async start(overrides: Record<string, string> = {}): Promise<void> {
    this.env = { ...this.env, ...overrides };
    const child = spawn(process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(this.port)], {
      cwd: root,
      // Only what the instance needs: nothing from the runner's environment (a DATABASE_URL, AWS credentials).
      env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.log.push(line);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    await waitFor(`${this.url}/api/health`, 90_000, () => child.exitCode === null);
  }

  /** SIGKILL by default: the process gets no chance to finish what it was doing. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }
}

/**
 * One production-mode instance's environment: people sign in through the test identity provider at `idpIssuer`,
 * KMS and STS are the emulator's, and nothing comes from the runner's own environment. Callers add their own
 * settings (refresh interval, approvals) on top.
 */
export function productionEnv(o: {
  port: number;
  idpIssuer: string;
  targets: unknown;
  emulatorEndpoint: string;
  dataDir: string;
  databaseUrl: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Record<string, string> {
  return {
    KEYPORT_MODE: "production",
    NEXTAUTH_URL: `http://127.0.0.1:${o.port}`,
    NEXTAUTH_SECRET,
    KEYPORT_OIDC_ISSUER: o.idpIssuer,
    KEYPORT_OIDC_CLIENT_ID: CLIENT.clientId,
    KEYPORT_OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    KEYPORT_OIDC_SCOPES: "openid email profile groups",
    KEYPORT_ROLE_MAP: JSON.stringify(ROLE_MAP),
    KEYPORT_TARGETS: JSON.stringify(o.targets),
    KEYPORT_AWS_ENDPOINT: o.emulatorEndpoint,
    KEYPORT_DATA_KEY: DATA_KEY.toString("base64"),
    KEYPORT_DATA_DIR: o.dataDir,
    ...(o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {}),
    AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
    AWS_REGION: "eu-west-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

async function waitFor(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`The process behind ${url} exited while starting`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export type Stack = {
  database: { kind: "postgres"; url: string } | { kind: "pglite" };
  apps: AppInstance[];
  emulatorEndpoint: string;
  admin: AdminClient;
  idpIssuer: string;
  /** Stops the emulator (its state stays in its file) until `startEmulator`. */
  stopEmulator(): Promise<void>;
  startEmulator(): Promise<void>;
  close(): Promise<void>;
};

export async function createDatabase(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `keyport_reliability_${randomBytes(5).toString("hex")}`;
  const adminUrl = new URL(base);
  adminUrl.pathname = "/postgres";
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function startStack(options: { databaseUrl: string | undefined; approvalsRequired?: number }): Promise<Stack> {
  const runDir = mkdtempSync(path.join(tmpdir(), "keyport-reliability-"));
  const emulatorPort = BASE_PORT + 90;
  const idpPort = BASE_PORT + 99;
  const stateFile = path.join(runDir, "emulator.json");

  let emulator: RunningEmulator | undefined = await startEmulator({ port: emulatorPort, seed: "demo", admin: true, stateFile });
  const emulatorEndpoint = emulator.endpoint;

  const database = options.databaseUrl ? await createDatabase(options.databaseUrl) : undefined;
  const instanceCount = database ? 2 : 1;
  const ports = Array.from({ length: instanceCount }, (_, i) => BASE_PORT + i);
  const idpIssuer = `http://127.0.0.1:${idpPort}`;
  const idp = await startIdentityProvider({
    issuer: idpIssuer,
    port: idpPort,
    client: {
      ...CLIENT,
      redirectUris: ports.map((p) => `http://127.0.0.1:${p}/api/auth/callback/oidc`),
      postLogoutRedirectUris: ports.map((p) => `http://127.0.0.1:${p}/signin?signedOut=1`),
    },
    people: PEOPLE,
  });

  const apps = ports.map((port, i) => {
    const dataDir = path.join(runDir, `app-${i + 1}`);
    mkdirSync(dataDir, { recursive: true });
    return new AppInstance(`app-${i + 1}`, port, {
      ...productionEnv({ port, idpIssuer, targets: TARGETS, emulatorEndpoint, dataDir, databaseUrl: database?.url, credentials: emulator!.credentials }),
      KEYPORT_OIDC_NAME: "Reliability SSO",
      KEYPORT_INVENTORY_INTERVAL_MINUTES: "0",
      KEYPORT_APPROVALS_REQUIRED: String(options.approvalsRequired ?? 1),
      // The shortest allowed, so the faults suite sees a killed instance's import recovered within a minute.
      KEYPORT_INTERRUPTED_AFTER_SECONDS: "30",
    });
  });
  // One at a time: the first migrates the database, the second finds it migrated.
  for (const app of apps) await app.start();

  return {
    database: database ? { kind: "postgres", url: database.url } : { kind: "pglite" },
    apps,
    emulatorEndpoint,
    admin: adminClient(emulatorEndpoint),
    idpIssuer,
    async stopEmulator() {
      await emulator?.close();
      emulator = undefined;
    },
    async startEmulator() {
      if (emulator) return;
      emulator = await startEmulator({ port: emulatorPort, admin: true, stateFile });
    },
    async close() {
      for (const app of apps) await app.stop("SIGTERM");
      await emulator?.close();
      await idp.close();
      await database?.drop();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
