import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "./deps";
import { approvalQueue } from "./read";
import { avery, casey, importHarness, reviewed, startInput } from "./testing";
import { decide, startImport, uploadBlob } from "./workflow";

/**
 * The approvals page's queue: paged however long it grows (no silent cap), each listed request with its own
 * approvals (read for the page at once), against the emulator and the real database on both drivers.
 */

const h = importHarness({ prefix: "keyport-approval-queue-" });

describe.each(testDrivers())("the approval queue on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    // Two approvals required: one approval leaves a request waiting, with that approval to show.
    deps = h.makeDeps(db, 2);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  async function awaitingApproval() {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, casey, requestId, (await h.wrapLikeACustodian(deps, requestId)).blob);
    return requestId;
  }

  it("pages the requests waiting for a decision, and gives each listed request its own approvals", async () => {
    const ids = [await awaitingApproval(), await awaitingApproval(), await awaitingApproval()];
    expect(await decide(deps, avery, await reviewed(deps, { requestId: ids[1]!, decision: "approve", comment: "One of two" }))).toMatchObject({
      state: "awaiting_approval",
    });

    const first = await approvalQueue(deps, { page: 1, pageSize: 2 });
    const second = await approvalQueue(deps, { page: 2, pageSize: 2 });
    expect(first.waitingTotal).toBe(3);
    expect(second.waitingTotal).toBe(3);
    expect(first.waiting).toHaveLength(2);
    expect(second.waiting).toHaveLength(1);
    const listed = [...first.waiting, ...second.waiting];
    expect(listed.map((entry) => entry.id).sort()).toEqual([...ids].sort());

    const approvalsOf = (id: string) => listed.find((entry) => entry.id === id)!.approvals;
    expect(approvalsOf(ids[1]!)).toMatchObject([{ requestId: ids[1], decision: "approve", approverSubject: avery.subject, comment: "One of two" }]);
    expect(approvalsOf(ids[0]!)).toEqual([]);
    expect(approvalsOf(ids[2]!)).toEqual([]);
    expect(first.after).toEqual([]);
    expect(first.afterTotal).toBe(0);
  });
});
