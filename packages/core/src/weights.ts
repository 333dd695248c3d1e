import { base64ToBytes, bytesToBase64 } from "./base64.js";
import { DataError } from "./errors.js";
import { RandomStream } from "./rng.js";
import { layerShapes, type NetworkSpec } from "./spec.js";

/** One linear layer: w is [out, in] row-major; b is [out] when the network has biases. */
export interface LayerWeights {
  readonly out: number;
  readonly in: number;
  readonly w: Float32Array;
  readonly b: Float32Array | null;
}

export type Weights = readonly LayerWeights[];

/** Kaiming normal, linear gain: every weight from N(0, 1/fan_in); biases 0. */
export function initWeights(spec: NetworkSpec, seed: number): LayerWeights[] {
  return layerShapes(spec).map(([out, fanIn], l) => {
    const rng = new RandomStream(seed, "init", l);
    const std = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(out * fanIn);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
    return { out, in: fanIn, w, b: spec.bias ? new Float32Array(out) : null };
  });
}

/** The first weight that is not finite, as "layer 2 w[17] is NaN", or null when all are finite. */
export function firstNonFinite(weights: Weights): string | null {
  for (let l = 0; l < weights.length; l++) {
    for (const [name, arr] of [["w", weights[l].w], ["b", weights[l].b]] as const) {
      if (!arr) continue;
      for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) return `layer ${l + 1} ${name}[${i}] is ${arr[i]}`;
    }
  }
  return null;
}

/** Throws a DataError naming the first layer and index whose weight is not finite. */
export function checkFinite(weights: Weights, what = "weights"): void {
  const bad = firstNonFinite(weights);
  if (bad) throw new DataError(`${what}: ${bad}; training diverged or the file is corrupt (lower lr, or use a valid file)`, { field: "lr" });
}

export function cloneWeights(weights: Weights): LayerWeights[] {
  return weights.map((l) => ({ out: l.out, in: l.in, w: l.w.slice(), b: l.b ? l.b.slice() : null }));
}

/** JSON-safe form: float32 arrays as base64 of their little-endian bytes (exact round trip). */
export interface SerializedLayer {
  readonly out: number;
  readonly in: number;
  readonly w: string;
  readonly b: string | null;
}

export function serializeWeights(weights: Weights): SerializedLayer[] {
  return weights.map((l) => ({ out: l.out, in: l.in, w: f32ToBase64(l.w), b: l.b ? f32ToBase64(l.b) : null }));
}

export function deserializeWeights(layers: unknown, spec: NetworkSpec, source: string): LayerWeights[] {
  const shapes = layerShapes(spec);
  if (!Array.isArray(layers) || layers.length !== shapes.length) {
    throw new DataError(`${source}: expected ${shapes.length} weight layers for depth ${spec.depth}; the file does not match its network spec`);
  }
  return layers.map((raw: SerializedLayer, l) => {
    const [out, fanIn] = shapes[l];
    const w = base64ToF32(raw?.w, out * fanIn, `${source}: layer ${l + 1} w`);
    const b = spec.bias ? base64ToF32(raw?.b, out, `${source}: layer ${l + 1} b`) : null;
    return { out, in: fanIn, w, b };
  });
}

function f32ToBase64(a: Float32Array): string {
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function base64ToF32(s: unknown, length: number, what: string): Float32Array {
  if (typeof s !== "string") throw new DataError(`${what} is missing`);
  const bytes = base64ToBytes(s);
  if (!bytes) throw new DataError(`${what} is not valid base64; the file is corrupt`);
  if (bytes.length !== length * 4) {
    throw new DataError(`${what} has ${bytes.length} bytes, expected ${length * 4} (${length} float32 values); the file is truncated or for another network`);
  }
  return new Float32Array(bytes.buffer);
}
