/**
 * What a refused hostile input must look like. An action answers 4xx, or 200 with `{ok:false, code}` where
 * the code is not "internal" and the message is a sentence a person can act on; a route or page answers 4xx
 * (or, where a refusal is a redirect by design, a 3xx to the named place; or, for the few inputs a page is
 * built to shrug off, the page itself). Never a 5xx. Every answer carries the headers next.config.js sets
 * for every path, and every HTML answer the Content-Security-Policy proxy.ts adds.
 */
import type { Answer } from "./hostile-http";

export type Kind = "action" | "route" | "page";

export type Expect = {
  /** Actions: the result's code must be one of these. Routes: the JSON body's code. */
  codes?: string[];
  /** The status must be one of these. */
  statuses?: number[];
  /** A 3xx whose Location matches. */
  redirect?: RegExp;
  /** The answer is served by design (a page that ignores a bad filter, the health probe): says what is wrong, or null. */
  served?: (answer: Answer) => string | null;
  /** Why the usual headers cannot be there (answered by Node's HTTP parser before the app), if so. */
  noAppHeaders?: string;
};

/** Headers next.config.js gives every answer. */
const STATIC_HEADERS: Record<string, RegExp> = {
  "x-content-type-options": /^nosniff$/,
  "x-frame-options": /^DENY$/,
  "referrer-policy": /^no-referrer$/,
};

/** The problems with a message meant for a person, or null when it reads as a sentence. */
export function sentenceProblem(message: unknown): string | null {
  if (typeof message !== "string") return `no message (got ${typeof message})`;
  const m = message.trim();
  if (m.length < 15) return `message too short to help: "${m}"`;
  if (!/^[A-Z"'(]/.test(m)) return `message does not start as a sentence: "${m.slice(0, 60)}"`;
  if (!/[.!?)"]$/.test(m)) return `message does not end as a sentence: "${m.slice(-60)}"`;
  if (/\bat \S+:\d+:\d+|\b(Type|Reference|Range|Syntax)Error\b|\[object |undefined|\bNaN\b|stack|ECONN|SQLSTATE|digest/i.test(m)) {
    return `message leaks internals: "${m.slice(0, 120)}"`;
  }
  return null;
}

function headerProblems(kind: Kind, answer: Answer, expect: Expect): string[] {
  if (expect.noAppHeaders) return [];
  const problems: string[] = [];
  for (const [name, pattern] of Object.entries(STATIC_HEADERS)) {
    const value = answer.headers[name];
    if (typeof value !== "string" || !pattern.test(value)) problems.push(`header ${name} is ${value === undefined ? "missing" : `"${String(value)}"`}`);
  }
  // A document is what a CSP protects: every HTML answer (a page, its 404, an error page) must carry one.
  const html = (answer.headers["content-type"] ?? "").includes("text/html");
  if (html && !answer.headers["content-security-policy"]) problems.push(`no Content-Security-Policy on a ${kind}'s HTML answer`);
  return problems;
}

function codeOf(answer: Answer): { code?: unknown; message?: unknown } | undefined {
  const value = answer.result ?? answer.json;
  return value && typeof value === "object" ? (value as { code?: unknown; message?: unknown }) : undefined;
}

/** Everything wrong with `answer` as the refusal of a hostile input; empty when it is one. */
export function refusalProblems(kind: Kind, answer: Answer, expect: Expect = {}): string[] {
  const problems: string[] = [];
  const status = answer.status;
  if (status >= 500) problems.push(`answered ${status}`);
  problems.push(...headerProblems(kind, answer, expect));
  if (status >= 500) return problems;

  if (expect.statuses && !expect.statuses.includes(status)) problems.push(`status ${status}, expected ${expect.statuses.join(" or ")}`);

  if (expect.redirect) {
    const location = String(answer.headers.location ?? "");
    if (status < 300 || status >= 400 || !expect.redirect.test(location)) problems.push(`expected a redirect to ${expect.redirect}, got ${status} ${location}`);
    return problems;
  }
  if (expect.served) {
    const problem = expect.served(answer);
    if (problem) problems.push(problem);
    return problems;
  }

  const body = codeOf(answer);
  if (kind === "action" && status === 200) {
    const result = answer.result as { ok?: unknown } | undefined;
    if (!result || result.ok !== false) {
      problems.push(`the action was not refused: ${status} ${JSON.stringify(answer.result ?? answer.text.slice(0, 160)).slice(0, 200)}`);
      return problems;
    }
  } else if (status < 400 || status >= 500) {
    problems.push(`status ${status}, expected a 4xx refusal${answer.headers.location ? ` (location ${String(answer.headers.location)})` : ""}`);
    return problems;
  }

  // A structured refusal (an action result or a route's JSON) names its code and says what to do.
  if (body && "code" in body) {
    if (body.code === "internal") problems.push(`code "internal": ${String(body.message).slice(0, 120)}`);
    if (expect.codes && !expect.codes.includes(String(body.code))) problems.push(`code "${String(body.code)}", expected ${expect.codes.join(" or ")}`);
    const sentence = sentenceProblem(body.message);
    if (sentence) problems.push(sentence);
  } else if (expect.codes) {
    problems.push(`no code in the answer (expected ${expect.codes.join(" or ")}): ${status} ${answer.text.slice(0, 120)}`);
  }
  return problems;
}

/** For pages that shrug off a bad query: a 200 page with its CSP, and nothing of `marker` echoed unescaped. */
export function pageServed(marker?: string): (answer: Answer) => string | null {
  return (answer) => {
    if (answer.status !== 200) return `status ${answer.status}, expected the page (200)`;
    if (!(answer.headers["content-type"] ?? "").includes("text/html")) return `not a page: ${String(answer.headers["content-type"])}`;
    if (marker && answer.text.includes(marker)) return `the page echoes "${marker}" unescaped`;
    return null;
  };
}
