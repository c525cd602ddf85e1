import Link from "next/link";
import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { can, type Permission } from "@/lib/auth/permissions";
import type { Role } from "@/lib/config/schema";
import { DemoMarker } from "./demo-marker";
import { NavLinks, type NavItem } from "./nav-links";

export const SECTIONS: Array<NavItem & { permission: Permission }> = [
  { href: "/keys", label: "Keys", permission: "keys.read" },
  { href: "/imports", label: "Imports", permission: "imports.read" },
  { href: "/approvals", label: "Approvals", permission: "imports.read" },
  { href: "/audit", label: "Audit", permission: "audit.read" },
];

/**
 * The bar on every dashboard page. It lists only the sections the person may open (a convenience: each
 * section checks its permission itself). `userMenu` is the slot for the signed-in person's menu.
 */
export function TopBar({ userMenu, demo, roles }: { userMenu?: ReactNode; demo: boolean; roles: readonly Role[] }) {
  const sections = SECTIONS.filter((s) => can(roles, s.permission)).map(({ href, label }) => ({ href, label }));
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
        {demo && <DemoMarker />}
        <nav aria-label="Sections" className="min-w-0 flex-1 overflow-x-auto">
          <NavLinks items={sections} />
        </nav>
        <div className="flex items-center">{userMenu}</div>
      </div>
    </header>
  );
}
