import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { MAX_BLOB_BYTES } from "@/lib/imports/schemas";
import { SERVER_ACTION_BODY_LIMIT, SERVER_ACTION_BODY_LIMIT_BYTES, SIGNED_OUT_BODY_LIMIT_BYTES, bodyRefusal } from "./body-limits";

const require = createRequire(import.meta.url);
const nextConfig = require("../../next.config.js") as {
  experimental?: { serverActions?: { bodySizeLimit?: string }; proxyClientMaxBodySize?: string };
};

describe("body limits", () => {
  it("next.config.js caps server actions and the proxy's body copy at the limit declared here", () => {
    expect(nextConfig.experimental?.serverActions?.bodySizeLimit).toBe(SERVER_ACTION_BODY_LIMIT);
    expect(nextConfig.experimental?.proxyClientMaxBodySize).toBe(SERVER_ACTION_BODY_LIMIT);
    expect(SERVER_ACTION_BODY_LIMIT).toBe(`${SERVER_ACTION_BODY_LIMIT_BYTES / 1024}kb`);
  });

  it("still admits the largest EncryptedKeyMaterial.bin with room for its form", () => {
    expect(SERVER_ACTION_BODY_LIMIT_BYTES).toBeGreaterThanOrEqual(MAX_BLOB_BYTES * 4);
  });

  it("refuses large or unmeasured signed-out bodies from their headers", () => {
    expect(bodyRefusal("POST", String(10 * 1024 * 1024), null)).toBe("payload_too_large");
    expect(bodyRefusal("PUT", String(SIGNED_OUT_BODY_LIMIT_BYTES + 1), null)).toBe("payload_too_large");
    expect(bodyRefusal("PATCH", "12abc", null)).toBe("payload_too_large");
    expect(bodyRefusal("POST", null, "chunked")).toBe("length_required");
    expect(bodyRefusal("post", String(SIGNED_OUT_BODY_LIMIT_BYTES), null)).toBeNull();
    expect(bodyRefusal("POST", null, null)).toBeNull();
    expect(bodyRefusal("GET", String(10 * 1024 * 1024), null)).toBeNull();
    // Signed in: only beyond what any action takes; a chunked body is cut at that limit by Next.
    expect(bodyRefusal("POST", String(SERVER_ACTION_BODY_LIMIT_BYTES), null, true)).toBeNull();
    expect(bodyRefusal("POST", String(SERVER_ACTION_BODY_LIMIT_BYTES + 1), null, true)).toBe("payload_too_large");
    expect(bodyRefusal("POST", null, "chunked", true)).toBeNull();
  });
});
