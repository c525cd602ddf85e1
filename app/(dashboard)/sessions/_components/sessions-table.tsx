"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { formatDateTime } from "@/components/ui/format";
import { TableCard } from "@/components/ui/table-card";
import { endSession } from "../actions";

export type SessionRow = { id: string; name: string; email: string | null; roles: string[]; createdAt: string; lastSeenAt: string; expiresAt: string };

const th = "px-4 py-3";
const td = "whitespace-nowrap px-4 py-3 text-ink-700";

/** The live sessions, each with a button that ends it (one's own included: that is a sign-out elsewhere). */
export function SessionsTable({ sessions, currentSessionId }: { sessions: SessionRow[]; currentSessionId: string | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<{ tone: "success" | "danger"; text: string } | null>(null);

  const end = (row: SessionRow) =>
    startTransition(async () => {
      setMessage(null);
      const result = await endSession({ sessionId: row.id });
      if (result.ok) {
        setMessage({ tone: "success", text: `${row.name}'s session has ended. Their next request will ask them to sign in.` });
        router.refresh();
      } else {
        setMessage({ tone: "danger", text: result.message });
      }
    });

  return (
    <div className="space-y-3">
      <div aria-live="polite">{message && <Alert tone={message.tone}>{message.text}</Alert>}</div>
      <TableCard
        caption="Active sessions"
        head={
          <>
            <th scope="col" className={th}>Person</th>
            <th scope="col" className={th}>Session</th>
            <th scope="col" className={th}>Roles</th>
            <th scope="col" className={th}>Signed in</th>
            <th scope="col" className={th}>Last seen</th>
            <th scope="col" className={th}>Ends</th>
            <th scope="col" className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </>
        }
      >
        <tbody className="divide-y divide-ink-100">
          {sessions.length === 0 && (
            <tr>
              <td colSpan={7} className="px-4 py-6 text-center text-ink-600">
                Nobody is signed in.
              </td>
            </tr>
          )}
          {sessions.map((row) => (
            <tr key={row.id}>
              <td className="px-4 py-3">
                <p className="font-medium text-ink-900">
                  {row.name}
                  {row.id === currentSessionId && <span className="ml-2 text-xs font-normal text-ink-600">(this session)</span>}
                </p>
                {row.email && <p className="text-xs text-ink-600">{row.email}</p>}
              </td>
              {/* The first characters of its id, as the audit trail's sign-out and revocation events name it. */}
              <td className={`${td} font-mono text-xs`}>{row.id.slice(0, 8)}</td>
              <td className={td}>{row.roles.join(", ") || "none"}</td>
              <td className={td}>{formatDateTime(row.createdAt)}</td>
              <td className={td}>{formatDateTime(row.lastSeenAt)}</td>
              <td className={td}>{formatDateTime(row.expiresAt)}</td>
              <td className="px-4 py-3 text-right">
                <button
                  type="button"
                  disabled={pending}
                  onClick={() => end(row)}
                  aria-label={`End ${row.name}'s session ${row.id.slice(0, 8)}`}
                  className="h-8 rounded-md px-3 text-sm font-medium text-alert-danger-fg ring-1 ring-ink-200 hover:bg-ink-50 disabled:opacity-60"
                >
                  End session
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </TableCard>
    </div>
  );
}
