import { describe, expect, it } from "vitest";
import { accountOf, buildPayload, linkFor, type OutboxMessage } from "./payload";

const message: OutboxMessage = {
  id: "0b7c9a3e-4d1f-4a55-9d8e-1f2a3b4c5d6e",
  kind: "approval.needed",
  summary: "Casey uploaded wrapped key material for alias/payments in eu-west-1; it awaits approval by someone else.",
  keyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  targetId: "prod",
  region: "eu-west-1",
  requestId: "82ca661b-0000-4000-8000-000000000001",
  path: "/imports/82ca661b-0000-4000-8000-000000000001",
  fields: { "Requested by": "Casey Nakamura" },
  createdAt: new Date("2026-12-01T09:00:00.000Z"),
};

describe("the webhook payload", () => {
  const payload = buildPayload(message, "https://keyport.example.com/");
  const link = "https://keyport.example.com/imports/82ca661b-0000-4000-8000-000000000001";

  it("has Slack's text and attachment fields", () => {
    expect(payload.text).toBe(`Approval needed: ${message.summary} Open ${link} to review it.`);
    expect(payload.attachments).toEqual([
      expect.objectContaining({
        fallback: payload.text,
        color: "#2563EB",
        title: "Approval needed",
        title_link: link,
        fields: expect.arrayContaining([
          { title: "Requested by", value: "Casey Nakamura", short: true },
          { title: "Key", value: message.keyArn, short: false },
          { title: "Account", value: "111122223333", short: true },
        ]),
      }),
    ]);
  });

  it("is a Teams MessageCard with facts and an Open button", () => {
    expect(payload).toMatchObject({
      "@type": "MessageCard",
      "@context": "https://schema.org/extensions",
      summary: `Approval needed: ${message.summary}`,
      title: "Approval needed",
      themeColor: "2563EB",
      potentialAction: [{ "@type": "OpenUri", name: "Open in Keyport", targets: [{ os: "default", uri: link }] }],
    });
    expect(payload.sections[0]!.facts).toEqual([
      { name: "Requested by", value: "Casey Nakamura" },
      { name: "Key", value: message.keyArn },
      { name: "Account", value: "111122223333" },
      { name: "Region", value: "eu-west-1" },
      { name: "Request", value: message.requestId },
      { name: "When", value: "2026-12-01T09:00:00.000Z" },
    ]);
  });

  it("carries the message for programs", () => {
    expect(payload.keyport).toEqual({
      version: 1,
      id: message.id,
      kind: "approval.needed",
      at: "2026-12-01T09:00:00.000Z",
      summary: message.summary,
      keyArn: message.keyArn,
      account: "111122223333",
      targetId: "prod",
      region: "eu-west-1",
      requestId: message.requestId,
      link,
      fields: { "Requested by": "Casey Nakamura" },
    });
  });

  it("leaves out what a message does not have", () => {
    const bare = buildPayload({ ...message, keyArn: null, requestId: null, path: null, fields: {} }, "https://keyport.example.com");
    expect(bare.text).toBe(`Approval needed: ${message.summary}`);
    expect(bare).not.toHaveProperty("potentialAction");
    expect(bare.attachments[0]).not.toHaveProperty("title_link");
    expect(bare.keyport).toMatchObject({ keyArn: null, account: null, link: null });
    expect(bare.sections[0]!.facts.map((f) => f.name)).toEqual(["Account", "Region", "When"]);
  });

  it("makes links under a public URL that has a path of its own", () => {
    expect(linkFor("/keys/prod/eu-west-1/k", "https://example.com/keyport/")).toBe("https://example.com/keyport/keys/prod/eu-west-1/k");
    expect(accountOf("arn:aws:kms:eu-west-1:111122223333:alias/x")).toBe("111122223333");
    expect(accountOf("not an arn")).toBeNull();
  });
});
