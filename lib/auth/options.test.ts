import { createRequire } from "node:module";
import path from "node:path";
import { decode } from "next-auth/jwt";
import type { JWT } from "next-auth/jwt";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig, type Env } from "@/lib/config/load";
import { recordAuthEvent } from "./audit-seam";
import { createSessionRecord, revokeSession } from "./session-record";
import { DEMO_PEOPLE } from "./demo-people";
import { buildAuthOptions, demoProvider, getAuthOptions, userFromClaims } from "./options";

// The audit trail is exercised against a real database in audit-seam.test.ts; here only the calls matter.
vi.mock("./audit-seam", () => ({ recordAuthEvent: vi.fn(async () => undefined) }));
// Session records likewise (session-record.ts is exercised against a real database in guard.test.ts).
vi.mock("./session-record", () => ({
  newSessionId: () => "a-new-random-session-id",
  createSessionRecord: vi.fn(async () => undefined),
  revokeSession: vi.fn(async () => null),
}));
vi.mock("@/lib/db", () => ({ getDb: async () => ({}) }));

const production: Env = {
  KEYPORT_MODE: "production",
  KEYPORT_TARGETS: JSON.stringify([
    { id: "payments", name: "Payments", accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/Keyport", regions: ["eu-west-1"] },
  ]),
  NEXTAUTH_SECRET: "s".repeat(40),
  NEXTAUTH_URL: "https://keyport.example.com",
  KEYPORT_OIDC_ISSUER: "https://idp.example.com/realms/sec",
  KEYPORT_OIDC_CLIENT_ID: "keyport",
  KEYPORT_OIDC_CLIENT_SECRET: "client-secret",
  KEYPORT_OIDC_NAME: "Example SSO",
  KEYPORT_OIDC_SCOPES: "openid email profile groups",
  KEYPORT_ROLE_MAP: JSON.stringify({ "kms-custodians": "custodian" }),
  KEYPORT_EMAIL_ROLES: JSON.stringify({ "ada@example.com": "admin" }),
  KEYPORT_DATA_KEY: Buffer.alloc(32, 1).toString("base64"),
};

const prodOptions = () => buildAuthOptions(loadConfig(production));
const demoOptions = () => buildAuthOptions(loadConfig({ KEYPORT_MODE: "demo" }));

type Authorize = NonNullable<CredentialsConfig["options"]>["authorize"];
// next-auth keeps the authorize function given to CredentialsProvider in `options` (it merges it in later).
const authorizeOf = (provider: unknown) => (provider as { options: { authorize: Authorize } }).options.authorize;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("providers", () => {
  it("in production: only the OpenID Connect provider — demo people cannot exist", () => {
    const options = prodOptions();
    expect(options.providers.map((p) => p.id)).toEqual(["oidc"]);
    expect(options.providers.some((p) => p.type === "credentials")).toBe(false);
  });

  it("configures OpenID Connect from the settings: discovery, client, scopes, PKCE and state, ID token", () => {
    const oidc = prodOptions().providers[0] as OAuthConfig<Record<string, unknown>>;
    expect(oidc).toMatchObject({
      id: "oidc",
      name: "Example SSO",
      type: "oauth",
      wellKnown: "https://idp.example.com/realms/sec/.well-known/openid-configuration",
      clientId: "keyport",
      clientSecret: "client-secret",
      authorization: { params: { scope: "openid email profile groups" } },
      idToken: true,
      checks: ["pkce", "state"],
    });
  });

  it("in demo mode: the demo people, one credentials provider", () => {
    expect(demoOptions().providers.map((p) => p.id)).toEqual(["demo"]);
  });

  it("signs in a demo person with their fixed roles, and nobody else", async () => {
    const authorize = authorizeOf(demoOptions().providers[0]);
    const casey = DEMO_PEOPLE[0]!;
    await expect(authorize({ personId: casey.id }, {} as never)).resolves.toEqual({
      id: casey.id,
      name: casey.name,
      email: casey.email,
      roles: ["custodian"],
    });
    await expect(authorize({ personId: "demo-mallory" }, {} as never)).resolves.toBeNull();
    await expect(authorize(undefined, {} as never)).resolves.toBeNull();
  });

  it("refuses every demo person unless the mode is demo, even if the provider were registered", async () => {
    const authorize = authorizeOf(demoProvider("production"));
    for (const person of DEMO_PEOPLE) await expect(authorize({ personId: person.id }, {} as never)).resolves.toBeNull();
  });
});

describe("start-up", () => {
  it("refuses without a secret or an identity provider in production (getAuthOptions asks lib/config)", () => {
    for (const [name, value] of Object.entries(production)) vi.stubEnv(name, value);
    vi.stubEnv("NEXTAUTH_SECRET", "");
    vi.stubEnv("KEYPORT_OIDC_ISSUER", "");
    vi.stubEnv("KEYPORT_OIDC_CLIENT_ID", "");
    vi.stubEnv("KEYPORT_OIDC_CLIENT_SECRET", "");
    expect(() => getAuthOptions()).toThrow(/NEXTAUTH_SECRET is not set[\s\S]*No sign-in provider/);
  });
});

describe("sessions", () => {
  it("are JWTs that last 8 hours, with Secure cookies on https and Keyport's own pages", () => {
    const options = prodOptions();
    expect(options.session).toEqual({ strategy: "jwt", maxAge: 8 * 3600 });
    expect(options.useSecureCookies).toBe(true);
    expect(demoOptions().useSecureCookies).toBe(false);
    expect(options.pages).toMatchObject({ signIn: "/signin", error: "/signin", signOut: "/signin" });
    expect(options.secret).toBe("s".repeat(40));
  });

  it("put the person and their roles in the token at sign-in, and keep them afterwards", async () => {
    const jwt = prodOptions().callbacks!.jwt!;
    const user = { id: "sub-1", name: "Olivia", email: "olivia@example.com", roles: ["custodian" as const] };
    const token = await jwt({ token: { name: "x", picture: "p" }, user, account: { provider: "oidc", type: "oauth", providerAccountId: "sub-1" } } as never);
    expect(token).toMatchObject({ sub: "sub-1", name: "Olivia", email: "olivia@example.com", roles: ["custodian"], provider: "oidc", sid: "a-new-random-session-id" });
    expect(createSessionRecord).toHaveBeenCalledWith({}, expect.objectContaining({ id: "a-new-random-session-id", provider: "oidc", maxAgeSeconds: 8 * 3600 }));
    expect(token).not.toHaveProperty("picture");
    expect(recordAuthEvent).toHaveBeenCalledWith(
      "sign_in",
      { id: "sub-1", name: "Olivia", email: "olivia@example.com", roles: ["custodian"] },
      { provider: "oidc" },
    );
    expect(Math.abs((token.signedInAt as number) - Date.now() / 1000)).toBeLessThan(5);
    expect(await jwt({ token } as never)).toBe(token);
    expect(recordAuthEvent).toHaveBeenCalledOnce();
  });

  it("fail to sign in when the audit trail cannot record it", async () => {
    vi.mocked(recordAuthEvent).mockRejectedValueOnce(new Error("database down"));
    const jwt = prodOptions().callbacks!.jwt!;
    await expect(jwt({ token: {}, user: { id: "sub-1", name: "Olivia", roles: [] } } as never)).rejects.toThrow("database down");
  });

  it("revoke the session's record at sign-out (which records the sign-out), even of a session that has ended", async () => {
    const signOut = prodOptions().events!.signOut!;
    await signOut({ token: { sub: "sub-1", name: "Olivia", roles: ["approver"], signedInAt: 1000, sid: "a-session-id-1234", provider: "oidc" }, session: undefined as never });
    expect(revokeSession).toHaveBeenCalledWith({}, "a-session-id-1234", { how: "signed_out", by: { id: "sub-1", name: "Olivia", email: null, roles: ["approver"] } });
  });

  it("expose a validated user, and none once 8 hours have passed since sign-in", async () => {
    const session = prodOptions().callbacks!.session!;
    const now = Math.floor(Date.now() / 1000);
    const token: JWT = { sub: "sub-1", name: "Olivia", email: null, roles: ["approver"], signedInAt: now - 10, sid: "a-session-id-1234" };
    expect(await session({ session: { expires: "x" }, token } as never)).toMatchObject({
      keyport: { id: "sub-1", name: "Olivia", email: null, roles: ["approver"] },
      sessionId: "a-session-id-1234",
    });
    expect(await session({ session: { expires: "x" }, token: { ...token, signedInAt: now - 8 * 3600 - 1 } } as never)).toMatchObject({
      keyport: null,
    });
  });

  it("never issue a token that outlives sign-in + 8 hours, however often it is re-issued", async () => {
    const { jwt, secret } = prodOptions();
    const now = Math.floor(Date.now() / 1000);
    const encoded = await jwt!.encode!({ token: { sub: "s", signedInAt: now - 8 * 3600 + 60 }, secret: secret!, maxAge: 8 * 3600 });
    const decoded = await decode({ token: encoded, secret: secret! });
    expect(decoded!.exp as number).toBeGreaterThan(now + 50);
    expect(decoded!.exp as number).toBeLessThan(now + 70);
  });
});

describe("logging", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reports an ended session token as a warning, without the token, and other errors as errors", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { error: logError } = prodOptions().logger as { error: (code: string, metadata: unknown) => void };
    logError("JWT_SESSION_ERROR", new Error('"exp" claim timestamp check failed'));
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/refused a session token/));
    expect(error).not.toHaveBeenCalled();
    logError("OAUTH_CALLBACK_ERROR", new Error("invalid_client"));
    expect(error).toHaveBeenCalledOnce();
    warn.mockRestore();
    error.mockRestore();
  });

  it("reports a callback the visitor made fail (cancelled, stale, forged) as one warning line, without its stack", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { error: logError } = prodOptions().logger as { error: (code: string, metadata: unknown) => void };
    // What next-auth logs for them (core/lib/oauth/callback.js, core/routes/callback.js), with its own error
    // class, which its package does not export: loaded from its file.
    const { OAuthCallbackError } = createRequire(import.meta.url)(path.join(process.cwd(), "node_modules/next-auth/core/errors.js")) as {
      OAuthCallbackError: new (cause: Error) => Error;
    };
    logError("OAUTH_CALLBACK_ERROR", { error: new OAuthCallbackError(new Error("State cookie was missing.")), providerId: "oidc" });
    logError("OAUTH_CALLBACK_HANDLER_ERROR", { error: new Error("access_denied"), error_description: "<script>\r\nx", providerId: "oidc" });
    logError("OAUTH_CALLBACK_ERROR", new Error("access_denied"));
    logError("OAUTH_CALLBACK_ERROR", { error: new OAuthCallbackError(new Error("invalid_grant (grant request is invalid)")), providerId: "oidc" });
    expect(error).not.toHaveBeenCalled();
    expect(warn.mock.calls.map(([line]) => line)).toEqual([
      "[keyport] a sign-in did not complete (OAUTH_CALLBACK_ERROR): State cookie was missing.",
      "[keyport] a sign-in did not complete (OAUTH_CALLBACK_HANDLER_ERROR): access_denied",
      "[keyport] a sign-in did not complete (OAUTH_CALLBACK_ERROR): access_denied",
      "[keyport] a sign-in did not complete (OAUTH_CALLBACK_ERROR): invalid_grant (grant request is invalid)",
    ]);
    // A provider that refuses Keyport's client, or cannot be reached, is still an error.
    logError("OAUTH_CALLBACK_ERROR", { error: new OAuthCallbackError(new Error("invalid_client (client authentication failed)")), providerId: "oidc" });
    logError("OAUTH_CALLBACK_ERROR", { error: new OAuthCallbackError(new TypeError("fetch failed")), providerId: "oidc" });
    expect(error).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    error.mockRestore();
  });
});

