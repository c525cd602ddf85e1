/**
 * Server action bodies proxy.ts lets through to Next.js. Next decodes a body with React's reply decoder before
 * the action (and its guard) runs, and answers anything the decoder trips on — a body that is not JSON, a
 * reference to a part that is not there, a BigInt that is not a number, nesting deep enough to overflow the
 * stack — with a 500 and an error in the log. So a call must look like one Keyport's own pages make, or it is
 * refused here with a 400 first.
 *
 * Keyport's pages call every action with plain values: one object of strings, numbers and booleans, or (the
 * upload) a FormData or an object holding a File. React's `encodeReply` writes those as a JSON array of the
 * arguments — in a text body, or as part "0" of a multipart body whose other parts are the files and form
 * entries — where a string that starts with "$" is a tag. Only the tags those values produce are accepted:
 * "$$…" (a string that starts with "$"), "$undefined", "$NaN", "$Infinity", "$-Infinity", "$-0", "$D…" (a
 * Date), "$n…" (a BigInt), and in a multipart body "$K<n>" (a FormData, whose entries are parts "_<n>_…") and
 * "$B<n>" (a Blob: part "<n>" must be one). Everything else React can express (promises, maps, streams, typed
 * arrays, server references, rows shared between references) is refused; a page that starts sending one must
 * be added here.
 *
 * Pure and Edge-safe: no Node APIs (it runs in proxy.ts).
 */

/** More arguments than any Keyport action takes (they take one): a list of hundreds is no call of theirs. */
export const MAX_ACTION_ARGUMENTS = 8;
/** Deeper than any form's value; React's decoder recurses per level and overflows at a few thousand. */
export const MAX_ACTION_DEPTH = 32;
/** React refuses a longer BigInt with an error; this says so first. */
const MAX_BIGINT_DIGITS = 300;

const SCALAR_TAGS: ReadonlySet<string> = new Set(["$undefined", "$NaN", "$Infinity", "$-Infinity", "$-0"]);

type Parts = { isBlob(name: string): boolean };

/** Why a tagged string is not one Keyport's pages send, or null. */
function tagProblem(value: string, parts: Parts | null): string | null {
  if (value.startsWith("$$") || SCALAR_TAGS.has(value) || value.startsWith("$D")) return null;
  if (value.startsWith("$n")) {
    return new RegExp(`^\\$n-?\\d{1,${MAX_BIGINT_DIGITS}}$`).test(value) ? null : "a BigInt that is not a number of at most 300 digits";
  }
  const reference = /^\$([KB])([0-9a-f]{1,8})$/.exec(value);
  if (reference && parts) {
    const part = String(parseInt(reference[2]!, 16));
    if (reference[1] === "B") return parts.isBlob(part) ? null : `a reference to a file part ${part} that is not there`;
    return null; // a FormData: its entries are whatever parts carry its prefix, none at all being an empty form
  }
  return `a value React would decode as something no Keyport page sends (${JSON.stringify(value.slice(0, 12))})`;
}

/** Walks the decoded JSON of the arguments, without recursion, stopping at the first problem. */
function argumentsProblem(json: string, parts: Parts | null): string | null {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch {
    return "a body that is not JSON";
  }
  if (!Array.isArray(root)) return "a body that is not a list of arguments";
  if (root.length > MAX_ACTION_ARGUMENTS) return `${root.length} arguments`;
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value === "string") {
      if (value.startsWith("$")) {
        const problem = tagProblem(value, parts);
        if (problem) return problem;
      }
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_ACTION_DEPTH) return `values nested more than ${MAX_ACTION_DEPTH} levels deep`;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}

/**
 * Why the body of a server action call is not one Keyport's pages make, or null when it may go to Next.js:
 * `body` is the text of a text body, or the parts of a multipart one.
 */
export function actionBodyProblem(body: string | FormData): string | null {
  if (typeof body === "string") return argumentsProblem(body, null);
  const root = body.get("0");
  if (typeof root !== "string") return "a multipart body without its arguments (part 0)";
  return argumentsProblem(root, { isBlob: (name) => body.get(name) instanceof Blob });
}

/** Reads a server action call's body (a clone: Next reads the original) and says what is wrong with it, or null. */
export async function actionCallProblem(request: Request): Promise<string | null> {
  const type = request.headers.get("content-type") ?? "";
  try {
    return actionBodyProblem(type.startsWith("multipart/form-data") ? await request.clone().formData() : await request.clone().text());
  } catch {
    return "a multipart body that does not parse";
  }
}

/** The 400 for such a call: JSON like every other refusal of an action call, never cached. */
export function malformedActionCallResponse(csp: string): Response {
  return Response.json(
    {
      ok: false,
      code: "malformed_action_call",
      message: "Keyport could not read this request: it is not a call its own pages make. Reload the page and try again.",
    },
    { status: 400, headers: { "Cache-Control": "no-store", "Content-Security-Policy": csp } },
  );
}
