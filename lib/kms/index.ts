import "server-only";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { KmsAccess } from "./clients";

export { KmsAccess, type KmsAccessOptions, type KmsTarget } from "./clients";
export { type Principal } from "./credentials";
export { isAwsFailure, isKmsError, KmsError, toKmsError, whatHappened, type KmsErrorCode } from "./errors";
export { sessionNameFor, SERVICE_SESSION_NAME } from "./session-name";

// On globalThis, not in a module variable: Next.js gives each server bundle (pages, actions, route handlers)
// its own copy of this module, and one KmsAccess per bundle would mean one client set and one AssumeRole
// credential cache per bundle — more STS calls, and a cache that an expired-session retry in one bundle
// cannot clear for the others.
const SLOT = Symbol.for("keyport.kmsAccess");
const state = globalThis as typeof globalThis & { [SLOT]?: KmsAccess };

/** The process-wide KMS access built from configuration (targets, endpoint). */
export function getKmsAccess(): KmsAccess {
  if (!state[SLOT]) {
    const config = getConfig();
    state[SLOT] = new KmsAccess({ targets: config.targets, endpoint: config.aws.endpoint, now: nowMs });
  }
  return state[SLOT];
}
