import { NextResponse } from "next/server";
import { z } from "zod";
import { defineRoute } from "@/lib/auth";
import { importDeps, read } from "@/lib/imports";

export const dynamic = "force-dynamic";

const query = z
  .object({ request: z.uuid("must be an import request id").optional(), session: z.uuid("must be an import session id").optional() })
  .refine((q) => !(q.request && q.session), "Ask for a request or a session, not both.");

/**
 * GET /api/imports/stamp[?request=id | ?session=id]: polled by the request, session and approvals pages
 * (components/ui/live-refresh).
 */
export const GET = defineRoute({ name: "importsStamp", permission: "imports.read", query }, async (_request, { query }) => {
  const deps = await importDeps();
  const stamp = query.session ? await read.sessionStamp(deps, query.session) : await read.changeStamp(deps, query.request);
  return NextResponse.json({ stamp }, { headers: { "Cache-Control": "no-store" } });
});
