import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSession } from "@/lib/auth";
import { DEMO_PEOPLE } from "@/lib/auth/demo-people";
import { NO_ACCESS_PATH, safeCallbackPath } from "@/lib/auth/paths";
import { getConfig } from "@/lib/config";
import { DemoPeople } from "./_components/demo-people";
import { signInNotice } from "./_components/messages";
import { ProviderSignIn } from "./_components/provider-sign-in";
import { formatDuration } from "@/components/ui/format";
import { Alert, alertClasses } from "@/components/ui/alert";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const config = getConfig();
  const params = await searchParams;
  const demo = config.mode === "demo";
  const ownOrigin = config.auth.url ? new URL(config.auth.url).origin : undefined;
  const callbackPath = safeCallbackPath(first(params.callbackUrl), undefined, ownOrigin);
  const session = await getSession();

  // Someone already signed in has nothing to do here — except in demo mode, where this page is also how a
  // visitor switches between demo people.
  if (session && !demo && !params.error) redirect(session.user.roles.length ? callbackPath : NO_ACCESS_PATH);

  const notice = signInNotice(
    { error: first(params.error), reason: first(params.reason), signedOut: first(params.signedOut) },
    { providerName: config.auth.oidc?.name, demo },
  );

  return (
    <div className={demo ? "" : "mx-auto max-w-md"}>
      <div className={demo ? "max-w-2xl" : ""}>
        <h1 className="text-2xl font-semibold tracking-tight text-ink-900">Sign in to Keyport</h1>
        {!demo && (
          <p className="mt-2 text-sm leading-6 text-ink-600">
            Keyport signs you in through {config.auth.oidc?.name ?? "your identity provider"}. What you may do here depends
            on the groups your organisation has put you in.
          </p>
        )}
      </div>

      {notice && (
        <Alert tone={notice.tone === "error" ? "danger" : "info"} className="mt-6">
          {notice.text}
        </Alert>
      )}

      {demo ? (
        <>
          <section aria-labelledby="demo-mode-heading" className={`mt-6 rounded-card border px-5 py-4 text-sm leading-6 ${alertClasses.warning.box}`}>
            <h2 id="demo-mode-heading" className="font-semibold">
              Demo mode
            </h2>
            <p className="mt-1">
              This Keyport runs against an offline KMS emulator with made-up AWS accounts and keys — nothing here touches
              real AWS. Instead of an identity provider it has the demo people below; pick anyone to sign in as them. To
              see dual control, start an import as a custodian and approve it as an approver. In production these people
              do not exist.
            </p>
          </section>

          {session && (
            <p className="mt-6 text-sm text-ink-600">
              You are signed in as <span className="font-medium text-ink-900">{session.user.name}</span>. Pick someone else to
              switch, or{" "}
              <Link href={session.user.roles.length ? callbackPath : NO_ACCESS_PATH} className="font-medium text-accent-700 underline underline-offset-2 hover:text-accent-800">
                carry on as {session.user.name}
              </Link>
              .
            </p>
          )}

          <DemoPeople
            people={DEMO_PEOPLE.map((p) => ({ id: p.id, name: p.name, email: p.email, roles: [...p.roles], about: p.about }))}
            callbackPath={callbackPath}
            signedInAs={session?.user.id ?? null}
          />

          {config.auth.oidc && (
            <div className="mt-8 max-w-sm">
              <ProviderSignIn providerName={config.auth.oidc.name} callbackPath={callbackPath} />
            </div>
          )}
        </>
      ) : config.auth.oidc ? (
        <div className="mt-8 rounded-card bg-white p-6 shadow-card">
          <ProviderSignIn providerName={config.auth.oidc.name} callbackPath={callbackPath} />
          <p className="mt-4 text-center text-xs text-ink-500">
            Sessions end after {formatDuration(config.auth.sessionMaxAgeSeconds)}.
          </p>
        </div>
      ) : null}
    </div>
  );
}
