import "server-only";
import { unstable_rethrow } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import type { z } from "zod";
import { isKeyportError } from "@/lib/errors";
import { logInternalError } from "@/lib/errors/internal";
import { CROSS_ORIGIN_MESSAGE, crossOriginReason } from "@/lib/security/origin";
import { recordAccessDenied } from "./audit-seam";
import { ForbiddenError, UnauthenticatedError } from "./errors";
import { can, isPermission, type Permission } from "./permissions";
import { getSession } from "./session";
import type { Session } from "./session-token";

/**
 * The two doors into Keyport's server side, and the only ones: `defineAction` for server actions and
 * `defineRoute` for route handlers. Both read the session, check the declared permission against the one
 * table (permissions.ts), parse the input with zod, and only then call the handler. Each wrapped function
 * carries its declaration under `GUARD`, which is how the authorization test finds and exercises every one.
 */

export const GUARD: unique symbol = Symbol.for("keyport.guard");

export type GuardInfo =
  | { kind: "action"; name: string; permission: Permission }
  | { kind: "route"; name: string; permission: Permission }
  | { kind: "route"; name: string; public: string };

export type Guarded = { readonly [GUARD]: GuardInfo };

export function guardOf(value: unknown): GuardInfo | undefined {
  if (typeof value !== "function") return undefined;
  const info = (value as Partial<Guarded>)[GUARD];
  return info && typeof info === "object" ? info : undefined;
}

function attach<F extends (...args: never[]) => unknown>(fn: F, info: GuardInfo): F & Guarded {
  Object.defineProperty(fn, GUARD, { value: Object.freeze(info), enumerable: false });
  return fn as F & Guarded;
}

function assertPermission(permission: unknown, where: string): asserts permission is Permission {
  if (!isPermission(permission)) throw new Error(`${where} declares an unknown permission "${String(permission)}"; see lib/auth/permissions.ts`);
}

// --- What the guards observe -------------------------------------------------------------------------------

export type GuardOutcome = "cross_origin" | "unauthenticated" | "forbidden" | "invalid_input" | "not_found" | "entered";
export type GuardEvent = { kind: GuardInfo["kind"]; name: string; outcome: GuardOutcome };
type GuardListener = (event: GuardEvent) => void;
const listeners = new Set<GuardListener>();

/**
 * Subscribes to every decision a guard takes ("entered" means the handler is about to run). The
 * authorization test uses it to prove a refused call never reached its handler. Returns an unsubscribe.
 */
export function observeGuards(listener: GuardListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(event: GuardEvent) {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // An observer must never change what a guard does.
    }
  }
}

/** A signed-in person calling something their roles do not allow: worth an operator's attention, and the audit trail's. */
async function refuse(kind: GuardInfo["kind"], name: string, session: Session, permission: Permission) {
  emit({ kind, name, outcome: "forbidden" });
  await recordAccessDenied(session.user, { kind, name, permission });
}

const GENERIC_MESSAGE = (reference: string) =>
  `Something went wrong on the server. Try again; if it keeps happening, give your administrator this reference: ${reference}.`;

export type { ActionFailure, ActionResult, FieldErrors } from "./action-result";
import type { ActionResult, FieldErrors } from "./action-result";

/** zod issues keyed by dotted path ("" for the input as a whole), for forms to show beside their fields. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** A schema's message as the end of a sentence: not every schema's messages end with a full stop. */
function asSentence(message: string): string {
  const trimmed = message.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A query string as a plain object: a repeated name becomes an array, so a schema refuses it (see
 * lib/validation `one`) instead of one of the values being picked silently.
 */
export function searchParamsToObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/** A submitted form as a plain object: repeated names become arrays, files stay files. */
export function formDataToObject(form: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    if (key.startsWith("$ACTION")) continue; // Next's own fields for forms posted before hydration.
    const values = form.getAll(key);
    out[key] = values.length === 1 ? values[0] : values;
  }
  return out;
}

// --- Server actions --------------------------------------------------------------------------------------

export type ActionContext = { session: Session };

export type GuardedAction<I, T> = ((input: I | FormData) => Promise<ActionResult<T>>) & Guarded;

