import { z } from "zod";
import { defineRoute } from "@/lib/auth";
import { actorOf, importDeps } from "@/lib/imports";
import { sessionIdSchema } from "@/lib/imports/schemas";
import { buildSessionBundle } from "@/lib/imports/session-download";

export const dynamic = "force-dynamic";

/**
 * GET one zip with every Region's current import parameters of a multi-Region import session, a README and
 * wrap-all.sh. Each Region's download is authorized and audited as for a single request; the import tokens
 * are opened only inside this handler, go into the body and are never logged.
 */
export const GET = defineRoute(
  { name: "downloadSessionBundle", permission: "imports.download", params: z.object({ id: sessionIdSchema }) },
  async (_request, { session, params }) => {
    const file = await buildSessionBundle(await importDeps(), actorOf(session), params.id);
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: {
        "Content-Type": file.contentType,
        "Content-Disposition": `attachment; filename="${file.filename}"`,
        "Content-Length": String(file.body.length),
        "Cache-Control": "no-store",
        "X-Content-SHA256": file.sha256,
      },
    });
  },
);
