import { DataError } from "@natural-quantization/core";

/** A uint8 array read from NumPy's .npy format: its shape and its bytes in C order. */
export interface NpyUint8 {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Reads a .npy file (format versions 1 to 3) holding an unsigned 8-bit array in C order, as
 * numpy.save writes it: magic, version, header length, a Python-literal header dict
 * ({'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }), then the raw bytes.
 */
export function readNpyUint8(bytes: Uint8Array): NpyUint8 {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError("not a NumPy .npy array (bad magic)");
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataError(`NumPy .npy format version ${major} is not supported (1 to 3 are)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr !== "|u1" && descr !== "u1" && descr !== "|b1") throw new DataError(`NumPy array of dtype ${descr ?? "?"}; expected unsigned bytes (|u1)`);
  if (/'fortran_order'\s*:\s*True/.test(header)) throw new DataError("NumPy array in Fortran order; expected C order");
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new DataError("NumPy .npy header has no shape");
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new DataError(`NumPy .npy shape (${shapeText}) is not a list of sizes`);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = bytes.subarray(start + headerLength);
  if (data.length !== size) throw new DataError(`NumPy array of shape (${shape.join(", ")}) needs ${size} bytes, the file has ${data.length}`);
  return { shape, data };
}
