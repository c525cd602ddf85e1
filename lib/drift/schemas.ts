import { z } from "zod";
import { one, text } from "@/lib/validation";

/** What an auditor sends to acknowledge a finding; shared by the form and the server action. Pure. */

import { ACKNOWLEDGEMENT_MAX, ACKNOWLEDGEMENT_MIN } from "./limits";

export { ACKNOWLEDGEMENT_MAX, ACKNOWLEDGEMENT_MIN } from "./limits";

export const acknowledgeFindingSchema = z.object({
  findingId: one(z.uuid("Not a drift finding id.")),
  comment: one(
    text({ multiline: true, message: "Say why this change is accepted." })
      .trim()
      .min(ACKNOWLEDGEMENT_MIN, `Say why this change is accepted, in at least ${ACKNOWLEDGEMENT_MIN} characters (who made it, and the ticket or approval that covers it).`)
      .max(ACKNOWLEDGEMENT_MAX, `Keep the comment under ${ACKNOWLEDGEMENT_MAX} characters.`),
  ),
});

export type AcknowledgeFinding = z.infer<typeof acknowledgeFindingSchema>;
