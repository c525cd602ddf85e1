import { NextResponse } from "next/server";
import { z } from "zod";
import { defineRoute } from "@/lib/auth";
import { importDeps, read } from "@/lib/imports";

export const dynamic = "force-dynamic";

const query = z.object({ request: z.uuid("must be an import request id").optional() });

/** GET /api/imports/stamp[?request=id]: polled by the request and approvals pages (components/ui/live-refresh). */
export const GET = defineRoute({ name: "importsStamp", permission: "imports.read", query }, async (_request, { query }) => {
  return NextResponse.json({ stamp: await read.changeStamp(await importDeps(), query.request) }, { headers: { "Cache-Control": "no-store" } });
});
