import "server-only";

/**
 * Notifications: messages about events people must act on, sent to one webhook. Causes call
 * `enqueueNotification(tx, …)` inside their own transaction; the sender delivers the outbox.
 */
export { enqueueNotification } from "./enqueue";
export { NOTIFICATION_KINDS, type NotificationInput, type NotificationKind } from "./events";
