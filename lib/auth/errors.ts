import { KeyportError } from "@/lib/errors";
import type { Permission } from "./permissions";

/** No session, or one that has ended. Actions answer `unauthenticated`; routes 401. */
export class UnauthenticatedError extends KeyportError {
  constructor() {
    super("unauthenticated", "You are not signed in, or your session has ended. Sign in again to continue.", { status: 401 });
    this.name = "UnauthenticatedError";
  }
}

/** A session whose roles do not hold the permission. Actions answer `forbidden`; routes 403. */
export class ForbiddenError extends KeyportError {
  readonly permission: Permission | undefined;

  constructor(permission?: Permission) {
    super("forbidden", "Your role does not allow this. Ask a Keyport administrator if you think it should.", { status: 403 });
    this.name = "ForbiddenError";
    this.permission = permission;
  }
}
