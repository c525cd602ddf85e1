import "server-only";
import { Issuer } from "openid-client";
import type { Config } from "@/lib/config";
import { SIGN_IN_PATH } from "./paths";

/**
 * OpenID Connect RP-initiated logout. Signing out of Keyport ends Keyport's session; without this the
 * identity provider's own session lives on, and the next "Sign in" on that browser lets anyone straight back
 * in without a password (a shared workstation in a key ceremony room). So sign-out ends with a visit to the
 * provider's end_session_endpoint, which comes back to Keyport's sign-in page.
 */

// A cache only: a copy per server bundle would just read the document once more.
let discovered: { issuer: string; found: Promise<Issuer | null> } | undefined;

/**
 * The provider's discovery document, read with openid-client (the library next-auth signs in with, so sign-in
 * and sign-out find the provider the same way), cached per issuer; null if it could not be read.
 */
async function discover(issuer: string): Promise<Issuer | null> {
  if (discovered?.issuer !== issuer) {
    const found = Issuer.discover(issuer).catch((error: unknown) => {
      discovered = undefined; // try again at the next sign-out
      console.warn("[keyport] could not read the identity provider's end-session endpoint; signing out of Keyport only:", (error as Error).message);
      return null;
    });
    discovered = { issuer, found };
  }
  return discovered.found;
}

/**
 * Where the browser goes after Keyport's session is cleared: the provider's end-session URL with the ID
 * token as the hint and Keyport's sign-in page to come back to, or null to go straight to the sign-in page
 * (demo sign-ins, a provider without RP-initiated logout, no public URL configured).
 */
export async function endSessionUrl(token: Record<string, unknown> | null, auth: Config["auth"]): Promise<string | null> {
  if (!token || !auth.oidc || !auth.url || token.provider !== "oidc" || typeof token.idToken !== "string") return null;
  const issuer = await discover(auth.oidc.issuer);
  const endpoint = issuer?.metadata.end_session_endpoint;
  if (!issuer || typeof endpoint !== "string") return null;
  if (!URL.canParse(endpoint)) {
    console.warn(`[keyport] the identity provider's end_session_endpoint is not a URL ("${endpoint}"); signing out of Keyport only.`);
    return null;
  }
  const client = new issuer.Client({ client_id: auth.oidc.clientId, token_endpoint_auth_method: "none" });
  return client.endSessionUrl({
    id_token_hint: token.idToken,
    post_logout_redirect_uri: `${auth.url.replace(/\/$/, "")}${SIGN_IN_PATH}?signedOut=1`,
  });
}
