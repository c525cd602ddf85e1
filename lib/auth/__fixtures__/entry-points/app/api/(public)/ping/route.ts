import { defineRoute } from "@/lib/auth/guard";

// Declared public, but not on the test's list of routes allowed to be public.
export const GET = defineRoute({ public: "it is only a ping" }, async () => Response.json({ pong: true }));
