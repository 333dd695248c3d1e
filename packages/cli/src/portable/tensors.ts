import type { Checkpoint, Weights } from "@natural-quantization/core";

/** A float32 tensor under the name it has in an exported file, row-major (C order). */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The tensors of a network: `layer{l}.w` [out, in] and, with biases, `layer{l}.b` [out], for
 * l = 1 .. depth (layer 1 reads the image, the last gives the logits). z = w x + b.
 */
export function namedTensors(weights: Weights): NamedTensor[] {
  return weights.flatMap((layer, i) => {
    const w: NamedTensor = { name: `layer${i + 1}.w`, shape: [layer.out, layer.in], data: layer.w };
    return layer.b ? [w, { name: `layer${i + 1}.b`, shape: [layer.out], data: layer.b }] : [w];
  });
}

/** What an export says about the network besides its tensors: specs as JSON strings. */
export function exportMetadata(ck: Checkpoint): Record<string, string> {
  return {
    format: "natural-quantization/weights@1",
    network: JSON.stringify(ck.network),
    training: JSON.stringify(ck.training),
    dataset: JSON.stringify(ck.dataset),
    epoch: String(ck.epoch),
  };
}

/** The little-endian bytes of a float32 array (a copy, whatever the platform's byte order). */
export function float32LittleEndian(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}
