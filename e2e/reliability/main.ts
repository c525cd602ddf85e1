/**
 * `npm run test:reliability`: Keyport probed from outside, against the built app (`npm run build` first).
 * Starts the emulator with its fault controls, an OpenID Connect provider and the app in production mode —
 * two instances on one fresh PostgreSQL database when DATABASE_URL is set, else one on PGlite — and runs the
 * suites in turn: faults, concurrency, hostile input, and the checks (headers, cookies, the client bundle,
 * secrets at rest). Ends with a table and `N passed, M failed`; exits non-zero when anything failed.
 */
import { existsSync } from "node:fs";
import { ActionClient, signIn, type Person } from "./client";
import { checksSuite } from "./suites/checks";
import { concurrencySuite } from "./suites/concurrency";
import { faultsSuite } from "./suites/faults";
import { hostileSuite } from "./suites/hostile";
import { printSummary } from "./report";
import { errorsSince, logMark, newResult, type RunContext, type SuiteResult } from "./run";
import { PEOPLE, startStack, type Username } from "./stack";

const SUITES: Record<string, (context: RunContext) => Promise<SuiteResult>> = {
  faults: faultsSuite,
  concurrency: concurrencySuite,
  hostile: hostileSuite,
  checks: checksSuite,
};

async function main(): Promise<number> {
  if (!existsSync(".next/BUILD_ID")) {
    console.error("No build found: run `npm run build` first (npm test does), then `npm run test:reliability`.");
    return 2;
  }
  // `--only hostile,checks` runs a subset (for working on one suite); CI runs them all.
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? "").split(",") : Object.keys(SUITES);
  const unknown = only.filter((name) => !SUITES[name]);
  if (unknown.length) {
    console.error(`Unknown suite ${unknown.join(", ")}; the suites are ${Object.keys(SUITES).join(", ")}.`);
    return 2;
  }

  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  const started = Date.now();
  const say = (message: string) => console.log(`[reliability +${Math.round((Date.now() - started) / 1000)}s] ${message}`);
  say(
    databaseUrl
      ? "DATABASE_URL is set: two app instances on one fresh PostgreSQL database."
      : "DATABASE_URL is not set: one app instance on PGlite, so nothing here runs across instances.",
  );
  const stack = await startStack({ databaseUrl });
  const results: SuiteResult[] = [];
  try {
    const actions = new ActionClient();
    const people = {} as Record<Username, Person>;
    for (const username of Object.keys(PEOPLE) as Username[]) {
      people[username] = await signIn(stack.apps[0]!.url, stack.idpIssuer, username);
    }
    say(`${stack.apps.length} instance(s) up; ${Object.keys(people).length} people signed in.`);
    const context: RunContext = { stack, actions, people, say };
    for (const name of only) {
      say(`suite: ${name}`);
      const mark = logMark(stack);
      let result: SuiteResult;
      try {
        result = await SUITES[name]!(context);
      } catch (error) {
        result = newResult(name);
        result.cases += 1;
        result.anomalies.push(`the suite stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      const logged = errorsSince(stack, mark);
      result.serverErrors += logged.length;
      for (const line of logged.slice(0, 20)) result.anomalies.push(`server log: ${line}`);
      results.push(result);
      say(`${name}: ${result.passed}/${result.cases} passed`);
    }
  } finally {
    await stack.close();
  }
  const failed = printSummary(results, { instances: stack.apps.length, database: stack.database.kind, seconds: Math.round((Date.now() - started) / 1000) });
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("The reliability run could not start or finish:", error);
    process.exit(1);
  },
);
