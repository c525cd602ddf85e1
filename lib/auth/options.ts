import "server-only";
import type { NextAuthOptions, Profile, User } from "next-auth";
import { encode as encodeJwt, decode as decodeJwt, type JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getConfig, type Config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { recordAuthEvent } from "./audit-seam";
import { visitorCallbackFailure } from "./callback-failures";
import { findDemoPerson } from "./demo-people";
import { SIGN_IN_PATH } from "./paths";
import { identityFromClaims, rolesFor, type RoleMaps } from "./role-mapping";
import { createSessionRecord, newSessionId, revokeSession } from "./session-record";
import { nowSeconds, secondsLeft, sessionFromToken, usesSecureCookies } from "./session-token";

/**
 * next-auth 4 configuration, built from lib/config (so a missing secret or identity provider has already
 * stopped Keyport with a message that says what to set). Built lazily, never at import: `next build`
 * imports the auth route without any configuration.
 */

export const OIDC_PROVIDER_ID = "oidc";
export const DEMO_PROVIDER_ID = "demo";

type OidcSettings = NonNullable<Config["auth"]["oidc"]>;
type Claims = Record<string, unknown>;

function displayName(claims: Claims): string {
  for (const key of ["name", "preferred_username", "email", "sub"]) {
    const value = claims[key];
    if (typeof value === "string" && value.trim()) return value.trim();
  }
  return "Unknown person";
}

/** The Keyport user for a set of OpenID Connect claims: who they are, and the roles their groups give. */
export function userFromClaims(claims: Claims, settings: { groupsClaim: string } & RoleMaps): User {
  const identity = identityFromClaims(claims, settings.groupsClaim);
  return {
    id: String(claims.sub ?? ""),
    name: displayName(claims),
    email: identity.email?.toLowerCase() ?? null,
    roles: rolesFor(identity, settings),
  };
}

/**
 * Claims from the ID token, completed from the UserInfo endpoint. Standard providers (and oidc-provider)
 * put scope claims such as email and groups only in UserInfo when an access token is issued; others (Entra
 * ID, Okta with a groups claim on the ID token) put them in the ID token and may not serve them from
 * UserInfo. The ID token wins on `sub`; openid-client checks that both name the same subject.
 */
// The parts of openid-client's TokenSet and Client used here (next-auth passes its own instances).
type CallbackTokens = { access_token?: string; claims(): Claims };
type OidcClient = { userinfo(tokens: CallbackTokens): Promise<Claims>; issuer: { metadata: Claims } };

async function claimsWithUserinfo({ tokens, client }: { tokens: CallbackTokens; client: OidcClient }): Promise<Profile> {
  const fromIdToken = tokens.claims();
  let fromUserinfo: Claims = {};
  if (tokens.access_token && client.issuer.metadata.userinfo_endpoint) {
    try {
      fromUserinfo = await client.userinfo(tokens);
    } catch (error) {
      // Sign-in continues with the ID token's claims; the person may then have fewer roles, never more.
      console.error("[keyport] UserInfo request failed; using the ID token's claims only:", (error as Error).name);
    }
  }
  return { ...fromIdToken, ...fromUserinfo, sub: fromIdToken.sub } as Profile;
}

export function oidcProvider(oidc: OidcSettings, maps: RoleMaps): OAuthConfig<Claims> {
  return {
    id: OIDC_PROVIDER_ID,
    name: oidc.name,
    type: "oauth",
    wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: oidc.scopes } },
    idToken: true,
    checks: ["pkce", "state"],
    userinfo: { request: claimsWithUserinfo as never },
    profile: (claims) => userFromClaims(claims, { groupsClaim: oidc.groupsClaim, ...maps }),
  };
}

/** Demo people, one click each. Registered only in demo mode, and refuses anyway in any other mode. */
export function demoProvider(mode: Config["mode"]) {
  const provider = CredentialsProvider({
    id: DEMO_PROVIDER_ID,
    name: "Demo people",
    credentials: { personId: { label: "Demo person", type: "text" } },
    async authorize(credentials) {
      if (mode !== "demo") return null;
      const person = findDemoPerson(credentials?.personId);
      if (!person) return null;
      return { id: person.id, name: person.name, email: person.email, roles: [...person.roles] };
    },
  });
  // next-auth applies the id from `options` later; set it on the provider too, so what is registered reads true.
  return { ...provider, id: DEMO_PROVIDER_ID };
}

