import type { Role } from "@/lib/config/schema";
import type { SessionUser } from "./session-token";

// What Keyport adds to next-auth's types: roles on the signed-in user (computed once, at sign-in), and the
// validated user on the session object (lib/auth/options.ts fills it in the session callback).
declare module "next-auth" {
  interface User {
    roles?: Role[];
  }
  interface Session {
    keyport?: SessionUser | null;
    signedInAt?: number;
    sessionId?: string;
  }
}
