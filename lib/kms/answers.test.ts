import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KmsAccess } from "./clients";
import { KmsError } from "./errors";
import { getParametersForImport, importKeyMaterial } from "./operations";

/**
 * What Keyport says when the endpoint answers with something that is not an AWS answer: the real SDK client
 * (KmsAccess, its default retry settings) against a tiny HTTP server that answers STS's AssumeRole properly
 * and KMS calls with whatever the test sets — an HTML 500 as moto sends for an operation it lacks, a 501, a
 * page with HTTP 200, a gateway's 503.
 */

type Answer = { status: number; contentType: string; body: string };

let server: Server;
let endpoint: string;
let host: string;
let answer: Answer;
let kmsCalls: number;
/** When set, STS answers AssumeRole with this instead of credentials. */
let stsAnswer: Answer | null = null;
let stsCalls = 0;
const accesses: KmsAccess[] = [];

function assumeRoleXml(): string {
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>ASIATESTTESTTEST</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/R/keyport-inventory</Arn>
<AssumedRoleId>AROATEST:keyport-inventory</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>
<ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

function isKms(request: IncomingMessage): boolean {
  return String(request.headers["x-amz-target"] ?? "").startsWith("TrentService.");
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (!isKms(request)) {
        stsCalls++;
        if (stsAnswer) response.writeHead(stsAnswer.status, { "content-type": stsAnswer.contentType }).end(stsAnswer.body);
        else response.writeHead(200, { "content-type": "text/xml" }).end(assumeRoleXml());
        return;
      }
      kmsCalls++;
      response.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;
  host = `127.0.0.1:${port}`;
});

afterEach(() => {
  for (const access of accesses.splice(0)) access.destroy();
  stsAnswer = null;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A call through KmsAccess as configured in production: no maxAttempts given, so the SDK's six apply. */
async function callWith(next: Answer, call: "GetParametersForImport" | "ImportKeyMaterial" = "GetParametersForImport"): Promise<KmsError> {
  answer = next;
  kmsCalls = 0;
  const access = new KmsAccess({
    targets: [{ id: "t", name: "Test", accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/R", regions: ["eu-west-1"] }],
    endpoint,
    now: Date.now,
    baseCredentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" },
  });
  accesses.push(access);
  const client = access.kms("t", "eu-west-1", { kind: "service" });
  const keyArn = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const result =
    call === "GetParametersForImport"
      ? getParametersForImport(client, { keyArn, wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" })
      : importKeyMaterial(client, { keyArn, importToken: Buffer.alloc(16), encryptedKeyMaterial: Buffer.alloc(256), expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });
  const error = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  return error as KmsError;
}

const HTML = "text/html; charset=utf-8";

describe("answers that are not AWS answers", () => {
  it("an HTML 500 (moto's 'not implemented'): names the status, the operation and the endpoint, and is sent once", async () => {
    const e = await callWith({ status: 500, contentType: HTML, body: "<!DOCTYPE html><html><body><h1>Not yet implemented</h1></body></html>" });
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toContain(`The endpoint at ${host} answered GetParametersForImport with HTTP 500 and a text/html body that is not an AWS answer`);
    expect(e.message).toContain("may not support GetParametersForImport");
    expect(e.message).toMatch(/Trying again will not help/);
    expect(e.message).not.toMatch(/Nothing was changed|try again in|does not recognise/i);
    expect(e.details).toMatchObject({ retryable: false, httpStatus: 500, operation: "GetParametersForImport" });
    expect(kmsCalls).toBe(1);
  });

  it("an HTML 501: the endpoint may not support the operation, sent once", async () => {
    const e = await callWith({ status: 501, contentType: HTML, body: "<html>Not Implemented</html>" });
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toContain("with HTTP 501");
    expect(e.message).toContain("may not support GetParametersForImport");
    expect(kmsCalls).toBe(1);
  });

  it("a JSON 501 as LocalStack sends for an operation it lacks: the same, sent once", async () => {
    const e = await callWith({
      status: 501,
      contentType: "application/x-amz-json-1.1",
      body: JSON.stringify({ __type: "InternalFailure", message: "API action 'GetParametersForImport' for service 'kms' not yet implemented" }),
    });
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toContain(`The endpoint at ${host} answered GetParametersForImport with HTTP 501 (InternalFailure)`);
    expect(kmsCalls).toBe(1);
  });

  it("a page with HTTP 200 to ImportKeyMaterial: it is not known whether the import took effect, and it is not retried", async () => {
    const e = await callWith({ status: 200, contentType: HTML, body: "<html>Welcome</html>" }, "ImportKeyMaterial");
    expect(e.code).toBe("unreadable_answer");
    expect(e.message).toContain("answered ImportKeyMaterial with HTTP 200");
    expect(e.message).toContain("it is not known whether ImportKeyMaterial took effect");
    expect(e.message).not.toMatch(/Nothing was changed/i);
    expect(e.details.retryable).toBe(false);
    expect(kmsCalls).toBe(1);
  });

  it("an HTML 400 from something in front of the endpoint: not retried", async () => {
    const e = await callWith({ status: 400, contentType: HTML, body: "<html>Bad Request</html>" });
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toContain("with HTTP 400");
    expect(kmsCalls).toBe(1);
  });

  it("a gateway's 503 page is worth the SDK's retries, and says how many there were", async () => {
    const e = await callWith({ status: 503, contentType: HTML, body: "<html>Service Unavailable</html>" });
    expect(e.code).toBe("unknown");
    expect(e.details.retryable).toBe(true);
    expect(kmsCalls).toBe(6);
    expect(e.message).toContain(`The endpoint at ${host} answered GetParametersForImport with HTTP 503 on each of 6 attempts`);
    expect(e.message).toMatch(/try again in a few minutes/);
  });

  it("a JSON error Keyport does not know, with a 4xx: named with its status, and no advice to retry", async () => {
    const e = await callWith({ status: 400, contentType: "application/x-amz-json-1.1", body: JSON.stringify({ __type: "SomethingNewException", message: "secret detail" }) });
    expect(e.code).toBe("unknown");
    expect(e.message).toContain("refused GetParametersForImport with HTTP 400");
    expect(e.message).toContain("SomethingNewException");
    expect(e.message).not.toContain("secret detail");
    expect(e.message).not.toMatch(/try again/i);
    expect(kmsCalls).toBe(1);
  });

  it("an HTML 500 from STS: names AssumeRole, and neither client retries it", async () => {
    stsAnswer = { status: 500, contentType: HTML, body: "<html>Not implemented</html>" };
    stsCalls = 0;
    const e = await callWith({ status: 200, contentType: "application/x-amz-json-1.1", body: "{}" });
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toContain(`The endpoint at ${host} answered AssumeRole with HTTP 500`);
    expect(stsCalls).toBe(1);
    expect(kmsCalls).toBe(0);
  });
});
