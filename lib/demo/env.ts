/**
 * The environment `npm run demo` gives the processes it starts. The demo promises a fresh, throwaway data
 * directory; a DATABASE_URL exported in the same shell (for the PostgreSQL test variants, or a real
 * deployment's) must not carry it onto that database, so the database settings are never inherited.
 */

type Env = Record<string, string | undefined>;

/** Settings a child of a demo or test harness must never inherit: they would point it at a real database. */
export const DATABASE_SETTINGS = ["DATABASE_URL", "KEYPORT_MIGRATION_DATABASE_URL"] as const;

/** `parent` without the database settings, then `own` on top. */
export function childEnv<E extends Env>(parent: E, own: Record<string, string> = {}): E {
  const env: Env = { ...parent };
  for (const name of DATABASE_SETTINGS) delete env[name];
  return { ...env, ...own } as E;
}

/** The names of the database settings `parent` carries, for the one line that says they were left behind. */
export function droppedDatabaseSettings(parent: Env): string[] {
  return DATABASE_SETTINGS.filter((name) => parent[name]?.trim());
}
