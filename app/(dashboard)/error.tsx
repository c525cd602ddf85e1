"use client";

import { AlertIcon } from "@/components/ui/icons";

// Never shows error.message: it may carry server detail. The digest lets an operator find the log line.
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-card border border-alert-danger-ring bg-white p-8 text-center shadow-card">
      <div className="mx-auto mb-4 flex size-12 items-center justify-center rounded-full bg-alert-danger-bg text-alert-danger-icon">
        <AlertIcon />
      </div>
      <h1 className="text-lg font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-ink-600">
        Something went wrong on the server. Nothing was changed. Try again; if it keeps happening, give your administrator
        this reference{error.digest ? <>: <code className="font-mono">{error.digest}</code></> : "."}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-6 rounded-md bg-accent-600 px-4 py-2 text-sm font-medium text-white hover:bg-accent-700"
      >
        Try again
      </button>
    </div>
  );
}
