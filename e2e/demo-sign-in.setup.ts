import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test as setup } from "@playwright/test";
import { DEMO_PEOPLE } from "../lib/auth/demo-people";
import { storageStatePath } from "./fixtures";

// One signed-in storage state per demo person, through next-auth's real endpoints (CSRF token, credentials
// callback), so specs can start signed in: `test.use({ signedInAs: "custodian" })`.
for (const person of DEMO_PEOPLE) {
  setup(`sign in as ${person.name}`, async ({ request }) => {
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await request.post("/api/auth/callback/demo", {
      form: { csrfToken, personId: person.id, json: "true" },
    });
    expect(response.ok()).toBe(true);
    expect(((await response.json()) as { url: string }).url).not.toContain("error=");
    const session = (await (await request.get("/api/auth/session")).json()) as { keyport?: { id: string } };
    expect(session.keyport?.id).toBe(person.id);
    const file = storageStatePath(person.id);
    mkdirSync(path.dirname(file), { recursive: true });
    await request.storageState({ path: file });
  });
}
