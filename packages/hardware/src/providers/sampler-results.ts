import { inflateSync } from "node:zlib";
import { DataError } from "@natural-quantization/core";
import type { JobResult, Pub } from "../provider.js";
import { readNpyUint8 } from "./npy.js";

/**
 * The two forms IBM returns Sampler V2 results in: plain JSON with hex samples, or Qiskit's typed
 * encoding (RuntimeEncoder: `PrimitiveResult` of `SamplerPubResult`s whose registers are
 * `BitArray`s holding a base64, zlib-compressed NumPy array).
 */
export type SamplerEncoding = "plain JSON (hex samples)" | "typed PrimitiveResult (BitArray)";

/** Which form a result is in. */
export function samplerEncoding(json: unknown): SamplerEncoding {
  return (json as { __type__?: unknown } | null)?.__type__ === "PrimitiveResult" ? "typed PrimitiveResult (BitArray)" : "plain JSON (hex samples)";
}

/** Decodes `GET /jobs/{id}/results` of a Sampler V2 job in either encoding (see samplerEncoding). */
export function decodeSamplerResults(json: unknown, pubs: readonly Pub[], shots: number): JobResult {
  return samplerEncoding(json) === "plain JSON (hex samples)" ? decodePlain(json, pubs, shots) : decodeTyped(json, pubs, shots);
}

/**
 * The plain form: `results[i].data[register].samples` holds one hex string per shot (bit i of the
 * number = c[i]); a Pub with parameter rows has one more, leading, dimension: `samples[row][shot]`.
 */
function decodePlain(json: unknown, pubs: readonly Pub[], shots: number): JobResult {
  const results = (json as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.length !== pubs.length) {
    throw new DataError(`IBM Sampler results: expected results for ${pubs.length} PUBs, got ${Array.isArray(results) ? results.length : "none"}`);
  }
  return pubs.map((pub, i) => {
    const data = (results[i] as { data?: Record<string, unknown> } | null)?.data;
    const register = data?.c ?? (data && Object.keys(data).length === 1 ? Object.values(data)[0] : undefined);
    const field = register as { samples?: unknown; num_bits?: unknown } | undefined;
    if (!field || !Array.isArray(field.samples)) throw new DataError(`IBM Sampler results[${i}]: no data.c.samples`);
    if (typeof field.num_bits === "number" && field.num_bits !== pub.clbits) {
      throw new DataError(`IBM Sampler results[${i}]: num_bits ${field.num_bits}, but the PUB has ${pub.clbits} classical bits`);
    }
    const rows: unknown[] = pub.bindings === null ? [field.samples] : field.samples;
    const expectedRows = pub.bindings?.length ?? 1;
    if (rows.length !== expectedRows) {
      throw new DataError(`IBM Sampler results[${i}]: ${rows.length} parameter rows, expected ${expectedRows}`);
    }
    return rows.map((row, r) => {
      if (!Array.isArray(row) || row.length !== shots || !row.every((s) => typeof s === "string")) {
        throw new DataError(`IBM Sampler results[${i}] row ${r}: expected ${shots} hex strings`);
      }
      return (row as string[]).map((hex) => hexToBits(hex, pub.clbits));
    });
  });
}

/** "0x1a" -> bits with element i = bit 2^i, for registers of any width (96 bits and more). */
export function hexToBits(hex: string, numBits: number): Uint8Array {
  const digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]+$/.test(digits)) throw new DataError(`IBM Sampler sample "${hex}" is not a hex number`);
  const bits = new Uint8Array(numBits);
  for (let d = 0; d < digits.length; d++) {
    const nibble = parseInt(digits[digits.length - 1 - d], 16);
    for (let b = 0; b < 4; b++) {
      if (((nibble >> b) & 1) === 0) continue;
      const index = 4 * d + b;
      if (index >= numBits) throw new DataError(`IBM Sampler sample "${hex}" has more than ${numBits} bits`);
      bits[index] = 1;
    }
  }
  return bits;
}

interface Typed {
  readonly __type__?: string;
  readonly __value__?: unknown;
}

function typedValue(value: unknown, type: string, where: string): Record<string, unknown> {
  const t = value as Typed | null;
  if (t?.__type__ !== type || typeof t.__value__ !== "object" || t.__value__ === null) {
    throw new DataError(`IBM Sampler results: ${where} is not a ${type} (found ${t?.__type__ ?? typeof value})`);
  }
  return t.__value__ as Record<string, unknown>;
}

/**
 * The typed form: `PrimitiveResult.pub_results[i]` is a `SamplerPubResult` whose `data` is a
 * `DataBin` with one `BitArray` per register. A BitArray's `array` is an `ndarray` (base64 of
 * zlib of .npy bytes) of shape (rows..., shots, bytes), each shot's bits big-endian across its
 * bytes (the last byte holds c[0]..c[7], c[0] least significant), as qiskit.primitives.BitArray.
 */
function decodeTyped(json: unknown, pubs: readonly Pub[], shots: number): JobResult {
  const results = typedValue(json, "PrimitiveResult", "the result").pub_results;
  if (!Array.isArray(results) || results.length !== pubs.length) {
    throw new DataError(`IBM Sampler results: expected results for ${pubs.length} PUBs, got ${Array.isArray(results) ? results.length : "none"}`);
  }
  return pubs.map((pub, i) => {
    const pubResult = typedValue(results[i], "SamplerPubResult", `pub_results[${i}]`);
    const fields = typedValue(pubResult.data, "DataBin", `pub_results[${i}].data`).fields as Record<string, unknown> | undefined;
    const register = fields?.c ?? (fields && Object.keys(fields).length === 1 ? Object.values(fields)[0] : undefined);
    const bits = typedValue(register, "BitArray", `pub_results[${i}].data.c`);
    if (bits.num_bits !== pub.clbits) throw new DataError(`IBM Sampler results[${i}]: num_bits ${String(bits.num_bits)}, but the PUB has ${pub.clbits} classical bits`);
    const encoded = (bits.array as Typed | null)?.__value__;
    if ((bits.array as Typed | null)?.__type__ !== "ndarray" || typeof encoded !== "string") throw new DataError(`IBM Sampler results[${i}]: BitArray.array is not an encoded ndarray`);
    const { shape, data } = readNpyUint8(inflateSync(Buffer.from(encoded, "base64")));
    const rows = pub.bindings?.length ?? 1;
    const width = Math.ceil(pub.clbits / 8);
    const expected = pub.bindings === null ? [shots, width] : [rows, shots, width];
    if (shape.length !== expected.length || shape.some((n, k) => n !== expected[k])) {
      throw new DataError(`IBM Sampler results[${i}]: BitArray of shape (${shape.join(", ")}), expected (${expected.join(", ")})`);
    }
    return Array.from({ length: rows }, (_, r) =>
      Array.from({ length: shots }, (_, s) => {
        const at = (r * shots + s) * width;
        const out = new Uint8Array(pub.clbits);
        for (let b = 0; b < pub.clbits; b++) out[b] = (data[at + width - 1 - (b >> 3)] >> (b & 7)) & 1;
        return out;
      }),
    );
  });
}