const unauthenticated = new UnauthenticatedError();
const forbidden = new ForbiddenError();

/**
 * Wraps a server action. Export the result from a `"use server"` module:
 *
 *   export const cancelImport = defineAction(
 *     { name: "cancelImport", permission: "imports.request", schema: cancelImportSchema },
 *     async (input, { session }) => { ... },
 *   );
 *
 * Order: session (none → `unauthenticated`), permission (→ `forbidden`), zod parse (→ `invalid_input` with
 * fieldErrors), handler. A KeyportError from the handler reaches the client with its code and message;
 * anything else is logged with a reference and reaches the client as a generic message with that reference.
 * redirect() and notFound() pass through to Next.
 */
export function defineAction<S extends z.ZodType, T>(
  spec: { name: string; permission: Permission; schema: S },
  handler: (input: z.output<S>, context: ActionContext) => Promise<T>,
): GuardedAction<z.input<S>, T> {
  assertPermission(spec.permission, `Action "${spec.name}"`);
  const { name, permission, schema } = spec;

  async function guardedAction(input: z.input<S> | FormData): Promise<ActionResult<T>> {
    try {
      const session = await getSession();
      if (!session) {
        emit({ kind: "action", name, outcome: "unauthenticated" });
        return { ok: false, code: unauthenticated.code, message: unauthenticated.message };
      }
      if (!can(session.user.roles, permission)) {
        await refuse("action", name, session, permission);
        return { ok: false, code: forbidden.code, message: forbidden.message };
      }
      const parsed = schema.safeParse(input instanceof FormData ? formDataToObject(input) : input);
      if (!parsed.success) {
        emit({ kind: "action", name, outcome: "invalid_input" });
        return { ok: false, code: "invalid_input", message: "Some of what was entered needs attention.", fieldErrors: fieldErrorsOf(parsed.error) };
      }
      emit({ kind: "action", name, outcome: "entered" });
      return { ok: true, data: await handler(parsed.data, { session }) };
    } catch (error) {
      unstable_rethrow(error);
      if (isKeyportError(error)) {
        return { ok: false, code: error.code, message: error.message, ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}) };
      }
      // Never the error itself: a driver's message carries the failed query's parameters (names, e-mail addresses).
      const reference = logInternalError("keyport", `in action "${name}"`, error);
      return { ok: false, code: "internal", message: GENERIC_MESSAGE(reference), reference };
    }
  }

  return attach(guardedAction, { kind: "action", name, permission });
}

// --- Route handlers --------------------------------------------------------------------------------------

type SegmentParams = Record<string, string | string[] | undefined>;
/** The second argument Next passes to a route handler. */
export type RouteHandlerContext<P extends SegmentParams = SegmentParams> = { params: Promise<P> };

export type RouteHandler<P extends SegmentParams = SegmentParams> = ((request: NextRequest, context: RouteHandlerContext<P>) => Promise<Response>) & Guarded;

type ProtectedRouteSpec<PS extends z.ZodType | undefined, QS extends z.ZodType | undefined> = {
  /** For logs only; the authorization test names routes by file and method. */
  name?: string;
  permission: Permission;
  /** Validates the dynamic segments; anything that does not parse is a 404. */
  params?: PS;
  /** Validates the query string; anything that does not parse is a 400 naming each problem, with fieldErrors. */
  query?: QS;
};

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

