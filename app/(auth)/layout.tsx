import type { ReactNode } from "react";
import { DemoMarker } from "@/components/app-shell/demo-marker";
import { Logo } from "@/components/logo";
import { clockOffset } from "@/lib/clock";
import { getConfig } from "@/lib/config";

/** Pages for people who are not (fully) in yet: sign-in and no-access. No navigation, one column. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  const demo = getConfig().mode === "demo";
  return (
    <div className="flex min-h-screen flex-col">
      <header className="bg-ink-900">
        <div className="mx-auto flex h-14 max-w-5xl items-center gap-4 px-4 sm:px-6">
          <Logo />
          {demo && <DemoMarker offsetMs={clockOffset()} />}
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-10 sm:px-6 sm:py-14">
        {children}
      </main>
      <footer className="px-4 pb-8 text-center text-xs text-ink-500">
        Keyport imports your own key material into AWS KMS under dual control.
      </footer>
    </div>
  );
}
