import { z } from "zod";
import { defineRoute } from "@/lib/auth";
import { actorOf, importDeps } from "@/lib/imports";
import { sessionIdSchema } from "@/lib/imports/schemas";
import { attachment } from "@/lib/imports/downloads";
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
    return attachment(await buildSessionBundle(await importDeps(), actorOf(session), params.id));
  },
);
