import { describe, expect, it } from "vitest";
import { isUndecodablePath } from "./url";

describe("paths that do not decode", () => {
  it("are malformed or invalid UTF-8 escapes", () => {
    for (const path of ["/api/imports/x/files/%C0%AE", "/api/imports/%E0%A4%A/files/x", "/%ZZ", "/a%", "/%FF", "/%ED%A0%80"]) {
      expect(isUndecodablePath(path), path).toBe(true);
    }
  });

  it("leave valid escapes and plain paths alone", () => {
    for (const path of ["/keys", "/api/imports/x/files/%2E", "/audit/%E4%B8%AD", "/%25"]) expect(isUndecodablePath(path), path).toBe(false);
  });
});
