// The IDX format without Node modules: parsing, and a dataset from parsed arrays (the browser
// playground uses both; idx.ts adds files and gzip).
import { DataError, type Dataset, type Split } from "@natural-quantization/core";
import { checkInt } from "./sizes.js";

/** Element types of the IDX format (http://yann.lecun.com/exdb/mnist/), by type byte. */
export type IdxType = "ubyte" | "byte" | "short" | "int" | "float" | "double";
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** Sizes of the dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  type: IdxType;
  /** Elements in row-major order, converted from big-endian to native numbers. */
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: "ubyte", size: 1 },
  0x09: { type: "byte", size: 1 },
  0x0b: { type: "short", size: 2 },
  0x0c: { type: "int", size: 4 },
  0x0d: { type: "float", size: 4 },
  0x0e: { type: "double", size: 8 },
};

const FIX = "the file is truncated or corrupt; re-download or re-extract it";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** True for gzip data (magic 1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an uncompressed IDX file; `source` names it in error messages. Throws DataError on
 * anything malformed.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (isGzip(bytes)) {
    throw new DataError(`${source}: the data is gzip-compressed; decompress it first (readIdx in Node does, a browser can use DecompressionStream)`);
  }
  if (bytes.length < 4) {
    throw new DataError(`${source}: only ${bytes.length} bytes, too short for an IDX header (4 bytes at least); ${FIX}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `${source}: not an IDX file (starts with ${hex(bytes.subarray(0, 4))}, expected 00 00 <type> <dims>); pass an MNIST-format file such as train-images-idx3-ubyte or its .gz`,
    );
  }
  const spec = TYPES[bytes[2]];
  if (!spec) {
    throw new DataError(
      `${source}: unknown IDX element type 0x${hex(bytes.subarray(2, 3))} (known: 08 ubyte, 09 byte, 0b short, 0c int, 0d float, 0e double); ${FIX}`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw new DataError(`${source}: the IDX header declares 0 dimensions; ${FIX}`);
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new DataError(`${source}: the header needs ${header} bytes for ${rank} dimensions but the file has ${bytes.length}; ${FIX}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((p, d) => p * d, 1);
  const expected = count * spec.size;
  const actual = bytes.length - header;
  if (actual < expected) {
    throw new DataError(
      `${source}: dimensions [${dims.join(", ")}] of ${spec.type} need ${expected} data bytes but only ${actual} follow the header; ${FIX}`,
    );
  }
  if (actual > expected) {
    throw new DataError(
      `${source}: dimensions [${dims.join(", ")}] of ${spec.type} need ${expected} data bytes but ${actual} follow the header; the file is corrupt or not an IDX file; re-download or re-extract it`,
    );
  }
  return { dims, type: spec.type, data: decode(view, header, count, spec.type) };
}

/** Converts the big-endian payload to a native typed array (a copy, not a view of `view`). */
function decode(view: DataView, at: number, count: number, type: IdxType): IdxData {
  const start = view.byteOffset + at;
  switch (type) {
    case "ubyte":
      return new Uint8Array(view.buffer, start, count).slice();
    case "byte":
      return new Int8Array(view.buffer, start, count).slice();
    case "short":
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i, false));
    case "int":
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i, false));
    case "float":
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, false));
    case "double":
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i, false));
  }
}

/** The four parsed IDX arrays of a dataset, and the names of their files for error messages. */
export interface IdxArraysOptions {
  trainImages: IdxArray;
  trainLabels: IdxArray;
  testImages: IdxArray;
  testLabels: IdxArray;
  files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
  /** Use only the first trainSize / testSize examples (default: all). */
  trainSize?: number;
  testSize?: number;
  /** Dataset name (default "idx"). */
  name?: string;
  /** Labels must be below this (default 10: MNIST, Fashion-MNIST). */
  maxClasses?: number;
}

