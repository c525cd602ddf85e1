/**
 * The sessions a hostile caller might present, made before the corpus runs: none, garbage cookies, a token
 * whose own expiry has passed, one signed in more than 8 hours ago, one signed with another secret, and the
 * cookie of a session that signed out through the app's real sign-out path (the end-session route, then
 * next-auth's sign-out POST with its CSRF token, as the sign-out button does). All are of an admin, who holds
 * every permission: whatever refuses them can only be the session check.
 */
import { decode, encode } from "next-auth/jwt";
import { signIn, type Person } from "../client";
import { NEXTAUTH_SECRET, type Stack } from "../stack";
import { rawRequest } from "./hostile-http";

const COOKIE = "next-auth.session-token"; // http on loopback, so not the __Secure- variant

export type HostileSessions = {
  /** Label → Cookie header value (null: no cookie at all). */
  variants: Array<{ label: string; cookie: string | null }>;
  /** A live session of its own, for the cases whose failure would end the session they carry. */
  spare: Person;
  /** The signed-out admin's cookie (also in `variants`). */
  signedOut: string;
};

function tokenOf(person: Person): string {
  const match = new RegExp(`${COOKIE.replace(/\./g, "\\.")}=([^;]+)`).exec(person.cookie);
  if (!match) throw new Error(`No session token in ${person.username}'s cookie`);
  return match[1]!;
}

/** The session id (`sid`) a person's token carries. */
export async function sessionIdOf(person: Person): Promise<string> {
  const token = await decode({ token: tokenOf(person), secret: NEXTAUTH_SECRET });
  if (typeof token?.sid !== "string") throw new Error(`${person.username}'s token carries no session id`);
  return token.sid;
}

/** Signs `person` out as the sign-out button does; throws unless the app cleared the cookie. */
export async function signOutForReal(appUrl: string, person: Person): Promise<void> {
  const end = await rawRequest(appUrl, { method: "POST", path: "/api/auth/end-session", headers: { Cookie: person.cookie, Origin: appUrl } });
  if (end.status !== 200) throw new Error(`end-session answered ${end.status}: ${end.text.slice(0, 200)}`);
  const csrf = await rawRequest(appUrl, { path: "/api/auth/csrf", headers: { Cookie: person.cookie } });
  const csrfToken = (csrf.json as { csrfToken?: string } | undefined)?.csrfToken;
  const csrfCookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!).find((c) => c.startsWith("next-auth.csrf-token="));
  if (!csrfToken || !csrfCookie) throw new Error(`no CSRF token for the sign-out (${csrf.status})`);
  const form = new URLSearchParams({ csrfToken, callbackUrl: `${appUrl}/signin?signedOut=1`, json: "true" }).toString();
  const out = await rawRequest(appUrl, {
    method: "POST",
    path: "/api/auth/signout",
    headers: { Cookie: `${person.cookie}; ${csrfCookie}`, Origin: appUrl, "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
  });
  const cleared = (out.headers["set-cookie"] ?? []).some((c) => c.startsWith(`${COOKIE}=`) && (c.startsWith(`${COOKIE}=;`) || /;\s*Max-Age=0\b/i.test(c)));
  if (out.status >= 400 || !cleared) throw new Error(`next-auth's sign-out answered ${out.status} without clearing the session cookie`);
}

export async function makeHostileSessions(stack: Stack): Promise<HostileSessions> {
  const app = stack.apps[0]!.url;
  // Fresh sessions of their own: the shared ones of the run must survive this suite.
  const leaving = await signIn(app, stack.idpIssuer, "adm");
  const minted = await signIn(app, stack.idpIssuer, "adm");
  const spare = await signIn(app, stack.idpIssuer, "dale");
  await signOutForReal(app, leaving);

  const claims = await decode({ token: tokenOf(minted), secret: NEXTAUTH_SECRET });
  if (!claims) throw new Error("The fresh admin token does not decode with the stack's secret");
  const now = Math.floor(Date.now() / 1000);
  const expired = await encode({ token: { ...claims, signedInAt: now - 60 }, secret: NEXTAUTH_SECRET, maxAge: -60 });
  const aged = await encode({ token: { ...claims, signedInAt: now - 8 * 3600 - 60 }, secret: NEXTAUTH_SECRET, maxAge: 3600 });
  const foreign = await encode({ token: claims, secret: "another-keyport-secret-0123456789abcdefghij", maxAge: 3600 });
  const noSid = await encode({ token: { ...claims, sid: undefined }, secret: NEXTAUTH_SECRET, maxAge: 3600 });

  return {
    spare,
    signedOut: leaving.cookie,
    variants: [
      { label: "no session", cookie: null },
      { label: "garbage cookie", cookie: `${COOKIE}=garbage` },
      { label: "JWE-shaped garbage", cookie: `${COOKIE}=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.BBBB.CCCCCCCCCCCCCCCCCCCCCC` },
      { label: "chunked garbage", cookie: `${COOKIE}.0=eyJhbGciOiJkaXIi; ${COOKIE}.1=garbage` },
      { label: "7 KB garbage cookie", cookie: `${COOKIE}=${"x".repeat(7000)}` },
      { label: "expired token (exp in the past)", cookie: `${COOKIE}=${expired}` },
      { label: "token signed in 8 h ago", cookie: `${COOKIE}=${aged}` },
      { label: "token signed with another secret", cookie: `${COOKIE}=${foreign}` },
      { label: "token without a session id", cookie: `${COOKIE}=${noSid}` },
      { label: "signed-out session", cookie: leaving.cookie },
    ],
  };
}
