import { ConfigError, RandomStream, type Dataset, type Split } from "@natural-quantization/core";
import { checkInt } from "./sizes.js";

/** Default training and test sizes of the synthetic set. */
export const SYNTHETIC_DEFAULT_SIZES = { trainSize: 512, testSize: 256 } as const;

export interface SyntheticOptions {
  trainSize?: number;
  testSize?: number;
  inputSize?: number;
  numClasses?: number;
  /** Unsigned 32-bit seed; the same seed gives the same dataset. */
  seed?: number;
  /** Standard deviation of the Gaussian noise added to the class prototypes. */
  noise?: number;
}

/**
 * A small, learnable dataset for tests and smoke runs: class c has a prototype drawn
 * uniformly from [0, 1]^inputSize by RandomStream(seed, "split", 1000 + c); example i has
 * label i mod numClasses (balanced, no class blocks) and is its prototype plus N(0, noise^2)
 * per pixel, clipped to [0, 1]. Train noise comes from stream id 3000, test from 3001.
 */
export function syntheticDataset(options: SyntheticOptions = {}): Dataset {
  const trainSize = checkInt("trainSize", options.trainSize ?? SYNTHETIC_DEFAULT_SIZES.trainSize, 1);
  const testSize = checkInt("testSize", options.testSize ?? SYNTHETIC_DEFAULT_SIZES.testSize, 1);
  const inputSize = checkInt("inputSize", options.inputSize ?? 64, 1, 1 << 24);
  // At most 1000 classes, so prototype stream ids 1000 + c stay clear of the sample streams.
  const numClasses = checkInt("numClasses", options.numClasses ?? 4, 2, 1000);
  const seed = checkInt("seed", options.seed ?? 0, 0, 0xffffffff);
  const noise = options.noise ?? 0.15;
  if (!(Number.isFinite(noise) && noise >= 0)) throw new ConfigError("noise", noise, "a finite number >= 0");

  const prototypes = new Float64Array(numClasses * inputSize);
  for (let c = 0; c < numClasses; c++) {
    const rng = new RandomStream(seed, "split", 1000 + c);
    for (let j = 0; j < inputSize; j++) prototypes[c * inputSize + j] = rng.uniform();
  }
  const makeSplit = (n: number, id: number): Split => {
    const rng = new RandomStream(seed, "split", id);
    const x = new Float32Array(n * inputSize);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % numClasses;
      y[i] = c;
      for (let j = 0; j < inputSize; j++) {
        const v = prototypes[c * inputSize + j] + noise * rng.normal();
        x[i * inputSize + j] = Math.min(1, Math.max(0, v));
      }
    }
    return { n, x, y };
  };
  return {
    name: "synthetic",
    inputSize,
    numClasses,
    train: makeSplit(trainSize, 3000),
    test: makeSplit(testSize, 3001),
  };
}
