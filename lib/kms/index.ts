import "server-only";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { KmsAccess } from "./clients";

export { KmsAccess, type KmsAccessOptions, type KmsTarget } from "./clients";
export { type Principal } from "./credentials";
export { isAwsFailure, KmsError, toKmsError, whatHappened, type KmsErrorCode } from "./errors";
export { sessionNameFor, SERVICE_SESSION_NAME } from "./session-name";

let access: KmsAccess | undefined;

/** The process-wide KMS access built from configuration (targets, endpoint). */
export function getKmsAccess(): KmsAccess {
  if (!access) {
    const config = getConfig();
    access = new KmsAccess({ targets: config.targets, endpoint: config.aws.endpoint, now: nowMs });
  }
  return access;
}