function json(body: Record<string, unknown>, status: number) {
  return NextResponse.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

function errorResponse(error: unknown, name: string): Response {
  unstable_rethrow(error);
  if (isKeyportError(error)) {
    return json({ code: error.code, message: error.message, ...(error.fieldErrors ? { fieldErrors: error.fieldErrors } : {}) }, error.status);
  }
  const reference = logInternalError("keyport", `in route "${name}"`, error);
  return json({ code: "internal", message: GENERIC_MESSAGE(reference), reference }, 500);
}

function crossOriginResponse(kind: GuardInfo["kind"], name: string, reason: string): Response {
  emit({ kind, name, outcome: "cross_origin" });
  console.warn(`[keyport] refused a cross-origin ${kind} "${name}" (${reason})`);
  return json(
    {
      code: "cross_origin",
      message: CROSS_ORIGIN_MESSAGE,
    },
    403,
  );
}

/**
 * Wraps a route handler: `export const GET = defineRoute({ permission: "audit.export", query }, handler)`.
 * Order: origin (403 for a state-changing request from another site, see crossOriginReason), session (401),
 * permission (403), params (404), query (400), handler. Permission comes before
 * parsing, so that a caller without the role learns nothing about valid input (not even which ids exist).
 * Known errors answer with their status; unknown ones 500 with a reference.
 */
export function defineRoute<PS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined>(
  spec: ProtectedRouteSpec<PS, QS>,
  handler: (request: NextRequest, context: { session: Session; params: Parsed<PS>; query: Parsed<QS> }) => Promise<Response>,
): RouteHandler;
/**
 * A route anyone may call, with the reason in the declaration (the authorization test keeps a list of the
 * routes allowed to be public, so making one public is a reviewed change).
 */
export function defineRoute<P extends SegmentParams = SegmentParams>(
  spec: { name?: string; public: string },
  handler: (request: NextRequest, context: { session: null; raw: RouteHandlerContext<P> }) => Promise<Response>,
): RouteHandler<P>;
export function defineRoute(
  spec: ProtectedRouteSpec<z.ZodType | undefined, z.ZodType | undefined> | { name?: string; public: string },
  handler: (request: NextRequest, context: never) => Promise<Response>,
): RouteHandler {
  const name = spec.name ?? "route";
  const call = handler as (request: NextRequest, context: Record<string, unknown>) => Promise<Response>;

  if ("public" in spec) {
    if (typeof spec.public !== "string" || spec.public.trim() === "") throw new Error(`Public route "${name}" must say why it is public`);
    const publicRoute = async (request: NextRequest, context: RouteHandlerContext) => {
      const foreign = crossOriginReason(request);
      if (foreign) return crossOriginResponse("route", name, foreign);
      try {
        return await call(request, { session: null, raw: context });
      } catch (error) {
        return errorResponse(error, name);
      }
    };
    return attach(publicRoute, { kind: "route", name, public: spec.public });
  }

  assertPermission(spec.permission, `Route "${name}"`);
  const { permission } = spec;

  const guardedRoute = async (request: NextRequest, context: RouteHandlerContext) => {
    const foreign = crossOriginReason(request);
    if (foreign) return crossOriginResponse("route", name, foreign);
    try {
      const session = await getSession();
      if (!session) {
        emit({ kind: "route", name, outcome: "unauthenticated" });
        return json({ code: unauthenticated.code, message: unauthenticated.message }, 401);
      }
      if (!can(session.user.roles, permission)) {
        await refuse("route", name, session, permission);
        return json({ code: forbidden.code, message: forbidden.message }, 403);
      }
      let params: unknown = undefined;
      if (spec.params) {
        const parsed = spec.params.safeParse(await context.params);
        if (!parsed.success) {
          emit({ kind: "route", name, outcome: "not_found" });
          return json({ code: "not_found", message: "There is nothing here, or it no longer exists." }, 404);
        }
        params = parsed.data;
      }
      let query: unknown = undefined;
      if (spec.query) {
        const parsed = spec.query.safeParse(searchParamsToObject(request.nextUrl.searchParams));
        if (!parsed.success) {
          emit({ kind: "route", name, outcome: "invalid_input" });
          // 400: the URL itself is malformed (422 is for a body that parses but cannot be processed).
          const fieldErrors = fieldErrorsOf(parsed.error);
          const summary = Object.entries(fieldErrors).map(([field, messages]) => `${field || "query"}: ${messages.map(asSentence).join(" ")}`);
          return json({ code: "invalid_input", message: `The request's parameters are not valid. ${summary.join(" ")}`, fieldErrors }, 400);
        }
        query = parsed.data;
      }
      emit({ kind: "route", name, outcome: "entered" });
      return await call(request, { session, params, query });
    } catch (error) {
      return errorResponse(error, name);
    }
  };
  return attach(guardedRoute, { kind: "route", name, permission });
}