export function buildAuthOptions(config: Config): NextAuthOptions {
  const { auth } = config;
  const maxAge = auth.sessionMaxAgeSeconds;
  const maps: RoleMaps = { roleMap: auth.roleMap, emailRoles: auth.emailRoles };

  const providers: NextAuthOptions["providers"] = [];
  if (auth.oidc) providers.push(oidcProvider(auth.oidc, maps));
  if (config.mode === "demo") providers.push(demoProvider(config.mode));

  return {
    secret: auth.secret,
    providers,
    session: { strategy: "jwt", maxAge },
    jwt: {
      maxAge,
      // The token never outlives sign-in + maxAge, however often next-auth re-issues the cookie.
      encode: (params) => {
        const signedInAt = typeof params.token?.signedInAt === "number" ? params.token.signedInAt : undefined;
        const left = signedInAt === undefined ? maxAge : secondsLeft(signedInAt, maxAge);
        return encodeJwt({ ...params, maxAge: Math.min(params.maxAge ?? maxAge, left) });
      },
      decode: decodeJwt,
    },
    useSecureCookies: usesSecureCookies(auth.url),
    // Keyport's own pages only: next-auth's built-in pages carry inline scripts the CSP refuses.
    pages: { signIn: SIGN_IN_PATH, signOut: SIGN_IN_PATH, error: SIGN_IN_PATH, verifyRequest: SIGN_IN_PATH, newUser: SIGN_IN_PATH },
    callbacks: {
      // A person without a role may sign in; they get the no-access page, never the dashboard.
      signIn: ({ user }) => typeof user.id === "string" && user.id !== "",
      async jwt({ token, user, account }) {
        if (!user) return token;
        // Sign-in: the one moment the person, their roles and the session's start are written into the token.
        const fresh: JWT = {
          sub: user.id,
          name: user.name ?? user.email ?? user.id,
          email: user.email ?? null,
          roles: user.roles ?? [],
          signedInAt: nowSeconds(),
          // The session's server-side record, which sign-out and admins revoke (session-record.ts).
          sid: newSessionId(),
          provider: account?.provider,
          // Kept for sign-out's end-session request (end-session.ts). The session cookie is encrypted (JWE) and
          // the session callback below never passes it on, so the browser's scripts never see it.
          ...(account?.provider === OIDC_PROVIDER_ID && account.id_token ? { idToken: account.id_token } : {}),
        };
        // Recorded here rather than in `events.signIn`, whose errors next-auth swallows: if the audit trail
        // cannot take the sign-in, the sign-in fails and no session cookie is set.
        const person = { id: user.id, name: String(fresh.name), email: user.email ?? null, roles: user.roles ?? [] };
        // Before the audit event: a recorded sign-in always has a session that can be ended.
        await createSessionRecord(await getDb(), {
          id: String(fresh.sid),
          user: person,
          provider: account?.provider,
          signedInAt: Number(fresh.signedInAt),
          maxAgeSeconds: maxAge,
        });
        await recordAuthEvent("sign_in", person, { provider: account?.provider });
        return fresh;
      },
      session({ session, token }) {
        const current = sessionFromToken(token, maxAge);
        // The record is checked by lib/auth/session.ts, which needs its id; the id alone grants nothing.
        return { expires: session.expires, keyport: current?.user ?? null, signedInAt: current?.signedInAt, sessionId: current?.sessionId };
      },
    },
    logger: {
      error(code, metadata) {
        // An ended or foreign session token is routine (the person is sent to sign in), not a server error.
        if (code === "JWT_SESSION_ERROR") return console.warn("[keyport] refused a session token that has ended or was not issued by this Keyport");
        // A cancelled sign-in, a stale tab or a forged callback: the visitor's doing, not a server error.
        const visitor = visitorCallbackFailure(code, metadata);
        if (visitor) return console.warn(visitor);
        console.error(`[next-auth] ${code}`, metadata);
      },
      warn: (code) => console.warn(`[next-auth] ${code}`),
      debug: () => undefined,
    },
    events: {
      // Best effort: next-auth logs and swallows errors here, and a sign-out must never be refused.
      async signOut({ token }) {
        // However old: a session past its age has nothing live left to revoke, and revokeSession says so.
        const current = sessionFromToken(token, Infinity);
        if (!current) return;
        try {
          // Usually already revoked by /api/auth/end-session, which the sign-out button calls first; then a no-op.
          await revokeSession(await getDb(), current.sessionId, { how: "signed_out", by: current.user });
        } catch (error) {
          console.error(`[keyport] could not revoke the session of ${current.user.id} at sign-out:`, error instanceof Error ? error.name : error);
          throw error;
        }
      },
    },
  };
}

let cached: { config: Config; options: NextAuthOptions } | undefined;

/** The options for the running process (built on first use from getConfig()). */
export function getAuthOptions(): NextAuthOptions {
  const config = getConfig();
  if (cached?.config !== config) cached = { config, options: buildAuthOptions(config) };
  return cached.options;
}
