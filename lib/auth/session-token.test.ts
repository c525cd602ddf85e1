import { describe, expect, it } from "vitest";
import { fixedClock, setClockOffset } from "@/lib/clock";
import { nowSeconds, secondsLeft, sessionCookieName, sessionFromToken, usesSecureCookies } from "./session-token";

const EIGHT_HOURS = 8 * 3600;
const now = 1_800_000_000;
const token = { sub: "u1", name: "Casey", email: "casey@example.com", roles: ["custodian"], signedInAt: now - 60, sid: "s".repeat(22) };

describe("sessionFromToken", () => {
  it("reads a current token", () => {
    expect(sessionFromToken(token, EIGHT_HOURS, now)).toEqual({
      user: { id: "u1", name: "Casey", email: "casey@example.com", roles: ["custodian"] },
      signedInAt: now - 60,
      sessionId: "s".repeat(22),
    });
  });

  it("ends the session 8 hours after sign-in, however often the token was re-issued", () => {
    expect(sessionFromToken({ ...token, signedInAt: now - EIGHT_HOURS + 1 }, EIGHT_HOURS, now)).not.toBeNull();
    expect(sessionFromToken({ ...token, signedInAt: now - EIGHT_HOURS }, EIGHT_HOURS, now)).toBeNull();
  });

  it.each([
    ["no token", null],
    ["no subject", { ...token, sub: "" }],
    ["an unknown role", { ...token, roles: ["superuser"] }],
    ["no sign-in time (a token from before roles existed)", { ...token, signedInAt: undefined }],
    ["roles that are not a list", { ...token, roles: "admin" }],
    ["no session id (a token from before session records, which nothing can revoke)", { ...token, sid: undefined }],
  ])("refuses %s", (_name, value) => {
    expect(sessionFromToken(value, EIGHT_HOURS, now)).toBeNull();
  });

  it("keeps a person without a role (they get the no-access page)", () => {
    expect(sessionFromToken({ ...token, roles: [] }, EIGHT_HOURS, now)?.user.roles).toEqual([]);
  });
});

describe("the session clock", () => {
  it("follows the clock's source, not the demo offset: moving the demo clock a day signs nobody out", () => {
    const clock = fixedClock(now * 1000);
    try {
      const signedIn = { ...token, signedInAt: nowSeconds() };
      setClockOffset(24 * 3600_000);
      expect(nowSeconds()).toBe(now);
      expect(sessionFromToken(signedIn, EIGHT_HOURS)).not.toBeNull();
      clock.advance(EIGHT_HOURS * 1000);
      expect(sessionFromToken(signedIn, EIGHT_HOURS)).toBeNull();
    } finally {
      clock.restore();
    }
  });
});

describe("cookies", () => {
  it("are Secure exactly when Keyport's URL is https", () => {
    expect(usesSecureCookies("https://keyport.example.com")).toBe(true);
    expect(usesSecureCookies("http://127.0.0.1:3000")).toBe(false);
    expect(usesSecureCookies(undefined)).toBe(false);
    expect(sessionCookieName(true)).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName(false)).toBe("next-auth.session-token");
  });

  it("counts the seconds a session has left", () => {
    expect(secondsLeft(now - 100, EIGHT_HOURS, now)).toBe(EIGHT_HOURS - 100);
    expect(secondsLeft(now - EIGHT_HOURS - 5, EIGHT_HOURS, now)).toBe(0);
  });
});
