import { readFileLimited } from "@natural-quantization/core/node";
import { gunzipSync, gzipSync } from "node:zlib";
import { DataError, type Dataset } from "@natural-quantization/core";
import { idxDatasetFromArrays, isGzip, parseIdx, type IdxArray } from "./idx-parse.js";
import { checkInt } from "./sizes.js";

export * from "./idx-parse.js";

/** Encodes unsigned bytes as an IDX file (type 0x08), gzip-compressed if asked. */
export function writeIdx(dims: readonly number[], data: Uint8Array, options: { gzip?: boolean } = {}): Uint8Array {
  checkInt("IDX dimension count", dims.length, 1, 255);
  dims.forEach((d, i) => checkInt(`IDX dimension ${i}`, d, 0, 0xffffffff));
  const count = dims.reduce((p, d) => p * d, 1);
  if (count !== data.length) {
    throw new DataError(`writeIdx: dimensions [${dims.join(", ")}] hold ${count} values but data has ${data.length}; pass dimensions whose product is data.length`);
  }
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return options.gzip ? new Uint8Array(gzipSync(out)) : out;
}

/** The standard MNIST / Fashion-MNIST file names, without the optional ".gz". */
export const IDX_FILE_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

export interface IdxDatasetOptions {
  /** Paths of the four IDX files (raw or .gz). */
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
  /** Use only the first trainSize / testSize examples (default: all). */
  trainSize?: number;
  testSize?: number;
  /** Dataset name (default "idx"). */
  name?: string;
  /** Labels must be below this (default 10: MNIST, Fashion-MNIST). */
  maxClasses?: number;
}

/** The largest IDX file read: 2 GiB, well above any image dataset this project trains on. */
export const IDX_MAX_BYTES = 2 * 2 ** 30;

/** Reads and parses an IDX file (raw or .gz), refusing a missing, unreadable or oversized one first. */
export function readIdxFile(path: string, what = "IDX file"): IdxArray {
  return readIdx(readFileLimited(path, what, IDX_MAX_BYTES), path);
}

/**
 * Parses an IDX file, raw or gzip-compressed (detected by the gzip magic 1f 8b).
 * `source` names the file in error messages. Throws DataError on anything malformed.
 */
export function readIdx(bytes: Uint8Array, source: string): IdxArray {
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(`${source}: cannot decompress the gzip data (${(e as Error).message}); the file is truncated or corrupt; re-download or re-extract it`);
    }
  }
  return parseIdx(bytes, source);
}

/**
 * A dataset from four MNIST-format IDX files (MNIST, Fashion-MNIST, ...): images
 * ubyte [n, rows, cols] scaled by 1/255, labels ubyte [n]. numClasses is the largest
 * label in either labels file plus one. trainSize/testSize take the first rows.
 */
export function loadIdxDataset(options: IdxDatasetOptions): Dataset {
  const { trainImages, trainLabels, testImages, testLabels } = options;
  return idxDatasetFromArrays({
    trainImages: readIdxFile(trainImages),
    trainLabels: readIdxFile(trainLabels),
    testImages: readIdxFile(testImages),
    testLabels: readIdxFile(testLabels),
    files: { trainImages, trainLabels, testImages, testLabels },
    trainSize: options.trainSize,
    testSize: options.testSize,
    name: options.name,
    maxClasses: options.maxClasses,
  });
}
