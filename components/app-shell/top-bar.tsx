import Link from "next/link";
import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { NavLinks, type NavItem } from "./nav-links";

export const SECTIONS: NavItem[] = [
  { href: "/keys", label: "Keys" },
  { href: "/imports", label: "Imports" },
  { href: "/approvals", label: "Approvals" },
  { href: "/audit", label: "Audit" },
];

/** The bar on every dashboard page. `userMenu` is the slot for the signed-in person's menu. */
export function TopBar({ userMenu, demo }: { userMenu?: ReactNode; demo: boolean }) {
  return (
    <header className="bg-ink-900">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:text-ink-900"
      >
        Skip to content
      </a>
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link href="/keys" className="rounded-md focus-visible:outline-white" aria-label="Keyport home">
          <Logo />
        </Link>
        {demo && (
          <span
            className="rounded bg-state-expiring-dot px-1.5 py-0.5 text-[11px] font-bold uppercase tracking-wider text-ink-950"
            title="Demo mode: an offline KMS emulator and demo people. Nothing here touches real AWS."
          >
            Demo
          </span>
        )}
        <nav aria-label="Sections" className="flex-1">
          <NavLinks items={SECTIONS} />
        </nav>
        <div className="flex items-center">{userMenu}</div>
      </div>
    </header>
  );
}
