/**
 * The hostile corpus: what it is made of, and the fixtures it aims at. Each input is one request (an action
 * call, a route or a page) with what its refusal must look like; hostile-actions.ts, hostile-routes.ts and
 * hostile-pages.ts write them.
 */
import type { Person } from "../client";
import type { Username } from "../stack";
import type { Expect, Kind } from "./hostile-expect";
import type { Answer } from "./hostile-http";
import type { HostileSessions } from "./hostile-sessions";

export type HostileCase = {
  kind: Kind;
  /** What sort of hostility (session, role, origin, types, dates...), for the counts in the notes. */
  category: string;
  /** The target: an action's name, a route, a page. */
  target: string;
  /** What is sent, in words. */
  name: string;
  send(base: string): Promise<Answer>;
  expect?: Expect;
};

/** Requests the corpus aims at, made before it runs; each must keep its state through the corpus. */
export type Fixtures = {
  /** An import awaiting approval (cora's, one upload). */
  awaiting: { id: string; keyId: string; sha256: string };
  /** An import carried out. */
  imported: { id: string; keyId: string; sha256: string };
  /** Parameters issued, nothing uploaded yet. */
  issued: { id: string; keyId: string };
  /** A PendingImport key with no request: what a replayed start-import would open a request on. */
  untouched: string;
  /** A key nobody looks at until the material-history row. */
  materialKey: string;
  /** The wrapped blob size the issued request takes. */
  blobBytes: number;
  /** Cora's session id: what a replayed endSession would end. */
  coraSessionId: string;
};

export type CorpusContext = {
  people: Record<Username, Person>;
  sessions: HostileSessions;
  fx: Fixtures;
};

/** A marker the CR/LF injections carry: it must never show up in a server log line. */
export const INJECTED = "INJECTED-hostile-log-line";

/** A UUID that names nothing. */
export const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

/** Counts of the corpus by kind, by category and by target, for the notes. */
export function corpusCounts(corpus: HostileCase[]): { kinds: string; categories: string; targets: number } {
  const tally = (key: (c: HostileCase) => string) => {
    const counts = new Map<string, number>();
    for (const c of corpus) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
  };
  return { kinds: tally((c) => c.kind), categories: tally((c) => c.category), targets: new Set(corpus.map((c) => `${c.kind} ${c.target}`)).size };
}
