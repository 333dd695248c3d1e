import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { DataError, type Dataset } from "@natural-quantization/core";
import { loadIdxDataset } from "./idx.js";
import { loadMnistSubset } from "./mnist.js";
import { syntheticDataset, type SyntheticOptions } from "./synthetic.js";

/** Names `loadDataset` accepts ("idx:<dir>" stands for any directory). */
export const DATASET_NAMES = ["mnist", "mnist-subset", "synthetic", "idx:<dir>"] as const;

/** trainSize/testSize apply to every dataset; the rest only to "synthetic" (seed too: the MNIST split is fixed). */
export type LoadDatasetOptions = SyntheticOptions;

/** The standard MNIST / Fashion-MNIST file names, without the optional ".gz". */
export const IDX_FILE_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

function findIdxFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new DataError(
    `${dir} has neither ${base} nor ${base}.gz; put the four MNIST-format files (${Object.values(IDX_FILE_NAMES).join(", ")}, optionally .gz) in that directory`,
  );
}

/** Loads a dataset by name: "mnist" / "mnist-subset", "synthetic" or "idx:<dir>". */
export function loadDataset(name: string, options: LoadDatasetOptions = {}): Dataset {
  if (name === "mnist" || name === "mnist-subset") {
    return loadMnistSubset({ trainSize: options.trainSize, testSize: options.testSize });
  }
  if (name === "synthetic") return syntheticDataset(options);
  if (name.startsWith("idx:") && name.length > 4) {
    const dir = resolve(name.slice(4));
    return loadIdxDataset({
      trainImages: findIdxFile(dir, IDX_FILE_NAMES.trainImages),
      trainLabels: findIdxFile(dir, IDX_FILE_NAMES.trainLabels),
      testImages: findIdxFile(dir, IDX_FILE_NAMES.testImages),
      testLabels: findIdxFile(dir, IDX_FILE_NAMES.testLabels),
      trainSize: options.trainSize,
      testSize: options.testSize,
      name: basename(dir),
    });
  }
  throw new DataError(`unknown dataset ${JSON.stringify(name)}; use one of: ${DATASET_NAMES.join(", ")}`);
}
