import { describe, expect, it } from "vitest";
import { RandomPool, uuid4 } from "./uuid.ts";

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("uuid4", () => {
  it("makes version 4 UUIDs in randomUUID's form, each one new, across refills of its entropy", () => {
    const seen = new Set<string>();
    // 128 ids a refill: this crosses several.
    for (let i = 0; i < 1000; i++) {
      const id = uuid4();
      expect(id).toMatch(V4);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });

  it("returns a string of its own, not a view of the buffer it writes in", () => {
    const first = uuid4();
    const copy = `${first}`;
    uuid4();
    expect(first).toBe(copy);
  });

  it("spreads its digits: every hex digit appears in every free position over many ids", () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const id = uuid4();
      for (let c = 0; c < 36; c++) seen[c]!.add(id[c]!);
    }
    for (let c = 0; c < 36; c++) {
      const expected = [8, 13, 18, 23].includes(c) ? 1 : c === 14 ? 1 : c === 19 ? 4 : 16;
      expect(seen[c]!.size, `position ${c}`).toBe(expected);
    }
  });
});

describe("RandomPool", () => {
  it("hands out draws of their own, refilling its bytes when every draw was used", () => {
    const pool = new RandomPool(4, 3);
    const first = [pool.draw(), pool.draw(), pool.draw()];
    expect(first).toEqual([0, 4, 8]);
    const before = Buffer.from(pool.bytes);
    // The fourth draw refills: the same places, new bytes.
    expect(pool.draw()).toBe(0);
    expect(pool.bytes.equals(before)).toBe(false);
  });
});
