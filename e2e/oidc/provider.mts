/**
 * The end-to-end run's OpenID Connect provider (identity-provider.mts) with the people and client of
 * e2e/servers.ts. Started by playwright.config.ts: `tsx e2e/oidc/provider.mts`.
 */
import { IDP_CLIENT, IDP_ISSUER, IDP_PEOPLE, IDP_PORT } from "../servers";
import { startIdentityProvider } from "./identity-provider.mts";

await startIdentityProvider({
  issuer: IDP_ISSUER,
  port: IDP_PORT,
  client: {
    clientId: IDP_CLIENT.clientId,
    clientSecret: IDP_CLIENT.clientSecret,
    redirectUris: [IDP_CLIENT.redirectUri],
    postLogoutRedirectUris: [IDP_CLIENT.postLogoutRedirectUri],
  },
  people: IDP_PEOPLE,
});
console.log(`[idp] OpenID Connect provider at ${IDP_ISSUER}`);
