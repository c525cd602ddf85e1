import "server-only";
import type { Tx } from "@/lib/db";
import { notificationOutbox } from "@/lib/db/schema";
import type { NotificationInput } from "./events";
import { notificationsEnabled, nudgeSender } from "./state";

/**
 * Writes a message to the outbox inside the caller's transaction, so it is sent only if the cause commits.
 * A message whose dedupe key is already in the outbox is dropped. Nothing is written while notifications are
 * off (no KEYPORT_WEBHOOK_URL): nobody would ever send it.
 *
 * The nudge runs before the caller commits; the sender answers it with a few quick passes over the next
 * seconds, which find the row once it is committed (sender.ts).
 */
export async function enqueueNotification(tx: Tx, input: NotificationInput): Promise<void> {
  if (!notificationsEnabled()) return;
  const written = await tx
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
    .onConflictDoNothing({ target: notificationOutbox.dedupeKey })
    .returning({ id: notificationOutbox.id });
  if (written.length > 0) nudgeSender();
}
