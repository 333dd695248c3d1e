import { float32LittleEndian, type NamedTensor } from "./tensors.js";

/**
 * A safetensors file (huggingface/safetensors): an unsigned 64-bit little-endian header length
 * N, N bytes of JSON header ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__:
 * {string: string}}, offsets relative to the data section), then the tensors' little-endian
 * bytes back to back. The header is padded with spaces to a multiple of 8 bytes, as the
 * reference writer does, so every tensor starts aligned.
 */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const length = new TextEncoder().encode(json).length;
  json += " ".repeat((8 - (length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(float32LittleEndian(t.data), at);
    at += t.data.length * 4;
  }
  return out;
}
