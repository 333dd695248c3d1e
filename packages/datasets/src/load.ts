import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DataError, type Dataset } from "@natural-quantization/core";
import { FASHION_MNIST, fetchFashionMnist, loadFashionMnist } from "./fashion-mnist.js";
import { IDX_FILE_NAMES, loadIdxDataset } from "./idx.js";
import { loadMnist } from "./mnist.js";
import { loadMnistSubset, MNIST_SUBSET_DEFAULT_SIZE } from "./mnist-subset.js";
import type { FetchRemoteOptions } from "./remote.js";
import { SYNTHETIC_DEFAULT_SIZES, syntheticDataset, type SyntheticOptions } from "./synthetic.js";

/** Names `loadDataset` accepts ("idx:<dir>" stands for any directory). */
export const DATASET_NAMES = ["mnist", "mnist-subset", "fashion-mnist", "synthetic", "idx:<dir>"] as const;

/**
 * trainSize/testSize apply to every dataset (default: all rows, except mnist-subset: 5000 / 5000);
 * the rest only to "synthetic" (seed too: the MNIST split is fixed).
 */
export type LoadDatasetOptions = SyntheticOptions;

/**
 * The sizes `loadDataset(name)` uses when none are given, for the datasets that do not simply
 * take every row: mnist-subset 5000 / 5000, synthetic 512 / 256; {} for the others (all rows).
 */
export function defaultDatasetSizes(name: string): { trainSize?: number; testSize?: number } {
  if (name === "mnist-subset") return { trainSize: MNIST_SUBSET_DEFAULT_SIZE, testSize: MNIST_SUBSET_DEFAULT_SIZE };
  if (name === "synthetic") return { ...SYNTHETIC_DEFAULT_SIZES };
  return {};
}

function findIdxFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new DataError(
    `${dir} has neither ${base} nor ${base}.gz; put the four MNIST-format files (${Object.values(IDX_FILE_NAMES).join(", ")}, optionally .gz) in that directory`,
  );
}

/**
 * Loads a dataset by name: "mnist" (full), "mnist-subset" (bundled), "fashion-mnist" (from the
 * cache; call ensureDataset first to download it), "synthetic" or "idx:<dir>".
 */
export function loadDataset(name: string, options: LoadDatasetOptions = {}): Dataset {
  const sizes = { trainSize: options.trainSize, testSize: options.testSize };
  if (name === "mnist") return loadMnist(sizes);
  if (name === "mnist-subset") return loadMnistSubset(sizes);
  if (name === FASHION_MNIST.name) return loadFashionMnist(sizes);
  if (name === "synthetic") return syntheticDataset(options);
  if (name.startsWith("idx:") && name.length > 4) {
    const dir = resolve(name.slice(4));
    return loadIdxDataset({
      trainImages: findIdxFile(dir, IDX_FILE_NAMES.trainImages),
      trainLabels: findIdxFile(dir, IDX_FILE_NAMES.trainLabels),
      testImages: findIdxFile(dir, IDX_FILE_NAMES.testImages),
      testLabels: findIdxFile(dir, IDX_FILE_NAMES.testLabels),
      ...sizes,
      name: basename(dir),
    });
  }
  throw new DataError(`unknown dataset ${JSON.stringify(name)}; use one of: ${DATASET_NAMES.join(", ")}`);
}

/**
 * Makes sure a dataset's files are on this machine: downloads "fashion-mnist" into the cache
 * on first use (with progress, resume, retries and SHA-256 checks); does nothing for the
 * other names. Call it before `loadDataset`, which never uses the network.
 */
export async function ensureDataset(name: string, options: FetchRemoteOptions = {}): Promise<void> {
  if (name === FASHION_MNIST.name) await fetchFashionMnist(options);
}
