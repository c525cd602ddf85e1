import { describe, expect, it } from "vitest";
import { keysQuerySchema, keysQueryString } from "./schemas";

describe("keysQuerySchema", () => {
  it("gives defaults for an empty URL", () => {
    expect(keysQuerySchema.parse({})).toEqual({ sort: "alias", dir: "asc", page: 1 });
  });

  it("keeps valid filters and drops malformed ones instead of failing", () => {
    const q = keysQuerySchema.parse({
      target: "payments-production",
      region: "eu-west-1",
      state: "PendingImport",
      spec: "RSA_4096",
      q: "  billing  ",
      sort: "validTo",
      dir: "desc",
      page: "3",
    });
    expect(q).toEqual({
      target: "payments-production",
      region: "eu-west-1",
      state: "PendingImport",
      spec: "RSA_4096",
      q: "billing",
      sort: "validTo",
      dir: "desc",
      page: 3,
    });
    const bad = keysQuerySchema.parse({ region: "Frankfurt", state: "Exploded", spec: "rsa;drop", sort: "evil", dir: "up", page: "-2", q: "" });
    expect(bad).toEqual({ sort: "alias", dir: "asc", page: 1 });
  });

  it("drops a repeated parameter like any malformed one, rather than picking one of its values", () => {
    expect(keysQuerySchema.parse({ state: ["Enabled", "Disabled"], q: ["a", "b"], page: ["2", "3"] })).toMatchObject({ state: undefined, q: undefined, page: 1 });
    expect(keysQuerySchema.parse({ state: ["Enabled"] }).state).toBe("Enabled");
  });

  it("round-trips through the URL, leaving defaults out", () => {
    expect(keysQueryString({ sort: "alias", dir: "asc", page: 1 })).toBe("");
    const s = keysQueryString({ target: "a", state: "Enabled", sort: "validTo", dir: "desc", page: 2, q: "x y" });
    expect(s).toBe("?target=a&state=Enabled&q=x+y&sort=validTo&dir=desc&page=2");
    expect(keysQuerySchema.parse(Object.fromEntries(new URLSearchParams(s)))).toMatchObject({ target: "a", page: 2, q: "x y" });
  });
});
