import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64 } from "../src/base64.js";

// Node's Buffer is the independent reference; the module itself must not need it (browsers).
const reference = (b: Uint8Array) => Buffer.from(b).toString("base64");

describe("base64", () => {
  it("encodes every length and byte value as Node's Buffer does, and decodes back", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, next);
      const s = bytesToBase64(bytes);
      expect(s).toBe(reference(bytes));
      expect(base64ToBytes(s)).toEqual(bytes);
    }
    const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => i & 255);
    expect(bytesToBase64(all)).toBe(reference(all));
  });

  it("refuses what is not strict padded base64", () => {
    for (const bad of ["A", "AB", "ABC", "AA=C", "A===", "AA-_", "AA C", "AAAA=", "AA\u0100A", "=AAA", "AA==AAAA"]) {
      expect(base64ToBytes(bad), bad).toBeNull();
    }
    expect(base64ToBytes("AA==")).toEqual(Uint8Array.of(0));
    // Unused low bits set: a different encoder wrote it, or it was altered.
    expect(base64ToBytes("AF==")).toBeNull();
    expect(base64ToBytes("AAF=")).toBeNull();
  });
});
