import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Config } from "@/lib/config";
import { endSessionUrl } from "./end-session";

/** Against discovery documents served over real HTTP on loopback, one issuer path per case. */

let server: Server;
let base: string;
const discoveryRequests: string[] = [];
const documents: Record<string, { status: number; body: unknown }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    discoveryRequests.push(req.url ?? "");
    const issuer = (req.url ?? "").replace("/.well-known/openid-configuration", "");
    const doc = documents[issuer] ?? { status: 404, body: {} };
    res.writeHead(doc.status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(doc.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function authFor(issuerPath: string): Config["auth"] {
  return {
    secret: "x".repeat(32),
    url: "https://keyport.example.com",
    oidc: { issuer: `${base}${issuerPath}`, clientId: "keyport", clientSecret: "s", scopes: "openid", groupsClaim: "groups", name: "Acme SSO" },
    roleMap: {},
    emailRoles: {},
    sessionMaxAgeSeconds: 28_800,
  };
}

const oidcToken = { provider: "oidc", idToken: "eyJhbGciOiJSUzI1NiJ9.e30.sig" };

describe("endSessionUrl", () => {
  it("sends a person who signed in through the provider to its end-session endpoint, and back to sign-in", async () => {
    documents["/acme"] = { status: 200, body: { issuer: `${base}/acme`, end_session_endpoint: `${base}/acme/session/end?ui=1` } };
    const url = new URL((await endSessionUrl(oidcToken, authFor("/acme")))!);
    expect(`${url.origin}${url.pathname}`).toBe(`${base}/acme/session/end`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ui: "1",
      id_token_hint: oidcToken.idToken,
      client_id: "keyport",
      post_logout_redirect_uri: "https://keyport.example.com/signin?signedOut=1",
    });
    // Discovery is read once per issuer, not at every sign-out.
    await endSessionUrl(oidcToken, authFor("/acme"));
    expect(discoveryRequests.filter((r) => r.startsWith("/acme/"))).toHaveLength(1);
  });

  it("is null when there is nothing to end at the provider", async () => {
    documents["/plain"] = { status: 200, body: { issuer: `${base}/plain` } };
    expect(await endSessionUrl(oidcToken, authFor("/plain"))).toBeNull(); // no end_session_endpoint
    expect(await endSessionUrl(null, authFor("/acme"))).toBeNull(); // no session
    expect(await endSessionUrl({ provider: "demo" }, authFor("/acme"))).toBeNull(); // a demo sign-in
    expect(await endSessionUrl({ provider: "oidc" }, authFor("/acme"))).toBeNull(); // a session from before ID tokens were kept
    expect(await endSessionUrl(oidcToken, { ...authFor("/acme"), url: undefined })).toBeNull(); // no public URL to come back to
  });

  it("finds the discovery document of an issuer written with a trailing slash (as Auth0 writes its issuers)", async () => {
    documents["/tenant"] = { status: 200, body: { issuer: `${base}/tenant/`, end_session_endpoint: `${base}/tenant/v2/logout` } };
    expect(await endSessionUrl(oidcToken, authFor("/tenant/"))).toMatch(new RegExp(`^${base}/tenant/v2/logout\\?`));
    expect(discoveryRequests).toContain("/tenant/.well-known/openid-configuration");
  });

  it("signs out of Keyport only when the provider's end_session_endpoint is not a URL", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    documents["/broken"] = { status: 200, body: { issuer: `${base}/broken`, end_session_endpoint: "not a url" } };
    expect(await endSessionUrl(oidcToken, authFor("/broken"))).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("is not a URL"));
    warn.mockRestore();
  });

  it("signs out of Keyport only when discovery fails, and asks again next time", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    documents["/flaky"] = { status: 503, body: {} };
    expect(await endSessionUrl(oidcToken, authFor("/flaky"))).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("signing out of Keyport only"), expect.stringContaining("503"));
    documents["/flaky"] = { status: 200, body: { end_session_endpoint: `${base}/flaky/end` } };
    expect(await endSessionUrl(oidcToken, authFor("/flaky"))).toMatch(new RegExp(`^${base}/flaky/end\\?`));
    warn.mockRestore();
  });
});
