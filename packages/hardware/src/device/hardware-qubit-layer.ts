import {
  AngleRegister,
  CapabilityError,
  HALF_PI,
  runStreamId,
  type DenseEngine,
  type JobState,
  type NeuronLayerParams,
  type ProgressReporter,
  type QubitRegister,
  type RunContext,
  type ShotQubitLayer,
  type ShotSamplingCapabilities,
  type Tensor,
} from "@natural-quantization/core";
import type { Circuit } from "../circuit.js";
import { compileForTarget } from "../compile.js";
import { insertIdentityPairs } from "../identity-pairs.js";
import { BUILTIN_GATES, layerBindings, layerCircuits, layerCost, layerTemplate, planLayer, unitsPerBlock, unpackOutcomes, type LayerLayout, type NeuronGates, type WeakForm } from "../layer-circuits.js";
import type { CircuitJob, JobStatus, ProviderCapabilities, Pub, QasmFormat, QuantumProvider, ShotSeed } from "../provider.js";
import { toQasm2, toQasm3 } from "../qasm.js";
import type { Target } from "../target.js";
import { estimateCost, packJobs, type CostEstimate } from "../providers/job-packing.js";

/** What runs before each device job: it sees the cost and may refuse (throw). */
export interface JobGate {
  (info: { readonly layer: number; readonly units: number; readonly cost: CostEstimate }): void | Promise<void>;
}

export interface HardwareLayerOptions {
  readonly provider: QuantumProvider;
  /** The device the circuits are laid out and compiled for (its coupling map and native gates). */
  readonly target: Target;
  /** Identity pairs inserted before the measurements (the authors' noise amplification); default 0. */
  readonly identityPairs?: number;
  /** At most this many units per block (the authors used 96 of 127 qubits); default all usable qubits. */
  readonly maxUnitsPerBlock?: number;
  /** Circuit form of the weak measurement (default the one-CZ form). */
  readonly weakForm?: WeakForm;
  /** Compile to the target's native gates even when the provider does not require it (default true: the exact program a device would get). */
  readonly compile?: boolean;
  readonly beforeJob?: JobGate;
  readonly onStatus?: (s: JobStatus) => void;
  /** Told of every job's state (queued, running, done ...) with its layer, its place among the layer's jobs and its id. */
  readonly progress?: ProgressReporter;
  /** Rewrites each concrete block circuit before it is emitted (e.g. noise inserted as gates); forces concrete circuits. */
  readonly transformBlock?: (circuit: Circuit, block: number) => Circuit;
  /** Sees every layer call before its job is submitted (e.g. to write the circuits out). */
  readonly onLayer?: (call: LayerCall) => void;
}

/** One hidden layer's call: its layout, the units' angles, and its circuits in any emitted form. */
export interface LayerCall {
  readonly layer: number;
  readonly layout: LayerLayout;
  readonly angles: Float64Array;
  job(form: EmitForm): CircuitJob;
}

/** How a layer's circuits are emitted: OpenQASM version, and one template with bindings or concrete circuits. */
export interface EmitForm {
  readonly format: QasmFormat;
  readonly bindings: boolean;
}

const JOB_STATES: Readonly<Record<JobStatus["status"], JobState>> = { Queued: "queued", Running: "running", Completed: "done", Failed: "failed", Cancelled: "cancelled" };

/** Units one neuronLayer call carries at most: bounds the Trainer's batch buffers. */
const MAX_UNITS_PER_CALL = 1 << 21;

/**
 * Units one layer call should carry: as many blocks as one job of the provider takes (binding rows
 * of one template, or concrete Pubs), capped so the Trainer's buffers stay small.
 */
