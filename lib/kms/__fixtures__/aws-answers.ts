import recording from "./aws-answers.json";

/**
 * AWS's recorded error answers (aws-answers.json, whose `source` says where each was recorded), typed, with
 * the one comparison both of their tests need: does a message say what AWS's did?
 */

export type RecordedAnswer = {
  id: string;
  recorded: string;
  operation: string;
  situation: string;
  /** The exception name AWS sent as `__type`. */
  type: string;
  /** HTTP status; null where only the exception name was recorded. */
  status: number | null;
  /** AWS's message with <key-arn> / <key-region> placeholders; "" for none; null where not recorded. */
  message: string | null;
  /** The KmsErrorCode Keyport maps this answer to. */
  keyport: string;
  /** Why the emulator cannot be driven into this situation, where it cannot. */
  emulator?: string;
  note?: string;
};

export const AWS_ANSWERS = recording.answers as RecordedAnswer[];
export const AWS_ANSWERS_SOURCE = recording.source;

/** The recorded message with its placeholders filled in. */
export function fillPlaceholders(message: string, values: Record<string, string>): string {
  return message.replace(/<[a-z-]+>/g, (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${name} in "${message}"`);
    return value;
  });
}

/**
 * Enum lists in ValidationExceptions ("Member must satisfy enum value set: [A, B]") come in an order AWS does
 * not define; they are compared as sets.
 */
export function normaliseMessage(message: string): string {
  return message.replace(/enum value set: \[([^\]]*)\]/g, (_all, list: string) => `enum value set: [${list.split(", ").sort().join(", ")}]`);
}