/** Checks that one split's parsed images and labels fit together. */
function checkPair(images: string, img: IdxArray, labels: string, lab: IdxArray): { img: IdxArray; lab: Uint8Array } {
  if (img.type !== "ubyte" || img.dims.length !== 3) {
    throw new DataError(
      `${images}: expected images as ubyte [n, rows, cols], got ${img.type} [${img.dims.join(", ")}]; pass an idx3-ubyte images file`,
    );
  }
  if (lab.type !== "ubyte" || lab.dims.length !== 1) {
    throw new DataError(`${labels}: expected labels as ubyte [n], got ${lab.type} [${lab.dims.join(", ")}]; pass an idx1-ubyte labels file`);
  }
  if (lab.dims[0] !== img.dims[0]) {
    throw new DataError(
      `${images} has ${img.dims[0]} images but ${labels} has ${lab.dims[0]} labels; pass the labels file that belongs to these images`,
    );
  }
  return { img, lab: lab.data as Uint8Array };
}

// Exact byte -> [0, 1] table, so conversion is a lookup.
const SCALE = Float32Array.from({ length: 256 }, (_, b) => b / 255);

function toSplit(img: IdxArray, lab: Uint8Array, n: number): Split {
  const size = img.dims[1] * img.dims[2];
  const px = img.data as Uint8Array;
  const x = new Float32Array(n * size);
  for (let i = 0; i < x.length; i++) x[i] = SCALE[px[i]];
  return { n, x, y: Int32Array.from(lab.subarray(0, n)) };
}

function pickSize(field: string, value: number | undefined, available: number, file: string): number {
  if (value === undefined) return available;
  checkInt(field, value, 1);
  if (value > available) {
    throw new DataError(`${field} ${value} exceeds the ${available} examples in ${file}; use a ${field} of at most ${available}`);
  }
  return value;
}

/**
 * A dataset from four MNIST-format IDX files (MNIST, Fashion-MNIST, ...): images
 * ubyte [n, rows, cols] scaled by 1/255, labels ubyte [n]. numClasses is the largest
 * label in either labels file plus one. trainSize/testSize take the first rows.
 */
export function idxDatasetFromArrays(options: IdxArraysOptions): Dataset {
  const maxClasses = checkInt("maxClasses", options.maxClasses ?? 10, 2, 256);
  const { files } = options;
  const train = checkPair(files.trainImages, options.trainImages, files.trainLabels, options.trainLabels);
  const test = checkPair(files.testImages, options.testImages, files.testLabels, options.testLabels);
  const [, rows, cols] = train.img.dims;
  if (test.img.dims[1] !== rows || test.img.dims[2] !== cols) {
    throw new DataError(
      `${files.testImages} has ${test.img.dims[1]}x${test.img.dims[2]} images but ${files.trainImages} has ${rows}x${cols}; pass train and test files of the same dataset`,
    );
  }
  let maxLabel = 0;
  for (const [file, lab] of [[files.trainLabels, train.lab], [files.testLabels, test.lab]] as const) {
    for (const l of lab) {
      if (l >= maxClasses) {
        throw new DataError(`${file} has label ${l} but labels must be below ${maxClasses}; pass a labels file of a ${maxClasses}-class dataset or raise maxClasses`);
      }
      if (l > maxLabel) maxLabel = l;
    }
  }
  if (maxLabel === 0) {
    throw new DataError(`${files.trainLabels} and ${files.testLabels} contain only label 0; pass labels files with at least two classes`);
  }
  const nTrain = pickSize("trainSize", options.trainSize, train.img.dims[0], files.trainImages);
  const nTest = pickSize("testSize", options.testSize, test.img.dims[0], files.testImages);
  return {
    name: options.name ?? "idx",
    inputSize: rows * cols,
    numClasses: maxLabel + 1,
    train: toSplit(train.img, train.lab, nTrain),
    test: toSplit(test.img, test.lab, nTest),
  };
}
