import { AngleRegister, readTensor, type DenseEngine, type ExactQubitLayer, type ExactSamplingCapabilities, type NeuronLayerParams, type QubitRegister, type RunContext, type Tensor } from "@natural-quantization/core";
import { NeuronStepper } from "./neuron-steps.js";

/**
 * sim-cpu's exact qubit layer over any dense engine: reads z from the engine, steps every neuron
 * through the network's neuron model with the run's counter-based draws, and writes the outcomes
 * back. What a dense-only engine (sim-tfjs) borrows. Synchronous where the engine reads
 * synchronously; otherwise neuronLayer returns a promise.
 */
export class CpuQubitLayer implements ExactQubitLayer {
  readonly name = "sim-cpu qubits";
  readonly capabilities: ExactSamplingCapabilities = { sampling: "exact", deterministic: true, maxQubits: null, noise: false };
  private readonly stepper = new NeuronStepper();

  constructor(private readonly dense: DenseEngine) {}

  qubitRegister(rows: number, cols: number): QubitRegister {
    return new AngleRegister(this, rows, cols);
  }

  resetQubits(q: QubitRegister, n: number): void {
    AngleRegister.of(q, this, this.name).reset(n);
  }

  neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): void | Promise<void> {
    const reg = AngleRegister.of(q, this, this.name);
    if (z.cols !== reg.cols || d.cols !== reg.cols) throw new RangeError("neuronLayer: z, d and the register must have the same columns");
    const zs = readTensor(this.dense, z, n);
    if (zs instanceof Promise) return zs.then((values) => this.dense.write(d, this.stepper.step(params, reg, values, run, n)));
    this.dense.write(d, this.stepper.step(params, reg, zs, run, n));
  }
}
