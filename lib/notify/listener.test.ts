import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { enqueueNotification } from "./enqueue";
import { createListener } from "./listener";
import { createSender } from "./sender";
import { signatureHeaders } from "./signature";
import { enableNotifications } from "./state";
import { outboxRows } from "./testing";

/** `npm run webhook:listen`'s receiver, fed by the real sender. */

const SECRET = "l".repeat(40);

describe.each(testDrivers())("the demo's webhook listener on %s", (driver) => {
  let t: TestDatabase;
  let url: string;
  const printed: string[] = [];
  const server = createListener({ secret: SECRET, failFirst: 1, print: (line) => printed.push(line) });
  let restore: () => void;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    restore = enableNotifications();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    restore?.();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t?.cleanup();
  });

  it("prints what Keyport sends, after answering 503 once as asked, and refuses what it did not sign", async () => {
    const at = new Date();
    await t.database.db.transaction((tx) =>
      enqueueNotification(tx, { kind: "import.failed", dedupeKey: "listener:1", summary: "The import into alias/payments failed (kms_internal).", region: "eu-west-1", path: "/imports/x", fields: { Error: "kms_internal" }, at }),
    );
    const sender = createSender({ db: t.database.db, url, secret: SECRET, publicUrl: "http://127.0.0.1:3000", firstRetryMs: 1, random: () => 0 });
    expect(await sender.runOnce()).toMatchObject({ failed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await sender.runOnce()).toMatchObject({ delivered: 1 });
    const [row] = await outboxRows(t.database.db);
    expect(printed[0]).toBe(`answered 503 to delivery ${row!.id} (--fail): Keyport will try again`);
    expect(printed[1]).toContain(`import.failed  (delivery ${row!.id}, signature ok)`);
    expect(printed[1]).toContain("  The import into alias/payments failed (kms_internal).");
    expect(printed[1]).toContain("  Error: kms_internal");
    expect(printed[1]).toContain("  http://127.0.0.1:3000/imports/x");
    const received = (await (await fetch(`${url}received`)).json()) as Array<{ delivery: string; message: { kind: string; link: string } }>;
    expect(received).toMatchObject([{ delivery: row!.id, message: { kind: "import.failed", link: "http://127.0.0.1:3000/imports/x" } }]);

    const body = JSON.stringify({ text: "forged" });
    const forged = await fetch(url, { method: "POST", body, headers: signatureHeaders("f".repeat(40), "forged-1", Math.floor(Date.now() / 1000), body) });
    expect(forged.status).toBe(401);
    expect(printed.at(-1)).toBe("refused POST forged-1: signature mismatch");
  });
});
