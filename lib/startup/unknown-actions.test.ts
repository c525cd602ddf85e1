import { describe, expect, it, vi } from "vitest";
import { getActionNotFoundError, getInvalidServerReferenceIdError } from "next/dist/server/app-render/manifests-singleton";
import { oneLineUnknownActionWarnings } from "./unknown-actions";

// The errors Next.js itself warns with when it cannot find an action.
const notFound = getActionNotFoundError("7f0000000000000000000000000000000000000000");
const notAnId = getInvalidServerReferenceIdError("garbage");
// What Next warns with for a no-JavaScript form naming no action (action-handler.js), word for word.
const noAction = new Error("Invalid Server Actions request.");

describe("calls of server actions this build does not have", () => {
  it("are logged as one line naming the id, not a stack trace", () => {
    const warn = vi.fn();
    const target = { warn };
    oneLineUnknownActionWarnings(target);
    oneLineUnknownActionWarnings(target); // once per process, however often the server starts its hooks
    target.warn(notFound);
    target.warn(notAnId);
    target.warn(noAction);
    const line = "[keyport] refused a server action call that matches no action of this build: ";
    expect(warn.mock.calls).toEqual([
      [`${line}Failed to find Server Action "7f0000000000000000000000000000000000000000". This request might be from an older or newer deployment.`],
      [`${line}The Server Reference ID did not match the expected format. Received "garbage".`],
      [`${line}Invalid Server Actions request.`],
    ]);
  });

  it("leave every other warning as it was", () => {
    const warn = vi.fn();
    const target = { warn };
    oneLineUnknownActionWarnings(target);
    const other = new Error("something else");
    target.warn(other);
    target.warn("[keyport] a line", 42);
    expect(warn.mock.calls).toEqual([[other], ["[keyport] a line", 42]]);
  });
});
