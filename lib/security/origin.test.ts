import { afterEach, describe, expect, it, vi } from "vitest";
import { crossOriginPageResponse } from "./origin";

const post = (headers: Record<string, string>, method = "POST") => new Request("http://keyport.test/keys", { method, headers: { host: "keyport.test", ...headers } });

describe("posts to pages from another site, at the proxy", () => {
  afterEach(() => vi.restoreAllMocks());

  it("are a 403 saying where to make the change, with the page's CSP, and one warning line", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const foreign: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site", origin: "http://keyport.test" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of foreign) {
      const response = crossOriginPageResponse(post({ "next-action": "7f".padEnd(42, "0"), ...headers }), "/keys", "default-src 'self'");
      expect(response?.status, JSON.stringify(headers)).toBe(403);
      expect(response!.headers.get("content-security-policy")).toBe("default-src 'self'");
      expect(response!.headers.get("cache-control")).toBe("no-store");
      await expect(response!.json()).resolves.toEqual({ ok: false, code: "cross_origin", message: expect.stringMatching(/^Keyport refused this request because it came from another website\./) });
    }
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn.mock.calls.every(([line]) => typeof line === "string" && !line.includes("\n"))).toBe(true);
  });

  it("leave alone the app's own posts, reads, callers that are not browsers, and routes (which refuse by themselves)", () => {
    expect(crossOriginPageResponse(post({ origin: "http://keyport.test" }), "/keys", "")).toBeNull();
    expect(crossOriginPageResponse(post({ origin: "https://keyport.example", "x-forwarded-host": "keyport.example" }), "/keys", "")).toBeNull();
    expect(crossOriginPageResponse(post({}), "/keys", "")).toBeNull();
    expect(crossOriginPageResponse(post({ origin: "https://evil.example" }, "GET"), "/keys", "")).toBeNull();
    expect(crossOriginPageResponse(post({ origin: "https://evil.example" }), "/api/auth/end-session", "")).toBeNull();
  });
});
