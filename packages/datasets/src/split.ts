// The fixed split of the bundled digits, without Node modules (the browser playground uses it too).
import { DataError, RandomStream, type Dataset, type Split } from "@natural-quantization/core";
import { checkInt } from "./sizes.js";

export const MNIST_INPUT_SIZE = 784;
export const MNIST_CLASSES = 10;

/** Default training and test sizes of the subset: the paper's 5000 / 5000. */
export const MNIST_SUBSET_DEFAULT_SIZE = 5000;

export interface MnistSubsetOptions {
  /** Training examples (default 5000). */
  trainSize?: number;
  /** Test examples (default 5000). */
  testSize?: number;
}

/** Digits class by class: class c is images [counts[0] + ... + counts[c - 1], ... + counts[c]), pixels in [0, 1]. */
export interface Digits {
  readonly counts: readonly number[];
  readonly pixels: Float32Array;
}

/**
 * Splits `size` units among classes in proportion to `counts` by largest remainder
 * (Hamilton's method), never giving class c more than `caps[c]`. Integer arithmetic
 * only, so the result is exact and platform independent.
 */
function apportion(size: number, counts: readonly number[], caps: readonly number[]): number[] {
  const total = counts.reduce((s, n) => s + n, 0);
  const quota = counts.map((n, c) => Math.min(caps[c], Math.floor((size * n) / total)));
  const remainder = counts.map((n) => (size * n) % total);
  const order = counts.map((_, c) => c).sort((a, b) => remainder[b] - remainder[a] || a - b);
  let left = size - quota.reduce((s, q) => s + q, 0);
  // Normally one pass hands out every leftover unit; the loop only repeats when caps bind.
  while (left > 0) {
    for (const c of order) {
      if (left > 0 && quota[c] < caps[c]) {
        quota[c]++;
        left--;
      }
    }
  }
  return quota;
}

/**
 * The fixed, class-stratified split of the bundled digits. `classCounts[c]` images of
 * class c are numbered offset[c] .. offset[c] + classCounts[c] - 1 (classes in order, images
 * in file order); returns the chosen image numbers. See README.md, "The split".
 *
 * 1. Quotas: class c gets trainSize * n_c / N training and testSize * n_c / N test images,
 *    rounded by largest remainder so the totals are exact.
 * 2. Choice: class c's images are permuted by RandomStream(0, "split", c); training takes
 *    the first train_c, test the last test_c of that permutation, so the two never overlap,
 *    the test set does not depend on trainSize, and the training set not on testSize.
 * 3. Order: the k-th of class c's q_c chosen images is placed at (k + 1/2) / q_c, and each
 *    split is sorted by that position (ties by class), so classes are spread evenly and
 *    every prefix is itself nearly stratified.
 */
export function stratifiedSplit(
  classCounts: readonly number[],
  trainSize: number,
  testSize: number,
): { train: Uint32Array; test: Uint32Array } {
  classCounts.forEach((n, c) => checkInt(`classCounts[${c}]`, n, 0));
  checkInt("trainSize", trainSize, 0);
  checkInt("testSize", testSize, 0);
  const total = classCounts.reduce((s, n) => s + n, 0);
  if (trainSize + testSize > total) {
    throw new DataError(
      `trainSize ${trainSize} + testSize ${testSize} = ${trainSize + testSize} exceeds the ${total} available images; choose sizes that add up to at most ${total}`,
    );
  }
  const trainQ = apportion(trainSize, classCounts, classCounts);
  const testQ = apportion(testSize, classCounts, classCounts.map((n, c) => n - trainQ[c]));
  const trainParts: number[][] = [];
  const testParts: number[][] = [];
  let offset = 0;
  classCounts.forEach((n, c) => {
    const perm = new RandomStream(0, "split", c).permutation(n);
    trainParts.push(Array.from(perm.subarray(0, trainQ[c]), (i) => offset + i));
    testParts.push(Array.from(perm.subarray(n - testQ[c]), (i) => offset + i));
    offset += n;
  });
  return { train: interleave(trainParts), test: interleave(testParts) };
}

/** Merges per-class lists, item k of a list of length q at position (k + 1/2) / q. */
function interleave(parts: number[][]): Uint32Array {
  const items: { c: number; k: number; q: number }[] = [];
  parts.forEach((p, c) => p.forEach((_, k) => items.push({ c, k, q: p.length })));
  // Compare (2k + 1) / 2q exactly by cross-multiplying.
  items.sort((a, b) => (2 * a.k + 1) * b.q - (2 * b.k + 1) * a.q || a.c - b.c);
  return Uint32Array.from(items, ({ c, k }) => parts[c][k]);
}

function gather(d: Digits, labels: Int32Array, indices: Uint32Array): Split {
  const x = new Float32Array(indices.length * MNIST_INPUT_SIZE);
  const y = new Int32Array(indices.length);
  indices.forEach((img, i) => {
    x.set(d.pixels.subarray(img * MNIST_INPUT_SIZE, (img + 1) * MNIST_INPUT_SIZE), i * MNIST_INPUT_SIZE);
    y[i] = labels[img];
  });
  return { n: indices.length, x, y };
}

/**
 * The train/test subset of `digits` by the fixed rule of `stratifiedSplit` (what
 * loadMnistSubset returns for the bundled digits).
 */
export function mnistSubsetFromDigits(digits: Digits, options: MnistSubsetOptions = {}): Dataset {
  const trainSize = checkInt("trainSize", options.trainSize ?? MNIST_SUBSET_DEFAULT_SIZE, 1);
  const testSize = checkInt("testSize", options.testSize ?? MNIST_SUBSET_DEFAULT_SIZE, 1);
  const split = stratifiedSplit(digits.counts, trainSize, testSize);
  const labels = new Int32Array(digits.pixels.length / MNIST_INPUT_SIZE);
  let at = 0;
  digits.counts.forEach((n, c) => labels.fill(c, at, (at += n)));
  return {
    name: "mnist-subset",
    inputSize: MNIST_INPUT_SIZE,
    numClasses: MNIST_CLASSES,
    train: gather(digits, labels, split.train),
    test: gather(digits, labels, split.test),
  };
}
