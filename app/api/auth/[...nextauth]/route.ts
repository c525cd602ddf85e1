import NextAuth from "next-auth/next";
import { defineRoute, getAuthOptions } from "@/lib/auth";

export const dynamic = "force-dynamic";

// Options are built on first request, not at import: `next build` loads this module without configuration.
const handler = defineRoute<{ nextauth: string[] }>(
  {
    name: "next-auth",
    public: "next-auth's own endpoints (sign-in, OIDC callback, CSRF, session, sign-out): how a session is obtained",
  },
  (request, { raw }) => NextAuth(request, raw, getAuthOptions()),
);

export { handler as GET, handler as POST };
