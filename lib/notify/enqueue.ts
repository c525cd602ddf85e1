import "server-only";
import type { Tx } from "@/lib/db";
import { notificationOutbox } from "@/lib/db/schema";
import type { NotificationInput } from "./events";

/**
 * Writes a message to the outbox inside the caller's transaction, so it is sent only if the cause commits.
 * A message whose dedupe key is already in the outbox is dropped.
 */
export async function enqueueNotification(tx: Tx, input: NotificationInput): Promise<void> {
  await tx
    .insert(notificationOutbox)
    .values({
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      summary: input.summary,
      keyArn: input.keyArn ?? null,
      targetId: input.targetId ?? null,
      region: input.region ?? null,
      requestId: input.requestId ?? null,
      path: input.path ?? null,
      fields: input.fields ?? {},
      createdAt: input.at,
      nextAttemptAt: input.at,
    })
    .onConflictDoNothing({ target: notificationOutbox.dedupeKey });
}
