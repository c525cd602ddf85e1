import "server-only";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { and, asc, desc, eq, gt, inArray, lt } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { appendAuditAfter } from "./append";
import { GENESIS_HASH } from "./canonical";
import {
  CHECKPOINT_ACTION,
  CHECKPOINT_VERSION,
  FIRST_PREVIOUS,
  parseCheckpoint,
  statementBytes,
  statementHash,
  type CheckpointAlgorithm,
  type CheckpointStatement,
  type SignedCheckpoint,
} from "./checkpoint-format";
import { SYSTEM_ACTOR, type AuditEvent, type AuditUserActor } from "./events";

/**
 * Signing checkpoints of the audit chain (the format is checkpoint-format.ts): read the head, sign a
 * statement of it with the KMS key, append it as the `audit.checkpoint` event right after that head, and
 * write the same checkpoint to a file outside the database. KMS is called outside any transaction; the
 * append then checks under the chain's lock that the head has not moved, and signs again if it has.
 */

export type CheckpointSigner = {
  keyArn: string;
  algorithm: CheckpointAlgorithm;
  /** KMS Sign over the statement's bytes (MessageType RAW): the signature and KMS's request id. */
  sign(message: Buffer): Promise<{ signature: Buffer; requestId?: string }>;
};

export type CheckpointTrigger = "startup" | "interval" | "final_state" | "on_demand";

export type CheckpointDeps = {
  db: Db;
  signer: CheckpointSigner;
  /** The directory outside the database that keeps a copy of every checkpoint. */
  directory: string;
  now: () => Date;
};

/** How many times a checkpoint is signed again when events land between reading the head and appending. */
const ATTEMPTS = 5;

/**
 * Signs and records a checkpoint of the current head. Answers the checkpoint event, or null when the head is
 * already the previous checkpoint (nothing happened since: no new signature is needed).
 */
export async function signCheckpoint(
  deps: CheckpointDeps,
  trigger: CheckpointTrigger,
  actor: AuditUserActor | typeof SYSTEM_ACTOR = SYSTEM_ACTOR,
): Promise<AuditEvent | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const head = await chainHead(deps.db);
    const previous = await latestCheckpointInTrail(deps.db);
    // The head is the previous checkpoint itself: it already states everything before it.
    if (previous && previous.seq === head.seq && trigger !== "on_demand") return null;
    const statement: CheckpointStatement = {
      v: CHECKPOINT_VERSION,
      seq: head.seq,
      headHash: head.hash,
      at: deps.now().toISOString(),
      previous: previous ? statementHash(previous.checkpoint.statement) : FIRST_PREVIOUS,
      keyArn: deps.signer.keyArn,
      algorithm: deps.signer.algorithm,
    };
    const { signature, requestId } = await deps.signer.sign(statementBytes(statement));
    const checkpoint: SignedCheckpoint = { statement, signature: signature.toString("base64") };
    const event = await deps.db.transaction((tx) =>
      appendAuditAfter(tx, head, {
        action: CHECKPOINT_ACTION,
        actor,
        at: new Date(statement.at),
        keyArn: deps.signer.keyArn,
        kmsRequestId: requestId ?? null,
        details: { ...checkpoint, trigger },
      }),
    );
    if (event) {
      await writeCheckpointFile(deps.directory, checkpoint);
      return event;
    }
  }
  throw new Error(`The audit chain kept moving while a checkpoint was signed (${ATTEMPTS} attempts); the next one will try again.`);
}

async function chainHead(db: Db): Promise<{ seq: number; hash: string }> {
  const [last] = await db.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  return last ?? { seq: 0, hash: GENESIS_HASH };
}

/** The latest checkpoint event in the trail, read back as a checkpoint. */
export function latestCheckpointInTrail(db: Db): Promise<{ seq: number; checkpoint: SignedCheckpoint } | null> {
  return nearestCheckpoint(db, {});
}

/**
 * The checkpoint event nearest to a point of the trail: the first after seq `after`, else the latest before
 * seq `before` (or of all). One that does not parse is passed over; verify reports it.
 */
export async function nearestCheckpoint(db: Db, side: { before?: number; after?: number }): Promise<{ seq: number; checkpoint: SignedCheckpoint } | null> {
  const rows = await db
    .select({ seq: auditEvents.seq, details: auditEvents.details })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, CHECKPOINT_ACTION),
        side.after !== undefined ? gt(auditEvents.seq, side.after) : undefined,
        side.before !== undefined ? lt(auditEvents.seq, side.before) : undefined,
      ),
    )
    .orderBy(side.after !== undefined ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(5);
  for (const row of rows) {
    const parsed = parseCheckpoint(row.details);
    if (typeof parsed !== "string") return { seq: row.seq, checkpoint: parsed };
  }
  return null;
}

/** Actions after which a request has reached a final state: a checkpoint follows soon after. */
const FINAL_ACTIONS = ["import.imported", "import.failed", "import.cancelled", "import.expired", "import.rejected", "material.deleted", "material.rotated"];

/** Whether a request reached a final state after the latest checkpoint. */
export async function finalStateSinceCheckpoint(db: Db): Promise<boolean> {
  const latest = await latestCheckpointInTrail(db);
  const [row] = await db
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, latest?.seq ?? 0), inArray(auditEvents.action, FINAL_ACTIONS)))
    .limit(1);
  return row !== undefined;
}

const fileName = (seq: number) => `checkpoint-${String(seq).padStart(12, "0")}.json`;

/** Written to a temporary name first, then renamed: a reader never sees half a checkpoint. */
async function writeCheckpointFile(directory: string, checkpoint: SignedCheckpoint): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o750 });
  const target = path.join(directory, fileName(checkpoint.statement.seq));
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, { mode: 0o640 });
  await rename(temporary, target);
}

/**
 * The latest checkpoint in the directory outside the database (by the seq it states), or null when there is
 * none. A file that is not a checkpoint is an error: someone put it there, and the verifier must say so.
 */
export async function latestCheckpointFile(directory: string): Promise<{ file: string; checkpoint: SignedCheckpoint } | null> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const latest = names.filter((n) => /^checkpoint-\d{12}\.json$/.test(n)).sort().at(-1);
  if (!latest) return null;
  const file = path.join(directory, latest);
  const parsed = parseCheckpoint(JSON.parse(await readFile(file, "utf8")) as unknown);
  if (typeof parsed === "string") throw new Error(`${file} is not a checkpoint: ${parsed}.`);
  return { file, checkpoint: parsed };
}

