import { defineRoute } from "@/lib/auth";
import { actorOf, importDeps } from "@/lib/imports";
import { attachment, buildDownload } from "@/lib/imports/downloads";
import { downloadParamsSchema } from "@/lib/imports/schemas";

export const dynamic = "force-dynamic";

/**
 * GET a file of a request's current import parameters: WrappingPublicKey.bin (DER), WrappingPublicKey.pem,
 * ImportToken.bin, or ImportParameters.zip (all three and a README.txt). Audited. 410 Gone once the token
 * has expired or the request no longer hands out parameters. The token is opened only inside this handler,
 * goes into the body and is never logged.
 */
export const GET = defineRoute(
  { name: "downloadImportParameters", permission: "imports.download", params: downloadParamsSchema },
  async (_request, { session, params }) => {
    return attachment(await buildDownload(await importDeps(), actorOf(session), params.id, params.file));
  },
);
