import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { listActiveSessions } from "@/lib/auth/session-record";
import { getDb } from "@/lib/db";
import { SessionsTable } from "./_components/sessions-table";

export const metadata: Metadata = { title: "Sessions" };

/** Who is signed in now, and a way to end a session before it expires (a lost laptop, someone leaving). */
export default async function SessionsPage() {
  const session = await requirePageSession("sessions.manage");
  const active = await listActiveSessions(await getDb());
  return (
    <>
      <PageHeader
        title="Sessions"
        description="Everyone signed in to Keyport now, the most recently active first. Ending a session signs that person out on their next request, in every Keyport instance; they can sign in again unless the identity provider stops them."
      />
      <SessionsTable
        currentSessionId={session.sessionId ?? null}
        sessions={active.map((s) => ({
          id: s.id,
          name: s.name,
          email: s.email,
          roles: s.roles,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
        }))}
      />
    </>
  );
}
