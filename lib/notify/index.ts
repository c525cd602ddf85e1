import "server-only";

/**
 * Notifications: messages about events people must act on, sent to one webhook. Causes call
 * `enqueueNotification(tx, …)` inside their own transaction; the sender delivers the outbox.
 */
export { enqueueNotification } from "./enqueue";
export { NOTIFICATION_KINDS, NOTIFICATION_TITLES, type NotificationInput, type NotificationKind } from "./events";
export { enableNotifications, notificationsEnabled } from "./state";
export { notifyApprovalNeeded, notifyImportFailed, type RequestRef } from "./triggers";
