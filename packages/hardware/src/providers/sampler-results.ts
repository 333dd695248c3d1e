import { DataError } from "@natural-quantization/core";
import type { JobResult, Pub } from "../provider.js";

/**
 * Decodes the JSON of `GET /jobs/{id}/results` for Sampler V2:
 * `results[i].data[register].samples` holds one hex string per shot (bit i of the number = c[i]);
 * a Pub with parameter rows has one more, leading, dimension: `samples[row][shot]`.
 */
export function decodeSamplerResults(json: unknown, pubs: readonly Pub[], shots: number): JobResult {
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
