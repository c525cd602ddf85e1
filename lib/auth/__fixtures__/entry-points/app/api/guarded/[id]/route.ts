import { defineRoute } from "@/lib/auth/guard";

export const dynamic = "force-dynamic";

export const GET = defineRoute({ permission: "audit.export" }, async () => new Response("the whole audit trail"));
export const DELETE = defineRoute({ permission: "config.read" }, async () => new Response(null, { status: 204 }));
