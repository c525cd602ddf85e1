import { newResult, type RunContext, type SuiteResult } from "../run";

/** Placeholder: being written. Fails the run so it cannot pass unnoticed. */
export async function hostileSuite(_context: RunContext): Promise<SuiteResult> {
  const result = newResult("hostile");
  result.cases = 1;
  result.anomalies.push("not written yet");
  return result;
}
