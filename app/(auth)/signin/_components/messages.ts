/**
 * next-auth's error codes (`?error=`) and Keyport's own sign-in reasons, as sentences a person can act on.
 * next-auth 4 codes: https://next-auth.js.org/configuration/pages#error-codes
 */
export type SignInNotice = { tone: "error" | "info"; text: string };

export function signInNotice(
  params: { error?: string; reason?: string; signedOut?: string },
  context: { providerName: string | undefined; demo: boolean },
): SignInNotice | null {
  const idp = context.providerName ?? "the identity provider";
  switch (params.error) {
    case undefined:
      break;
    case "OAuthSignin":
      return { tone: "error", text: `Keyport could not start signing you in with ${idp}. Try again; if it keeps failing, ${idp} may be unreachable or Keyport's settings for it may be wrong.` };
    case "OAuthCallback":
    case "Callback":
      return { tone: "error", text: `${idp} did not complete the sign-in — it was cancelled, refused, or could not be verified. Try again.` };
    case "AccessDenied":
      return { tone: "error", text: "Sign-in was refused: your identity provider did not say who you are. Ask your administrator to check Keyport's client settings." };
    case "CredentialsSignin":
      return context.demo
        ? { tone: "error", text: "That demo person could not be signed in. Pick one of the people below." }
        : { tone: "error", text: "Demo people cannot sign in here: Keyport is not in demo mode." };
    case "SessionRequired":
      return { tone: "info", text: "Sign in to see that page." };
    case "Configuration":
      return { tone: "error", text: "Sign-in is not set up correctly on the server. An administrator needs to look at Keyport's logs." };
    default:
      return { tone: "error", text: "Sign-in did not work. Try again; if it keeps failing, tell your administrator." };
  }
  if (params.reason === "expired") return { tone: "info", text: "Your session has ended. Sign in again to continue where you were." };
  if (params.signedOut) return { tone: "info", text: "You have signed out." };
  return null;
}
