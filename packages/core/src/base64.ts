/**
 * Base64 (RFC 4648, with padding) of byte arrays, for the weights in checkpoint and weights
 * files. Written here rather than with btoa/atob, which go through a string of one character per
 * byte (half a second for the paper network's checkpoint), or Node's Buffer, which a browser
 * lacks. Encoding fills a byte array of ASCII and decodes it once; decoding is strict (only the
 * 64 letters, length a multiple of 4, padding only at the end) and returns null on anything else.
 */
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = Uint8Array.from(LETTERS, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ENCODE[i]] = i;
const PAD = 61; // "="

export function bytesToBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(4 * Math.ceil(n / 3));
  let o = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENCODE[v >>> 18];
    out[o++] = ENCODE[(v >>> 12) & 63];
    out[o++] = ENCODE[(v >>> 6) & 63];
    out[o++] = ENCODE[v & 63];
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out[o++] = ENCODE[v >>> 18];
    out[o++] = ENCODE[(v >>> 12) & 63];
    out[o++] = i + 1 < n ? ENCODE[(v >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return new TextDecoder().decode(out);
}

/** The bytes of a base64 string, or null if it is not strict padded base64. */
export function base64ToBytes(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  const pad = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
  const chars = s.length - pad;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  let acc = 0;
  for (let i = 0; i < chars; i++) {
    const code = s.charCodeAt(i);
    const d = code < 256 ? DECODE[code] : -1;
    if (d < 0) return null;
    acc = (acc << 6) | d;
    if ((i & 3) === 3) {
      out[o++] = acc >>> 16;
      out[o++] = (acc >>> 8) & 255;
      out[o++] = acc & 255;
      acc = 0;
    }
  }
  // The last group: 2 letters make 1 byte, 3 make 2; the unused low bits must be zero.
  const rest = chars & 3;
  if (rest === 1) return null;
  if (rest === 2) {
    if ((acc & 15) !== 0) return null;
    out[o++] = acc >>> 4;
  } else if (rest === 3) {
    if ((acc & 3) !== 0) return null;
    out[o++] = acc >>> 10;
    out[o++] = (acc >>> 2) & 255;
  }
  return out;
}
