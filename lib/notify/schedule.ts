import "server-only";
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { logInternalError } from "@/lib/errors/internal";
import { enqueueExpiring } from "./expiring";
import { createSender, type Sender } from "./sender";
import { enableNotifications } from "./state";

const state = globalThis as typeof globalThis & { __keyportNotificationSender?: Sender };

/**
 * Called once at server start (lib/startup). With KEYPORT_WEBHOOK_URL set: notifications are kept from now on,
 * every enqueue nudges this instance's sender, and the sender passes every 30 seconds (for messages other
 * instances wrote and retries falling due) and looks for expiring parameters and key material once a minute.
 * Without it nothing is kept and nothing runs.
 */
export async function scheduleNotifications(): Promise<void> {
  const config = getConfig();
  const webhook = config.webhook;
  if (!webhook || state.__keyportNotificationSender) return;
  const { db } = await getDatabase();
  const sender = createSender({
    db,
    url: webhook.url,
    secret: webhook.secret,
    publicUrl: webhook.publicUrl,
    periodic: async (at) => {
      await enqueueExpiring(db, at, config.policy.expiryWarningDays).catch((error: unknown) =>
        logInternalError("notify", "while looking for expiring parameters and key material", error),
      );
    },
  });
  state.__keyportNotificationSender = sender;
  enableNotifications(() => sender.kick());
  sender.start();
}
