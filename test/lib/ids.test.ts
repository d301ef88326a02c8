// Prefixed, time-ordered ids.
import { describe, expect, it } from "bun:test";
import { isId, newId } from "../../src/lib/ids.ts";

describe("ids", () => {
  it("are the prefix, an underscore and 26 lowercase Crockford base32 characters", () => {
    for (const prefix of ["ep", "evt", "dlv", "att", "key"] as const) {
      const id = newId(prefix);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9abcdefghjkmnpqrstvwxyz]{26}$`));
      expect(id).not.toContain(".");
      expect(isId(prefix, id)).toBe(true);
    }
  });

  it("sort in creation order within a process", () => {
    const ids = Array.from({ length: 1000 }, () => newId("evt"));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("are recognised only with their own prefix and shape", () => {
    const id = newId("ep");
    expect(isId("evt", id)).toBe(false);
    expect(isId("ep", `${id}x`)).toBe(false);
    expect(isId("ep", id.toUpperCase())).toBe(false);
    expect(isId("ep", "ep_../../etc/passwd0000000000")).toBe(false);
  });
});
