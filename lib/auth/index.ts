import "server-only";

/**
 * Sign-in, roles and authorization: Keyport's public face for them. Server code imports from here;
 * client components may import the pure modules (permissions, demo-people, paths) directly.
 */
export { getAuthOptions } from "./options";
export { getSession, replaceSessionReader, requirePermission, requireRole, requireSession, type SessionReader } from "./session";
export { requirePageSession } from "./pages";
export {
  GUARD,
  defineAction,
  defineRoute,
  guardOf,
  observeGuards,
  type ActionContext,
  type ActionFailure,
  type ActionResult,
  type GuardInfo,
  type GuardedAction,
  type RouteHandler,
} from "./guard";
export { ForbiddenError, UnauthenticatedError } from "./errors";
export { KeyportError } from "@/lib/errors";
export { PERMISSIONS, can, permissionsOf, rolesWith, type Permission } from "./permissions";
export type { Session, SessionUser } from "./session-token";
