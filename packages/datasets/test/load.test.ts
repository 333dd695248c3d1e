import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { DATASET_NAMES, loadDataset, writeIdx } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "nq-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadDataset", () => {
  it("loads mnist and synthetic by name", () => {
    const m = loadDataset("mnist", { trainSize: 100, testSize: 50 });
    expect(m.name).toBe("mnist-subset");
    expect([m.train.n, m.test.n]).toEqual([100, 50]);
    expect(loadDataset("mnist-subset", { trainSize: 100, testSize: 50 }).train.x).toEqual(m.train.x);
    const s = loadDataset("synthetic", { trainSize: 10, testSize: 5, seed: 3 });
    expect([s.name, s.train.n, s.test.n]).toEqual(["synthetic", 10, 5]);
  });

  it("finds the standard IDX file names, raw or .gz", () => {
    const px = new Uint8Array(6 * 4).fill(255);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), writeIdx([6, 2, 2], px, { gzip: true }));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), writeIdx([6], Uint8Array.of(0, 1, 2, 3, 4, 5)));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), writeIdx([2, 2, 2], px.subarray(0, 8)));
    expect(() => loadDataset(`idx:${dir}`)).toThrow(/has neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte\.gz; put the four/);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), writeIdx([2], Uint8Array.of(1, 0), { gzip: true }));
    const d = loadDataset(`idx:${dir}`, { trainSize: 4 });
    expect(d.numClasses).toBe(6);
    expect(d.inputSize).toBe(4);
    expect([d.train.n, d.test.n]).toEqual([4, 2]);
    expect(d.train.x.every((v) => v === 1)).toBe(true);
  });

  it("lists the allowed names for an unknown one", () => {
    expect(DATASET_NAMES).toContain("synthetic");
    expect(() => loadDataset("cifar")).toThrow(DataError);
    expect(() => loadDataset("cifar")).toThrow('unknown dataset "cifar"; use one of: mnist, mnist-subset, synthetic, idx:<dir>');
  });
});
