// Looking inside: one image through the network `shots` times, recording every hidden layer's
// inputs and outcomes and every shot's class, by wrapping the backend (like sim-wasm's
// agreement test). The qubit angles are then followed with core's physics from the recorded
// outcomes, so what is shown is exactly what the backend did.
import {
  backAction,
  HALF_PI,
  hiddenLayers,
  neuronLayerParams,
  probPlus,
  recordingQubitLayer,
  SgdTrainer,
  target,
  type Backend,
  type DenseEngine,
  type NetworkSpec,
  type Weights,
} from "@natural-quantization/core";

/** One hidden layer of one shot: per qubit of the layer. */
export interface LayerRecord {
  /** The angle the qubit is measured at: carried angle plus the rotation (pi/2)(m - s_a(z)). */
  readonly angle: Float64Array;
  /** P(outcome +1) at that angle with the layer's g. */
  readonly probPlus: Float64Array;
  /** The outcome, +1 or -1. */
  readonly outcome: Int8Array;
  /** The angle carried to the next layer after the (partial) collapse; 0 or +-pi when projective. */
  readonly carried: Float64Array;
}

export interface Inspection {
  /** layers[shot][hidden layer]. */
  readonly layers: LayerRecord[][];
  /** The class each shot chose. */
  readonly predictions: Int32Array;
  /** Votes per class over the shots (the k-shot answer is the most voted, ties to the lowest class). */
  readonly votes: Int32Array;
}

/**
 * Runs `shots` forward passes of one image (pixels `x`) with the Trainer's evaluation draws
 * (seed, passes EVAL_PASS_BASE + shot), so shot s is shot s of `evaluate` on a one-image split.
 */
export async function inspectImage(backend: Backend, network: NetworkSpec, weights: Weights, x: Float32Array, shots: number, seed: number): Promise<Inspection> {
  const H = hiddenLayers(network);
  const zs: Float32Array[] = [];
  const ds: Float32Array[] = [];
  const predictions: number[] = [];
  const qubits = recordingQubitLayer(backend, ({ z, d }) => {
    zs.push(backend.readSync(z, 1));
    ds.push(backend.readSync(d, 1));
  });
  // The dense engine as is, except that argmax also reports each shot's class.
  const dense = new Proxy(backend, {
    get(target, key) {
      if (key === "argmax") {
        return (logits: Parameters<DenseEngine["argmax"]>[0], n: number) => {
          const out = target.argmax(logits, n);
          predictions.push(out[0]);
          return out;
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as DenseEngine;
  const split = { n: 1, x: x.slice(0, network.inputSize), y: new Int32Array(1) };
  await new SgdTrainer({ dense, qubits }).evaluate({ network, weights, split, shots, seed });
  const votes = new Int32Array(network.outputSize);
  for (const p of predictions) votes[p]++;
  const layers = Array.from({ length: shots }, (_, s) => follow(network, zs.slice(s * H, (s + 1) * H), ds.slice(s * H, (s + 1) * H)));
  return { layers, predictions: Int32Array.from(predictions), votes };
}

/** The qubits' angles through the layers of one shot, from the recorded z and outcomes. */
function follow(network: NetworkSpec, zs: Float32Array[], ds: Float32Array[]): LayerRecord[] {
  const H = hiddenLayers(network);
  const W = network.width;
  let alpha = new Float64Array(W); // the start state |0>, last outcome +1
  let m = new Int8Array(W).fill(1);
  return zs.map((z, l) => {
    const { a, g, activation } = neuronLayerParams(network.neuron, l, H);
    const angle = new Float64Array(W), p = new Float64Array(W), carried = new Float64Array(W);
    const outcome = new Int8Array(W);
    for (let i = 0; i < W; i++) {
      angle[i] = alpha[i] + HALF_PI * (m[i] - target(z[i], a, activation));
      p[i] = probPlus(angle[i], g);
      outcome[i] = ds[l][i] > 0 ? 1 : -1;
      carried[i] = backAction(angle[i], outcome[i] as 1 | -1, g);
    }
    alpha = carried;
    m = outcome;
    return { angle, probPlus: p, outcome, carried };
  });
}
