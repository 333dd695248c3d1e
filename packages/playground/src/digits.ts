// Decodes public/digits.bin (format: scripts/build-digits.mjs) into the digits loadMnistSubset
// splits, so the page trains on bit-identical float32 pixels.
import { DataError } from "@natural-quantization/core";
import type { Digits } from "@natural-quantization/datasets/browser";

const MAGIC = "NQD1";
const HEADER = 16 + 256 * 4;

export function decodeDigits(bytes: Uint8Array): Digits {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER || magic !== MAGIC) {
    throw new DataError(`digits.bin: not a digits file (starts with ${JSON.stringify(magic)}, expected ${MAGIC}); rebuild the playground (pnpm --filter @natural-quantization/playground build)`);
  }
  const n = view.getUint32(4, true), size = view.getUint32(8, true), classes = view.getUint32(12, true);
  if (bytes.length !== HEADER + n + n * size) {
    throw new DataError(`digits.bin: ${bytes.length} bytes, expected ${HEADER + n + n * size} for ${n} images of ${size} pixels; rebuild the playground`);
  }
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) table[i] = view.getFloat32(16 + 4 * i, true);
  const labels = bytes.subarray(HEADER, HEADER + n);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    if (labels[i] >= classes || (i > 0 && labels[i] < labels[i - 1])) {
      throw new DataError(`digits.bin: label ${labels[i]} of image ${i} is out of class order (0..${classes - 1}, ascending); rebuild the playground`);
    }
    counts[labels[i]]++;
  }
  const codes = bytes.subarray(HEADER + n);
  const pixels = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) pixels[i] = table[codes[i]];
  return { counts, pixels };
}
