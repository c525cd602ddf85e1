import "server-only";
import { zipSync } from "fflate";
import { openSecret, secretAad, sha256Hex, type DataKeys } from "@/lib/crypto";
import { parametersReadme } from "./commands";
import { isKeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "./compat";
import type { Actor, ImportDeps } from "./deps";
import type * as queries from "./queries";
import type { DownloadFile } from "./schemas";
import { parametersForDownload, publicKeyPem, recordDownload } from "./workflow";
import { zipStamp } from "./zip-stamp";

/**
 * The files of a request's current import parameters, as the AWS console names them, and a zip of all three
 * with a README.txt (SHA-256 of each file, the openssl and AWS CLI commands for this algorithm and key spec).
 * Every download is audited. The import token is opened here, put in the response body and dropped.
 */

export type Download = { body: Uint8Array; filename: string; contentType: string; sha256: string };

const CONTENT_TYPES: Record<DownloadFile, string> = {
  "WrappingPublicKey.bin": "application/octet-stream",
  "WrappingPublicKey.pem": "application/x-pem-file",
  "ImportToken.bin": "application/octet-stream",
  "ImportParameters.zip": "application/zip",
};

/** A download as its route answers it: an attachment, never cached, its SHA-256 in a header. */
export function attachment(file: Download): Response {
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
}

export async function buildDownload(deps: ImportDeps, actor: Actor, requestId: string, file: DownloadFile): Promise<Download> {
  const { request, parameters, importToken } = await parametersForDownload(deps, actor, requestId);
  const built = fileBytes(request, parameters, file, importToken);
  const sha256 = sha256Hex(built.body);
  await recordDownload(deps, actor, request, { file, sha256, size: built.body.length, parameterSetId: parameters.id });
  return { ...built, contentType: CONTENT_TYPES[file], sha256 };
}

/**
 * The SHA-256 of the PEM and of the zip exactly as the download route serves them, for the request page to
 * show beside the hashes of the .bin files. Both are deterministic (see `zipStamp`), so the hash a person
 * reads matches the file they save, on every download and every server. Not audited: nothing is handed out.
 */
export function servedDigests(
  request: queries.RequestRow,
  parameters: queries.ParameterSetRow,
  sealedToken: Buffer,
  dataKey: DataKeys,
): { pem: string; zip: string } {
  const token = () => openSecret(sealedToken, dataKey, secretAad("parameter_set.import_token", parameters.id));
  return {
    pem: sha256Hex(fileBytes(request, parameters, "WrappingPublicKey.pem", token).body),
    zip: sha256Hex(fileBytes(request, parameters, "ImportParameters.zip", token).body),
  };
}

function fileBytes(
  request: queries.RequestRow,
  parameters: queries.ParameterSetRow,
  file: DownloadFile,
  importToken: () => Buffer,
): { body: Uint8Array; filename: string } {
  if (file === "WrappingPublicKey.bin") return { body: parameters.publicKey, filename: file };
  if (file === "WrappingPublicKey.pem") return { body: Buffer.from(publicKeyPem(parameters.publicKey), "ascii"), filename: file };
  if (file === "ImportToken.bin") return { body: importToken(), filename: file };
  const token = importToken();
  const pem = Buffer.from(publicKeyPem(parameters.publicKey), "ascii");
  const files = [
    { name: "WrappingPublicKey.bin", bytes: parameters.publicKey },
    { name: "WrappingPublicKey.pem", bytes: pem },
    { name: "ImportToken.bin", bytes: token },
  ];
  const keySpec = request.keySpec;
  const readme = isKeySpec(keySpec)
    ? parametersReadme({
        requestId: request.id,
        keyArn: request.keyArn,
        accountId: request.keyArn.split(":")[4] ?? "",
        region: request.region,
        keySpec,
        wrappingAlgorithm: parameters.wrappingAlgorithm as WrappingAlgorithm,
        wrappingKeySpec: parameters.wrappingKeySpec as WrappingKeySpec,
        expirationModel: request.expirationModel,
        validTo: request.validTo,
        importType: request.importType,
        parametersValidTo: parameters.parametersValidTo,
        files: files.map((f) => ({ name: f.name, sha256: sha256Hex(f.bytes), size: f.bytes.length })),
      })
    : `Key spec ${keySpec} is not one Keyport knows how to wrap for.\n`;
  // Fixed modification time (the parameters' issue time) so the same parameters always zip the same way.
  const mtime = zipStamp(parameters.issuedAt);
  const body = zipSync(
    {
      "README.txt": [Buffer.from(readme, "utf8"), { mtime }],
      ...Object.fromEntries(files.map((f) => [f.name, [f.bytes, { mtime }] as const])),
    },
    { level: 6 },
  );
  token.fill(0);
  return { body, filename: `ImportParameters-${request.keyId}.zip` };
}
