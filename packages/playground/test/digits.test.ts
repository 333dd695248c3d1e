// The page trains on digits.bin: its decoded subsets must be loadMnistSubset's, bit for bit.
import { bundledDigits, loadMnistSubset, mnistSubsetFromDigits } from "@natural-quantization/datasets";
import { describe, expect, it } from "vitest";
import { encodeDigits } from "../scripts/build-digits.mjs";
import { decodeDigits } from "../src/digits.js";

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

describe("digits.bin", () => {
  const bytes: Uint8Array = encodeDigits(bundledDigits());

  it("is compact: one byte per pixel and label, plus a 1 KiB header", () => {
    expect(bytes.length).toBe(16 + 1024 + 10_000 + 10_000 * 784);
  });

  it("decodes to the same split and float32 pixels as loadMnistSubset", () => {
    const digits = decodeDigits(bytes);
    for (const [trainSize, testSize] of [[1000, 5000], [5000, 5000], [7, 3]]) {
      const mine = mnistSubsetFromDigits(digits, { trainSize, testSize });
      const theirs = loadMnistSubset({ trainSize, testSize });
      for (const split of ["train", "test"] as const) {
        expect(mine[split].n).toBe(theirs[split].n);
        expect(Array.from(mine[split].y)).toEqual(Array.from(theirs[split].y));
        expect(Buffer.from(bits(mine[split].x)).equals(Buffer.from(bits(theirs[split].x)))).toBe(true);
      }
    }
  });

  it("rejects a file that is not one, naming the fix", () => {
    expect(() => decodeDigits(new Uint8Array(2000))).toThrow(/not a digits file.*rebuild the playground/);
    const cut = bytes.slice(0, bytes.length - 1);
    expect(() => decodeDigits(cut)).toThrow(/expected 7851040/);
  });
});
