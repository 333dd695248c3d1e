import {
  AngleRegister,
  runStreamId,
  type DenseEngine,
  type NetworkSpec,
  type NeuronLayerParams,
  type QubitRegister,
  type RunContext,
  type ShotQubitLayer,
  type ShotSamplingCapabilities,
  type Tensor,
} from "@natural-quantization/core";
import { BUILTIN_GATES, type LayerLayout, type NeuronGates } from "../layer-circuits.js";
import type { CircuitJob } from "../provider.js";
import { DeviceRunner, type DeviceRunnerOptions, type EmitForm } from "./device-runner.js";
import type { EvaluationCost } from "./cost.js";

export { unitsPerCall } from "../job-packing.js";
export { DeviceRunner, type DeviceRunnerOptions, type EmitForm, type JobGate, type LayerCall } from "./device-runner.js";

/** What the device qubit layer takes: its runner's options (provider, target, gates, cost and progress hooks). */
export type HardwareLayerOptions = DeviceRunnerOptions;

/**
 * The qubit layer on a quantum device. Each hidden layer of a batch becomes circuits: for every
 * (sample, neuron) unit the angle alpha + theta (alpha tracked classically between layers, as the
 * circuits are fresh and shallow per layer), packed side by side into blocks up to the target's
 * qubits, compiled to its native gates, emitted as OpenQASM, run with one shot each, and unpacked
 * in order into outcomes; the back-action of each outcome updates alpha for the next layer.
 * The rotation, the back-action and the gates are the network's neuron model's. A simulating
 * provider seeds its shots from the run context (seed, pass, layer, row offset). The dense math
 * (z = W d) stays on the simulator it borrows.
 */
export class HardwareQubitLayer implements ShotQubitLayer {
  readonly name: string;
  readonly capabilities: ShotSamplingCapabilities;
  private readonly runner: DeviceRunner;

  constructor(
    private readonly dense: DenseEngine,
    options: HardwareLayerOptions,
  ) {
    const { provider, target } = options;
    this.runner = new DeviceRunner(options);
    this.name = `hardware:${provider.name}`;
    this.capabilities = {
      sampling: "shots",
      deterministic: false,
      maxQubits: target.numQubits,
      unitsPerCall: this.runner.unitsPerCall(),
      noise: provider.capabilities.noise,
    };
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    return new AngleRegister(this, rows, cols);
  }

  /**
   * Ends what the provider keeps open between layer calls (IBM's batch session), and reports what
   * its service measured as used; call once the evaluation is over.
   */
  close(): Promise<void> {
    return this.runner.close();
  }

  resetQubits(q: QubitRegister, n: number): void {
    this.own(q).reset(n);
  }

  /** What evaluating `network` on `images` images x `shots` shots would submit and cost (nothing is submitted). */
  estimateEvaluation(network: NetworkSpec, images: number, shots: number): EvaluationCost {
    return this.runner.estimateEvaluation(network, images, shots);
  }

  /** The layout of a layer with entanglement angle g (cached: projective and one weak angle per network). */
  layout(g: number): LayerLayout {
    return this.runner.layout(g);
  }

  /**
   * The circuits of one layer as one logical job (Pubs in block order), in the provider's form
   * unless another is asked for: what is submitted is what `nq circuits` writes.
   */
  layerJob(layout: LayerLayout, angles: Float64Array, form?: EmitForm, model: NeuronGates = BUILTIN_GATES): CircuitJob {
    return this.runner.layerJob(layout, angles, form, model);
  }

  async neuronLayer(z: Tensor, q: QubitRegister, d: Tensor, params: NeuronLayerParams, run: RunContext, n: number): Promise<void> {
    const reg = this.own(q);
    if (z.cols !== reg.cols || d.cols !== reg.cols) throw new RangeError("neuronLayer: z, d and the register must have the same columns");
    const zs = await this.dense.read(z, n);
    const units = n * reg.cols;
    const { model, g } = params;
    const angles = new Float64Array(units);
    for (let i = 0; i < units; i++) angles[i] = reg.alpha[i] + model.rotation(zs[i], reg.m[i] as 1 | -1);
    const layout = this.layout(g);
    const outcomes = await this.runner.sample(layout, angles, params.layer, model, { seed: run.seed >>> 0, stream: runStreamId(run), firstPub: 0 });
    const out = new Float32Array(units);
    for (let i = 0; i < units; i++) {
      const m = outcomes[i] as 1 | -1;
      reg.alpha[i] = model.backAction(angles[i], m, g);
      reg.m[i] = m;
      out[i] = m;
    }
    this.dense.write(d, out);
  }

  private own(q: QubitRegister): AngleRegister {
    return AngleRegister.of(q, this, this.name);
  }
}