export function unitsPerCall(layout: LayerLayout, caps: ProviderCapabilities, bindings: boolean): number {
  const blocksPerJob = bindings ? caps.maxExecutionsPerJob : caps.maxPubsPerJob;
  return Math.max(1, Math.min(MAX_UNITS_PER_CALL, unitsPerBlock(layout) * blocksPerJob));
}

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
  private readonly layouts = new Map<number, LayerLayout>();
  private readonly templates = new Map<string, string>();
  private calls = 0;

  constructor(
    private readonly dense: DenseEngine,
    private readonly options: HardwareLayerOptions,
  ) {
    const { provider, target } = options;
    this.name = `hardware:${provider.name}`;
    this.capabilities = {
      sampling: "shots",
      deterministic: false,
      maxQubits: target.numQubits,
      unitsPerCall: unitsPerCall(this.layout(HALF_PI), provider.capabilities, this.usesBindings()),
      noise: provider.capabilities.noise,
    };
  }

  qubitRegister(rows: number, cols: number): QubitRegister {
    return new AngleRegister(this, rows, cols);
  }

  /** Ends what the provider keeps open between layer calls (IBM's batch session); call once the evaluation is over. */
  async close(): Promise<void> {
    await this.options.provider.close?.();
  }

  resetQubits(q: QubitRegister, n: number): void {
    this.own(q).reset(n);
  }

  /** The layout of a layer with entanglement angle g (cached: projective and one weak angle per network). */
  layout(g: number): LayerLayout {
    let l = this.layouts.get(g);
    if (!l) {
      l = planLayer(this.options.target, g, { maxUnitsPerBlock: this.options.maxUnitsPerBlock, weakForm: this.options.weakForm });
      this.layouts.set(g, l);
    }
    return l;
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
    const outcomes = await this.run(layout, angles, params.layer, model, { seed: run.seed >>> 0, stream: runStreamId(run), firstPub: 0 });
    const out = new Float32Array(units);
    for (let i = 0; i < units; i++) {
      const m = outcomes[i] as 1 | -1;
      reg.alpha[i] = model.backAction(angles[i], m, g);
      reg.m[i] = m;
      out[i] = m;
    }
    this.dense.write(d, out);
  }

  /**
   * The circuits of one layer as one logical job (Pubs in block order), in the provider's form
   * unless another is asked for: what is submitted is what `nq circuits` writes.
   */
  layerJob(layout: LayerLayout, angles: Float64Array, form: EmitForm = this.providerForm(), model: NeuronGates = BUILTIN_GATES): CircuitJob {
    if (form.bindings) {
      const pub: Pub = { program: this.template(layout, form.format, model), clbits: unitsPerBlock(layout), bindings: layerBindings(layout, angles) };
      return { pubs: [pub], shots: 1 };
    }
    const emit = form.format === "qasm3" ? toQasm3 : toQasm2;
    const base = this.calls * 1_000_003; // distinct blocks across calls for transformBlock's sampling
    const pubs = layerCircuits(layout, angles, model).map((c, b): Pub => {
      const circuit = this.prepare(this.options.transformBlock ? this.options.transformBlock(c, base + b) : c);
      return { program: emit(circuit), clbits: circuit.numClbits, bindings: null };
    });
    return { pubs, shots: 1 };
  }

  private async run(layout: LayerLayout, angles: Float64Array, layer: number, model: NeuronGates, seed: ShotSeed): Promise<Int8Array> {
    const { provider } = this.options;
    this.options.onLayer?.({ layer, layout, angles, job: (form) => this.layerJob(layout, angles, form, model) });
    const job = this.layerJob(layout, angles, this.providerForm(), model);
    this.calls++;
    const cost = estimateCost(job, provider.capabilities);
    await this.options.beforeJob?.({ layer, units: angles.length, cost });
    const blockBits: Uint8Array[] = [];
    const parts = packJobs(job, provider.capabilities);
    let firstPub = 0;
    for (const [i, part] of parts.entries()) {
      const onStatus = (s: JobStatus) => {
        this.options.onStatus?.(s);
        this.options.progress?.report({ kind: "job", layer, job: i + 1, jobs: parts.length, id: s.jobId, state: JOB_STATES[s.status] });
      };
      const result = await provider.run(part, { onStatus, seed: { ...seed, firstPub } });
      firstPub += part.pubs.length;
      // One shot per circuit: each binding row (or each concrete Pub) is one block.
      for (const pub of result) for (const row of pub) blockBits.push(row[0]);
    }
    const expected = layerCost(layout, angles.length).blocks;
    if (blockBits.length !== expected) throw new CapabilityError(`provider ${provider.name} returned ${blockBits.length} block results, expected ${expected}`);
    return unpackOutcomes(layout, angles.length, blockBits);
  }

  private usesBindings(): boolean {
    return this.options.provider.capabilities.parameterBindings && !this.options.transformBlock;
  }

  private providerForm(): EmitForm {
    return { format: this.options.provider.capabilities.format, bindings: this.usesBindings() };
  }

  /** The compiled, emitted template of a layout (built once per entanglement angle and format). */
  private template(layout: LayerLayout, format: QasmFormat, model: NeuronGates): string {
    const key = `${layout.g}:${format}:${"name" in model ? String(model.name) : ""}`;
    let text = this.templates.get(key);
    if (text === undefined) {
      const circuit = this.prepare(layerTemplate(layout, model));
      text = format === "qasm3" ? toQasm3(circuit) : toQasm2(circuit);
      this.templates.set(key, text);
    }
    return text;
  }

  /** Identity pairs, then native gates where the provider needs them (or the user asked). */
  private prepare(circuit: Circuit): Circuit {
    const { target, identityPairs = 0, compile = true, provider } = this.options;
    const padded = identityPairs > 0 ? insertIdentityPairs(circuit, target, { k: identityPairs }) : circuit;
    return compile || provider.capabilities.nativeGatesOnly ? compileForTarget(padded, target) : padded;
  }

  private own(q: QubitRegister): AngleRegister {
    return AngleRegister.of(q, this, this.name);
  }
}
