import type { SuiteResult } from "./run";

/**
 * The run's summary: one row per suite, the anomalies in full below it, then `N passed, M failed` (cases) as
 * the last line. A suite fails on any failed case, any server error, anything lost.
 * Returns the number of failed cases plus suites failed for server errors or losses.
 */
export function printSummary(results: SuiteResult[], run: { instances: number; database: string; seconds: number }): number {
  const header = ["suite", "cases", "passed", "anomalies", "server errors", "lost"];
  const rows = results.map((r) => [r.suite, r.cases, r.passed, r.anomalies.length, r.serverErrors, r.lost].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;

  console.log("");
  console.log(`Reliability run: ${run.instances} app instance(s) on ${run.database}, ${run.seconds} s`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    for (const note of r.notes) console.log(`  ${r.suite}: ${note}`);
  }
  const anomalous = results.filter((r) => r.anomalies.length > 0);
  if (anomalous.length) {
    console.log("\nAnomalies:");
    for (const r of anomalous) for (const a of r.anomalies) console.log(`  [${r.suite}] ${a}`);
  }

  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failedCases = results.reduce((n, r) => n + (r.cases - r.passed), 0);
  // Server errors and losses fail the run even when every case's own check held.
  const failedSuites = results.filter((r) => r.serverErrors > 0 || r.lost > 0).length;
  const failed = failedCases + failedSuites;
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed;
}
