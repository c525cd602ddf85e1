/**
 * What every suite gets, and what it gives back. A suite is a function of a RunContext that returns a
 * SuiteResult; main.ts runs them in turn on one stack and prints the table.
 */
import type { ActionClient, Person } from "./client";
import type { Stack, Username } from "./stack";

export type RunContext = {
  stack: Stack;
  actions: ActionClient;
  /** Everyone in stack.PEOPLE, signed in once at the start (a session cookie is good on every instance). */
  people: Record<Username, Person>;
  /** A progress line on the run's output. */
  say(message: string): void;
};

export type SuiteResult = {
  suite: string;
  cases: number;
  /** Cases that ended as they must (survived a fault, held under concurrency, were refused cleanly). */
  passed: number;
  /** One line per case that did not: what was expected and what happened. */
  anomalies: string[];
  /** 5xx answers seen plus error lines the app instances logged while the suite ran. */
  serverErrors: number;
  /** Audit events or state changes that should exist and do not (or should not exist and do). */
  lost: number;
  /** Further figures for the summary (duplicate imports, memory), printed under the table. */
  notes: string[];
};

/** Lines an app instance writes only when something failed unexpectedly on the server. */
const SERVER_ERROR_LINE = /⨯|unhandled|uncaught|\binternal error \(ref|TypeError|ReferenceError|RangeError|SyntaxError|^\s+at /i;

export function isServerErrorLine(line: string): boolean {
  return SERVER_ERROR_LINE.test(line);
}

/** Marks where each instance's log stands now; `errorsSince` counts error lines written after the mark. */
export function logMark(stack: Stack): number[] {
  return stack.apps.map((app) => app.log.length);
}

export function errorsSince(stack: Stack, mark: number[]): string[] {
  return stack.apps.flatMap((app, i) => app.log.slice(mark[i] ?? 0).filter(isServerErrorLine).map((line) => `${app.name}: ${line}`));
}

/** A case: runs `check`, which throws to say what went wrong; counted into `result`. */
export async function runCase(result: SuiteResult, name: string, check: () => Promise<void>): Promise<void> {
  result.cases += 1;
  try {
    await check();
    result.passed += 1;
  } catch (error) {
    result.anomalies.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function newResult(suite: string): SuiteResult {
  return { suite, cases: 0, passed: 0, anomalies: [], serverErrors: 0, lost: 0, notes: [] };
}