describe("userFromClaims", () => {
  const settings = { groupsClaim: "groups", roleMap: { "kms-custodians": ["custodian" as const] }, emailRoles: { "ada@example.com": ["admin" as const] } };

  it("maps the subject, name, e-mail and roles", () => {
    expect(userFromClaims({ sub: "abc", name: "Ada Lovelace", email: "Ada@Example.com", groups: ["kms-custodians"] }, settings)).toEqual({
      id: "abc",
      name: "Ada Lovelace",
      email: "ada@example.com",
      roles: ["custodian", "admin"],
    });
  });

  it("falls back to other claims for the name, and gives no role when nothing matches", () => {
    expect(userFromClaims({ sub: "abc", preferred_username: "sam" }, settings)).toEqual({ id: "abc", name: "sam", email: null, roles: [] });
    expect(userFromClaims({ sub: "abc" }, settings).name).toBe("abc");
  });

  it("completes the ID token's claims from UserInfo, keeping the ID token's subject", async () => {
    const oidc = prodOptions().providers[0] as OAuthConfig<Record<string, unknown>>;
    const request = (oidc.userinfo as { request: (ctx: unknown) => Promise<Record<string, unknown>> }).request;
    const tokens = { access_token: "at", claims: () => ({ sub: "abc", groups: ["from-id-token"] }) };
    const client = (userinfo: () => Promise<Record<string, unknown>>) => ({ userinfo, issuer: { metadata: { userinfo_endpoint: "https://idp/userinfo" } } });

    await expect(request({ tokens, client: client(async () => ({ sub: "abc", email: "a@b.c", name: "A" })) })).resolves.toEqual({
      sub: "abc",
      groups: ["from-id-token"],
      email: "a@b.c",
      name: "A",
    });
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(request({ tokens, client: client(async () => Promise.reject(new Error("boom"))) })).resolves.toEqual({
      sub: "abc",
      groups: ["from-id-token"],
    });
    expect(spy).toHaveBeenCalledOnce();
    spy.mockRestore();
  });
});
