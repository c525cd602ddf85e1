"use server";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth";
import { actorOf, importDeps, workflow } from "@/lib/imports";
import { cancelRequestSchema, requestRefSchema, sessionRefSchema, uploadBlobSchema } from "@/lib/imports/schemas";

/** What a custodian does on a request's page: new parameters, the upload, cancelling; and verification. */

function revalidate() {
  // Requests show on the keys, imports, approvals and key pages: refresh them all.
  revalidatePath("/", "layout");
}

export const issueImportParameters = defineAction(
  { name: "issueImportParameters", permission: "imports.request", schema: requestRefSchema },
  async ({ requestId }, { session }) => {
    const issued = await workflow.issueParameters(await importDeps(), actorOf(session), requestId);
    revalidate();
    return { parametersValidTo: issued.parametersValidTo.toISOString() };
  },
);

export const uploadWrappedKeyMaterial = defineAction(
  { name: "uploadWrappedKeyMaterial", permission: "imports.request", schema: uploadBlobSchema },
  async ({ requestId, file }, { session }) => {
    const bytes = Buffer.from(await file.arrayBuffer());
    const stored = await workflow.uploadBlob(await importDeps(), actorOf(session), requestId, bytes);
    revalidate();
    return stored;
  },
);

export const cancelImportRequest = defineAction(
  { name: "cancelImportRequest", permission: "imports.request", schema: cancelRequestSchema },
  async ({ requestId, reason }, { session }) => {
    await workflow.cancelRequest(await importDeps(), actorOf(session), requestId, reason);
    revalidate();
    return { cancelled: true };
  },
);

export const verifyImportedKeyMaterial = defineAction(
  { name: "verifyImportedKeyMaterial", permission: "imports.verify", schema: requestRefSchema },
  async ({ requestId }, { session }) => {
    const result = await workflow.verifyImport(await importDeps(), actorOf(session), requestId);
    revalidate();
    return result;
  },
);

/** The cross-Region proof of a multi-Region session, again (after a Region was retried alone). */
export const verifyImportSession = defineAction(
  { name: "verifyImportSession", permission: "imports.verify", schema: sessionRefSchema },
  async ({ sessionId }, { session }) => {
    const result = await workflow.verifySessionMaterial(await importDeps(), actorOf(session), sessionId);
    revalidate();
    return { ok: result.ok, method: result.method };
  },
);
