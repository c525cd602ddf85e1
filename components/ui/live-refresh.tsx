"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";

const POLL_MS = 3_000;

/**
 * Keeps an import request's page, a multi-Region session's page (`sessionId`), or, without either, the
 * approvals queue in step with what others
 * do: it polls a small change stamp (GET /api/imports/stamp) while the tab is visible and re-renders the
 * page's server components when the stamp moves, so an approval shows on the custodian's screen within
 * seconds. Client state (a comment being typed, a chosen file) survives: React keeps what is still there.
 * `stamp` is the one the page was rendered with, so a change in the moment before the first poll counts too.
 */
export function LiveRefresh({ stamp, requestId, sessionId }: { stamp: string; requestId?: string; sessionId?: string }) {
  const router = useRouter();
  const known = useRef(stamp);
  const search = sessionId ? `?session=${encodeURIComponent(sessionId)}` : requestId ? `?request=${encodeURIComponent(requestId)}` : "";
  const { data } = useQuery({
    queryKey: ["imports-stamp", sessionId ?? requestId ?? "queue"],
    queryFn: async ({ signal }) => {
      const response = await fetch(`/api/imports/stamp${search}`, { signal, cache: "no-store" });
      if (!response.ok) throw new Error(`The change stamp answered HTTP ${response.status}`);
      return ((await response.json()) as { stamp: string }).stamp;
    },
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
    retry: false,
  });
  useEffect(() => {
    known.current = stamp; // a re-render from the server brings the stamp it was rendered with
  }, [stamp]);
  useEffect(() => {
    if (data === undefined || data === known.current) return;
    known.current = data;
    router.refresh();
  }, [data, router]);
  return null;
}
