import "server-only";
import { z } from "zod";
import type { Config } from "@/lib/config";
import { SIGN_IN_PATH } from "./paths";

/**
 * OpenID Connect RP-initiated logout. Signing out of Keyport ends Keyport's session; without this the
 * identity provider's own session lives on, and the next "Sign in" on that browser lets anyone straight back
 * in without a password (a shared workstation in a key ceremony room). So sign-out ends with a visit to the
 * provider's end_session_endpoint, which comes back to Keyport's sign-in page.
 */

const discoverySchema = z.object({ end_session_endpoint: z.url().optional() });

let discovered: { issuer: string; endpoint: Promise<string | null> } | undefined;

/** The provider's end_session_endpoint from its discovery document, cached per issuer; null if it has none. */
async function endSessionEndpoint(issuer: string): Promise<string | null> {
  if (discovered?.issuer !== issuer) {
    const endpoint = fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), cache: "no-store" })
      .then(async (response) => {
        if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
        return discoverySchema.parse(await response.json()).end_session_endpoint ?? null;
      })
      .catch((error: unknown) => {
        discovered = undefined; // try again at the next sign-out
        console.warn("[keyport] could not read the identity provider's end-session endpoint; signing out of Keyport only:", (error as Error).message);
        return null;
      });
    discovered = { issuer, endpoint };
  }
  return discovered.endpoint;
}

/**
 * Where the browser goes after Keyport's session is cleared: the provider's end-session URL with the ID
 * token as the hint and Keyport's sign-in page to come back to, or null to go straight to the sign-in page
 * (demo sign-ins, a provider without RP-initiated logout, no public URL configured).
 */
export async function endSessionUrl(token: Record<string, unknown> | null, auth: Config["auth"]): Promise<string | null> {
  if (!token || !auth.oidc || !auth.url || token.provider !== "oidc" || typeof token.idToken !== "string") return null;
  const endpoint = await endSessionEndpoint(auth.oidc.issuer);
  if (!endpoint) return null;
  const url = new URL(endpoint);
  url.searchParams.set("id_token_hint", token.idToken);
  url.searchParams.set("client_id", auth.oidc.clientId);
  url.searchParams.set("post_logout_redirect_uri", `${auth.url.replace(/\/$/, "")}${SIGN_IN_PATH}?signedOut=1`);
  return url.toString();
}
