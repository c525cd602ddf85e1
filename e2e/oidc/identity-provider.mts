/**
 * A real OpenID Connect provider (panva's oidc-provider, the certified implementation) on loopback, for test
 * runs: discovery, authorization code + PKCE, signed ID tokens, UserInfo with a groups claim. Its sign-in page
 * is a minimal one tests can drive (username only — it is a test provider) with a Cancel link that answers
 * access_denied. The end-to-end run starts it through provider.mts; the reliability run starts it in-process
 * with its own people and one redirect URI per app instance.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Provider, { type Configuration, type KoaContextWithOIDC } from "oidc-provider";

export type IdpPerson = { name: string; email: string; groups: readonly string[] };

export type IdentityProviderOptions = {
  issuer: string;
  port: number;
  client: { clientId: string; clientSecret: string; redirectUris: readonly string[]; postLogoutRedirectUris: readonly string[] };
  /** By username, which is also the subject. */
  people: Readonly<Record<string, IdpPerson>>;
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, body: string, status = 200) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(htmlPage(body));
}

function htmlPage(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme SSO</title>
<style>body{font-family:system-ui,sans-serif;background:#f3f4f6;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 3px #0002;width:20rem}label,input,button{display:block;width:100%;box-sizing:border-box}
input{margin:.25rem 0 1rem;padding:.5rem}button{padding:.6rem;background:#1f2937;color:#fff;border:0;border-radius:.375rem}
p.error{color:#b42318}</style></head><body><main>${body}</main></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

function loginForm(uid: string, error?: string) {
  return `<h1>Acme SSO</h1>${error ? `<p class="error" role="alert">${error}</p>` : ""}
<form method="post" action="/interaction/${uid}/login"><label for="username">Username</label>
<input id="username" name="username" autocomplete="off" autofocus><button type="submit">Continue</button></form>
<p><a href="/interaction/${uid}/abort">Cancel</a></p>`;
}

export async function startIdentityProvider(options: IdentityProviderOptions): Promise<{ close(): Promise<void> }> {
  const people = options.people;
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  const configuration: Configuration = {
    clients: [
      {
        client_id: options.client.clientId,
        client_secret: options.client.clientSecret,
        redirect_uris: [...options.client.redirectUris],
        post_logout_redirect_uris: [...options.client.postLogoutRedirectUris],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: "e2e-signing", use: "sig", alg: "RS256" } as never] },
    cookies: { keys: ["keyport-e2e-idp-cookie-key"] },
    scopes: ["openid", "email", "profile", "groups"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"], groups: ["groups"] },
    features: {
      devInteractions: { enabled: false },
      // RP-initiated logout: Keyport's sign-out ends the session here too. The confirmation page in this
      // provider's own look (the default one loads a web font this closed network cannot reach).
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = htmlPage(`<h1>Sign out of Acme SSO?</h1>${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
  <p><button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const person = people[id];
      if (!person) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: person.name, preferred_username: id, email: person.email, email_verified: true, groups: [...person.groups] };
        },
      };
    },
    // Keyport is a first-party client: grant what it asks for without a consent screen, as enterprise IdPs do.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(params?.scope ?? "openid"));
      await grant.save();
      return grant;
    },
  };

  const provider = new Provider(options.issuer, configuration);

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string) {
    const [, uid = "", step] = path.split("/").filter(Boolean);
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return page(res, "<h1>Unknown sign-in</h1>", 400);

    if (step === "abort") {
      return provider.interactionFinished(req, res, { error: "access_denied", error_description: "The person cancelled sign-in." }, { mergeWithLastSubmission: false });
    }
    if (step === "login" && req.method === "POST") {
      const username = (await readForm(req)).get("username")?.trim() ?? "";
      if (!people[username]) return page(res, loginForm(uid, `Nobody called “${escape(username)}” here.`), 200);
      return provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === "login") return page(res, loginForm(uid));
    // Consent is granted by loadExistingGrant; anything else is not something these tests do.
    return page(res, `<h1>Unsupported prompt: ${escape(details.prompt.name)}</h1>`, 501);
  }

  const handle = provider.callback();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", options.issuer).pathname;
    if (path.startsWith("/interaction/")) {
      interaction(req, res, path).catch((error: unknown) => {
        console.error("[idp]", error);
        if (!res.headersSent) page(res, "<h1>Sign-in failed</h1>", 500);
      });
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
