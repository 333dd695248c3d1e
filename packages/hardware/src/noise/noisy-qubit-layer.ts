import {
  CapabilityError,
  neuronUniforms,
  readTensor,
  type DenseEngine,
  type DrawKey,
  type ExactQubitLayer,
  type ExactSamplingCapabilities,
  type NeuronLayerParams,
  type QubitRegister,
  type Tensor,
} from "@natural-quantization/core";
import { applyNeuronChannel, conditionOnReported, neuronChannel, reportedConfusion, reportedPlusProbability, rotateBloch, type Bloch, type NeuronChannel } from "./bloch.js";
import type { NoiseModel } from "./model.js";

/** The register of the noisy layer: a Bloch vector (x, z) and the last reported outcome per (row, neuron). */
class NoisyQubits implements QubitRegister {
  readonly kind = "qubits";
  readonly x: Float64Array;
  readonly z: Float64Array;
  readonly m: Int8Array;
  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    this.x = new Float64Array(rows * cols);
    this.z = new Float64Array(rows * cols).fill(1);
    this.m = new Int8Array(rows * cols).fill(1);
  }
}

function own(q: QubitRegister): NoisyQubits {
  if (!(q instanceof NoisyQubits)) throw new CapabilityError("the noisy qubit layer was given a qubit register made by another qubit layer");
  return q;
}

/** One neuron's state as the layer holds it (for tests and inspection). */
export interface NoisyNeuronState {
  readonly x: number;
  readonly z: number;
  readonly m: 1 | -1;
}

/**
 * An exact qubit layer under a noise model, over any dense engine. Each neuron's (possibly mixed)
 * state is tracked exactly as a Bloch vector in the x-z plane; no trajectories are sampled. Per
 * layer and neuron: rotate by theta = (pi/2)(m - t(z)), apply the model's channels, draw the
 * reported outcome from P(reported +1) with the run's counter-based uniform (the same draw
 * sim-cpu uses), and condition the state on the reported outcome. With every rate 0 it gives
 * sim-cpu's outcomes.
 */
export class NoisyQubitLayer implements ExactQubitLayer {
  readonly name = "noisy";
  readonly capabilities: ExactSamplingCapabilities = { sampling: "exact", deterministic: true, maxQubits: null, noise: true };
  private readonly channel: NeuronChannel;
  private uniforms = new Float64Array(0);

  constructor(
    private readonly dense: DenseEngine,
    readonly model: NoiseModel,
  ) {
    this.channel = neuronChannel(model);
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    return new NoisyQubits(rows, cols);
  }

  resetQubits(q: QubitRegister, n: number): void {
    const r = own(q);
    r.x.fill(0, 0, n * r.cols);
    r.z.fill(1, 0, n * r.cols);
    r.m.fill(1, 0, n * r.cols);
  }

  /** Synchronous where the dense engine reads synchronously; otherwise returns a promise. */
  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): void | Promise<void> {
    const reg = own(q);
    if (z.cols !== reg.cols) throw new RangeError(`z has ${z.cols} columns but the qubit register ${reg.cols}`);
    const zs = readTensor(this.dense, z, n);
    if (zs instanceof Promise) return zs.then((values) => this.update(values, reg, d, params, draw, n));
    this.update(zs, reg, d, params, draw, n);
  }

  private update(zs: Float32Array, reg: NoisyQubits, d: Tensor, params: NeuronLayerParams, draw: DrawKey, n: number): void {
    const cols = reg.cols;
    if (this.uniforms.length < n * cols) this.uniforms = new Float64Array(n * cols);
    neuronUniforms(draw, n, cols, this.uniforms);
    const neuron = params.model;
    const conf = reportedConfusion(this.model, params.g);
    const out = new Float32Array(n * cols);
    const b: Bloch = { x: 0, z: 1 };
    for (let i = 0; i < n * cols; i++) {
      b.x = reg.x[i];
      b.z = reg.z[i];
      rotateBloch(b, neuron.rotation(zs[i], reg.m[i] as 1 | -1));
      applyNeuronChannel(b, this.channel);
      const m: 1 | -1 = this.uniforms[i] < reportedPlusProbability(b.z, params.g, conf) ? 1 : -1;
      conditionOnReported(b, m, params.g, conf);
      reg.x[i] = b.x;
      reg.z[i] = b.z;
      reg.m[i] = m;
      out[i] = m;
    }
    this.dense.write(d, out, 0);
  }

  /** The state of neuron `col` of row `row` of a register. */
  state(q: QubitRegister, row: number, col: number): NoisyNeuronState {
    const r = own(q);
    const i = row * r.cols + col;
    return { x: r.x[i], z: r.z[i], m: r.m[i] as 1 | -1 };
  }
}
