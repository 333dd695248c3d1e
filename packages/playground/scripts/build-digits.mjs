// Build step: the bundled MNIST digits of @natural-quantization/datasets as one compact binary
// file (public/digits.bin, about 7.9 MB instead of 41 MB of JSON) that the page decodes into
// exactly the float32 pixels loadMnistSubset uses (src/digits.ts; test/digits.test.ts checks it).
//
// Format, little-endian: "NQD1", uint32 images n, uint32 pixels per image, uint32 classes,
// 256 float32 pixel values (the table a pixel code indexes), n uint8 labels (class order),
// n * pixels uint8 pixel codes.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { bundledDigits, MNIST_CLASSES, MNIST_INPUT_SIZE } from "@natural-quantization/datasets";

export const DIGITS_MAGIC = "NQD1";

/** Encodes digits ({ counts, pixels }) whose pixels take at most 256 distinct float32 values. */
export function encodeDigits(digits) {
  const n = digits.counts.reduce((s, c) => s + c, 0);
  const values = [...new Set(digits.pixels)].sort((a, b) => a - b);
  if (values.length > 256) throw new Error(`the digits have ${values.length} distinct pixel values; the format holds at most 256`);
  const code = new Map(values.map((v, i) => [v, i]));
  const header = 16 + 256 * 4;
  const out = new Uint8Array(header + n + n * MNIST_INPUT_SIZE);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = DIGITS_MAGIC.charCodeAt(i);
  view.setUint32(4, n, true);
  view.setUint32(8, MNIST_INPUT_SIZE, true);
  view.setUint32(12, MNIST_CLASSES, true);
  values.forEach((v, i) => view.setFloat32(16 + 4 * i, v, true));
  let at = header;
  digits.counts.forEach((count, c) => out.fill(c, at, (at += count)));
  for (let i = 0; i < digits.pixels.length; i++) out[at + i] = code.get(digits.pixels[i]);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL("../public/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const bytes = encodeDigits(bundledDigits());
  // Written atomically: a half-written file never reaches the page.
  writeFileSync(`${dir}digits.bin.tmp`, bytes);
  renameSync(`${dir}digits.bin.tmp`, `${dir}digits.bin`);
  console.log(`public/digits.bin: ${bytes.length} bytes`);
}
