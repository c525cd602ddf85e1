import { NOTIFICATION_TITLES, type NotificationKind } from "./events";

/**
 * The body of a delivery: one JSON document that a Slack incoming webhook and a Microsoft Teams incoming webhook
 * both render, and that a program reads from its `keyport` member. Pure, so it is tested without a database.
 *
 * - Slack reads `text` (the notification line) and `attachments[]` (a coloured block with `title`/`title_link`
 *   and `fields[]` of `{ title, value, short }`); it ignores the members it does not know.
 * - Teams (the Office 365 connector card) reads `@type: "MessageCard"`, `summary`, `title`, `text`,
 *   `themeColor`, `sections[].facts[]` of `{ name, value }` and an `OpenUri` button in `potentialAction`; it
 *   ignores Slack's members.
 *
 * Only what the outbox row holds goes in: identifiers, states, dates and names. The outbox never holds an import
 * token, a wrapped blob or key material, so neither can a message.
 */

/** An outbox row as the sender reads it. */
export type OutboxMessage = {
  id: string;
  kind: string;
  summary: string;
  keyArn: string | null;
  targetId: string | null;
  region: string | null;
  requestId: string | null;
  path: string | null;
  fields: Record<string, string | number>;
  createdAt: Date;
};

/** The machine-readable part; receivers dedupe on `id` (deliveries are at least once). */
export type KeyportMessage = {
  version: 1;
  id: string;
  kind: string;
  at: string;
  summary: string;
  keyArn: string | null;
  account: string | null;
  targetId: string | null;
  region: string | null;
  requestId: string | null;
  link: string | null;
  fields: Record<string, string | number>;
};

type Fact = { name: string; value: string };

const COLORS: Record<NotificationKind, string> = {
  "approval.needed": "2563EB",
  "parameters.expiring": "D97706",
  "material.expiring": "D97706",
  "rotation.due": "D97706",
  "import.failed": "DC2626",
  "drift.found": "DC2626",
  "break_glass.used": "DC2626",
};

/** What the link is for, after "Open <link>". */
const OPEN_TO: Partial<Record<NotificationKind, string>> = {
  "approval.needed": "to review it",
  "import.failed": "to see the error",
  "parameters.expiring": "to act on it",
  "material.expiring": "to see the key",
};

function titleOf(kind: string): string {
  return (NOTIFICATION_TITLES as Record<string, string>)[kind] ?? kind;
}

/** The account of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`), or null. */
export function accountOf(keyArn: string | null): string | null {
  const account = keyArn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : null;
}

/** `path` under Keyport's public URL (which may itself have a path), or null when there is nowhere to go. */
export function linkFor(path: string | null, publicUrl: string): string | null {
  if (!path || !publicUrl) return null;
  return `${publicUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

export function keyportMessage(message: OutboxMessage, publicUrl: string): KeyportMessage {
  return {
    version: 1,
    id: message.id,
    kind: message.kind,
    at: message.createdAt.toISOString(),
    summary: message.summary,
    keyArn: message.keyArn,
    account: accountOf(message.keyArn),
    targetId: message.targetId,
    region: message.region,
    requestId: message.requestId,
    link: linkFor(message.path, publicUrl),
    fields: message.fields,
  };
}

function factsOf(m: KeyportMessage): Fact[] {
  const facts: Fact[] = [];
  const add = (name: string, value: string | number | null) => {
    if (value !== null && value !== "") facts.push({ name, value: String(value) });
  };
  for (const [name, value] of Object.entries(m.fields)) add(name, value);
  add("Key", m.keyArn);
  add("Account", m.account ?? m.targetId);
  add("Region", m.region);
  add("Request", m.requestId);
  add("When", m.at);
  return facts;
}

/** The whole body, as an object (JSON.stringify it once, and sign exactly those bytes). */
export function buildPayload(message: OutboxMessage, publicUrl: string) {
  const m = keyportMessage(message, publicUrl);
  const title = titleOf(m.kind);
  const color = (COLORS as Record<string, string>)[m.kind] ?? "6B7280";
  const facts = factsOf(m);
  const openTo = (OPEN_TO as Record<string, string>)[m.kind];
  const text = m.link ? `${m.summary} Open ${m.link}${openTo ? ` ${openTo}` : ""}.` : m.summary;
  return {
    text: `${title}: ${text}`,
    // Slack
    attachments: [
      {
        fallback: `${title}: ${text}`,
        color: `#${color}`,
        title,
        ...(m.link ? { title_link: m.link } : {}),
        fields: facts.map((f) => ({ title: f.name, value: f.value, short: f.value.length <= 40 })),
      },
    ],
    // Microsoft Teams
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
    summary: `${title}: ${m.summary}`,
    title,
    themeColor: color,
    sections: [{ text: m.summary, facts }],
    ...(m.link ? { potentialAction: [{ "@type": "OpenUri", name: "Open in Keyport", targets: [{ os: "default", uri: m.link }] }] } : {}),
    keyport: m,
  };
}

export type WebhookPayload = ReturnType<typeof buildPayload>;
