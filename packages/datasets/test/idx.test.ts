import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { loadIdxDataset, readIdx, writeIdx } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "nq-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** n images of 2x3 pixels whose first pixel is 10 * i, labels i mod classes. */
function images(n: number): Uint8Array {
  return Uint8Array.from({ length: n * 6 }, (_, k) => (k % 6 === 0 ? 10 * (k / 6) : k % 256));
}
function labels(n: number, classes: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i % classes);
}

describe("readIdx / writeIdx", () => {
  it("round-trips raw and gzipped files", () => {
    const data = images(5);
    for (const gzip of [false, true]) {
      const bytes = writeIdx([5, 2, 3], data, { gzip });
      expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
      const back = readIdx(bytes, "x");
      expect(back).toEqual({ dims: [5, 2, 3], type: "ubyte", data });
    }
  });

  it("writes the standard header", () => {
    expect(Array.from(writeIdx([2], Uint8Array.of(7, 9)))).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
  });

  it("decodes big-endian wider types", () => {
    const bytes = Uint8Array.of(0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe);
    const back = readIdx(bytes, "shorts");
    expect(back.type).toBe("short");
    expect(Array.from(back.data)).toEqual([258, -2]);
  });

  it("reports a truncated file with expected vs actual bytes", () => {
    const bytes = writeIdx([5, 2, 3], images(5)).subarray(0, 30);
    expect(() => readIdx(bytes, "t.idx")).toThrow(DataError);
    expect(() => readIdx(bytes, "t.idx")).toThrow(
      /t\.idx: .*need 30 data bytes but only 14 follow the header; the file is truncated or corrupt; re-download or re-extract it/,
    );
    expect(() => readIdx(bytes.subarray(0, 10), "t.idx")).toThrow(/header needs 16 bytes/);
  });

  it("reports a bad magic number", () => {
    const bytes = Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0);
    expect(() => readIdx(bytes, "a.zip")).toThrow(DataError);
    expect(() => readIdx(bytes, "a.zip")).toThrow(/a\.zip: not an IDX file \(starts with 50 4b 03 04.*pass an MNIST-format file/);
    expect(() => readIdx(Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 0), "b")).toThrow(/unknown IDX element type 0x42/);
  });

  it("reports corrupt gzip data", () => {
    const gz = writeIdx([5, 2, 3], images(5), { gzip: true });
    expect(() => readIdx(gz.subarray(0, gz.length - 10), "c.gz")).toThrow(/c\.gz: cannot decompress .*re-download or re-extract it/);
  });

  it("rejects dims that do not match the data", () => {
    expect(() => writeIdx([2, 2], new Uint8Array(3))).toThrow(DataError);
  });
});

describe("loadIdxDataset", () => {
  const files = {
    trainImages: file("train-img.gz", writeIdx([8, 2, 3], images(8), { gzip: true })),
    trainLabels: file("train-lab", writeIdx([8], labels(8, 3))),
    testImages: file("test-img", writeIdx([4, 2, 3], images(4))),
    testLabels: file("test-lab.gz", writeIdx([4], labels(4, 3), { gzip: true })),
  };

  it("reads and scales the four files", () => {
    const d = loadIdxDataset({ ...files, name: "tiny" });
    expect(d.name).toBe("tiny");
    expect(d.inputSize).toBe(6);
    expect(d.numClasses).toBe(3);
    expect(d.train.n).toBe(8);
    expect(d.test.n).toBe(4);
    expect(Array.from(d.train.y)).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(d.train.x[6]).toBeCloseTo(10 / 255, 7);
    expect(d.train.x[1]).toBeCloseTo(1 / 255, 7);
    for (const v of d.test.x) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("takes the first trainSize / testSize rows", () => {
    const d = loadIdxDataset({ ...files, trainSize: 5, testSize: 2 });
    expect(d.train.n).toBe(5);
    expect(d.train.x.length).toBe(30);
    expect(Array.from(d.test.y)).toEqual([0, 1]);
    expect(() => loadIdxDataset({ ...files, trainSize: 9 })).toThrow(/trainSize 9 exceeds the 8 examples in .*at most 8/);
  });

  it("rejects mismatched image and label counts", () => {
    const trainLabels = file("short-lab", writeIdx([7], labels(7, 3)));
    expect(() => loadIdxDataset({ ...files, trainLabels })).toThrow(DataError);
    expect(() => loadIdxDataset({ ...files, trainLabels })).toThrow(/has 8 images but .*short-lab has 7 labels; pass the labels file/);
  });

  it("rejects files of the wrong shape, out-of-range labels and a missing file", () => {
    expect(() => loadIdxDataset({ ...files, trainImages: files.trainLabels })).toThrow(/expected images as ubyte \[n, rows, cols\], got ubyte \[8\]/);
    const bad = file("bad-lab", writeIdx([8], Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 12)));
    expect(() => loadIdxDataset({ ...files, trainLabels: bad })).toThrow(/has label 12 but labels must be below 10/);
    const zeros = file("zero-lab", writeIdx([8], new Uint8Array(8)));
    const zeros4 = file("zero-lab4", writeIdx([4], new Uint8Array(4)));
    expect(() => loadIdxDataset({ ...files, trainLabels: zeros, testLabels: zeros4 })).toThrow(/at least two classes/);
    expect(() => loadIdxDataset({ ...files, testImages: join(dir, "nope") })).toThrow(/^cannot read IDX file .*nope: no such file \(ENOENT\); check the path$/);
  });
});
