/**
 * Runs once when a Keyport server starts (Next's instrumentation hook).
 * The Node-only start-up work lives in lib/startup so the Edge
 * compilation of this file never sees it.
 */
export async function register() {
  // NEXT_RUNTIME is set by Next itself to say which runtime is loading this file.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { onServerStart } = await import("@/lib/startup");
    await onServerStart();
  }
}
