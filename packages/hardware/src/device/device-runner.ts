import { CapabilityError, HALF_PI, type JobState, type NetworkSpec, type ProgressReporter } from "@natural-quantization/core";
import type { Circuit } from "../circuit.js";
import { compileForTarget } from "../compile.js";
import { insertIdentityPairs } from "../identity-pairs.js";
import { BUILTIN_GATES, layerBindings, layerCircuits, layerCost, layerTemplate, planLayer, unitsPerBlock, unpackOutcomes, type LayerLayout, type NeuronGates, type WeakForm } from "../layer-circuits.js";
import type { CircuitJob, CostModel, JobStatus, Pub, QasmFormat, QuantumProvider, ShotSeed } from "../provider.js";
import { toQasm2, toQasm3 } from "../qasm.js";
import type { Target } from "../target.js";
import { estimateCost, layerJobOf, packJobs, unitsPerCall, type CostEstimate } from "../job-packing.js";
import { estimateEvaluationCost, type EvaluationCost } from "./cost.js";

/** What runs before each device job: it sees the cost and may refuse (throw). */
export interface JobGate {
  (info: { readonly layer: number; readonly units: number; readonly cost: CostEstimate }): void | Promise<void>;
}

export interface DeviceRunnerOptions {
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
  /** The provider's cost model: each job's estimate in its unit goes to beforeJob (as cost.charge). */
  readonly costModel?: CostModel;
  /** Where close() reports the usage the provider's service measured (e.g. IBM's QPU seconds). */
  readonly log?: (line: string) => void;
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

/** A layer's logical job and, per Pub, the compiled circuit it was emitted from (a template for a parameterised Pub). */
interface EmittedJob {
  readonly job: CircuitJob;
  readonly circuits: readonly Circuit[];
}

/**
 * The circuit side of the device layer: a layer's units become block circuits on the target's
 * layout, compiled to its gate set, emitted in the provider's format, priced by its cost model,
 * packed into jobs under its limits, run, and unpacked into one outcome per unit. No dense math:
 * the qubit layer (HardwareQubitLayer) and the provider conformance suite both run through it.
 */
export class DeviceRunner {
  private readonly layouts = new Map<number, LayerLayout>();
  private readonly templates = new Map<string, { readonly text: string; readonly circuit: Circuit }>();
  private calls = 0;

  constructor(readonly options: DeviceRunnerOptions) {}

  /**
   * What evaluating `network` on `images` test images with `shots` shots would submit, and cost in
   * the provider's unit, by the rules this runner runs by; for a gate before the first job.
   */
  estimateEvaluation(network: NetworkSpec, images: number, shots: number): EvaluationCost {
    const { target, provider, maxUnitsPerBlock, costModel } = this.options;
    return estimateEvaluationCost({ network, target, capabilities: provider.capabilities, images, shots, maxUnitsPerBlock, costModel });
  }

  /** Units one layer call should carry with this provider (see unitsPerCall). */
  unitsPerCall(): number {
    return unitsPerCall(this.layout(HALF_PI), this.options.provider.capabilities, this.usesBindings());
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

  /**
   * Ends what the provider keeps open between layer calls (IBM's batch session), and reports what
   * its service measured as used.
   */
  async close(): Promise<void> {
    const { provider, log } = this.options;
    await provider.close?.();
    const used = provider.usage?.() ?? null;
    if (used && log) log(`${provider.name} used ${formatAmount(used.amount)} ${used.unit} over ${used.jobs} job${used.jobs === 1 ? "" : "s"}, as ${used.source} report`);
  }

  /**
   * The circuits of one layer as one logical job (Pubs in block order), in the provider's form
   * unless another is asked for: what is submitted is what `nq circuits` writes.
   */
  layerJob(layout: LayerLayout, angles: Float64Array, form: EmitForm = this.providerForm(), model: NeuronGates = BUILTIN_GATES): CircuitJob {
    return this.emit(layout, angles, form, model).job;
  }

  private emit(layout: LayerLayout, angles: Float64Array, form: EmitForm, model: NeuronGates): EmittedJob {
    if (form.bindings) {
      const template = this.template(layout, form.format, model);
      const job = layerJobOf(0, true, () => ({ program: template.text, clbits: unitsPerBlock(layout), bindings: layerBindings(layout, angles) }));
      return { job, circuits: [template.circuit] };
    }
    const emit = form.format === "qasm3" ? toQasm3 : toQasm2;
    const base = this.calls * 1_000_003; // distinct blocks across calls for transformBlock's sampling
    const circuits = layerCircuits(layout, angles, model).map((c, b) => this.prepare(this.options.transformBlock ? this.options.transformBlock(c, base + b) : c));
    const job = layerJobOf(circuits.length, false, (b): Pub => ({ program: emit(circuits[b]), clbits: circuits[b].numClbits, bindings: null }));
    return { job, circuits };
  }

  /**
   * One outcome per unit (+1 or -1, in unit order) of a layer whose units turn by `angles`: one
   * shot per block circuit, as the network runs on a device. `seed` seeds a simulating provider.
   */
  async sample(layout: LayerLayout, angles: Float64Array, layer: number, model: NeuronGates, seed: ShotSeed): Promise<Int8Array> {
    const { provider } = this.options;
    this.options.onLayer?.({ layer, layout, angles, job: (form) => this.layerJob(layout, angles, form, model) });
    const { job, circuits } = this.emit(layout, angles, this.providerForm(), model);
    this.calls++;
    const cost = this.price(job, circuits);
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

  /** Jobs, Pubs, circuits and executions, and the cost model's estimate where there is one. */
  private price(job: CircuitJob, circuits: readonly Circuit[]): CostEstimate {
    const { provider, costModel, target } = this.options;
    const cost = estimateCost(job, provider.capabilities);
    if (!costModel) return cost;
    const amount = costModel.estimate({ job, circuits, target });
    return { ...cost, charge: { amount, unit: costModel.unit, paid: costModel.paid, confirmAbove: costModel.confirmAbove } };
  }

  usesBindings(): boolean {
    return this.options.provider.capabilities.parameterBindings && !this.options.transformBlock;
  }

  providerForm(): EmitForm {
    return { format: this.options.provider.capabilities.format, bindings: this.usesBindings() };
  }

  /** The compiled template of a layout and its text (built once per entanglement angle and format). */
  private template(layout: LayerLayout, format: QasmFormat, model: NeuronGates): { readonly text: string; readonly circuit: Circuit } {
    const key = `${layout.g}:${format}:${"name" in model ? String(model.name) : ""}`;
    let t = this.templates.get(key);
    if (t === undefined) {
      const circuit = this.prepare(layerTemplate(layout, model));
      t = { text: format === "qasm3" ? toQasm3(circuit) : toQasm2(circuit), circuit };
      this.templates.set(key, t);
    }
    return t;
  }

  /** Identity pairs, then native gates where the provider needs them (or the user asked). */
  private prepare(circuit: Circuit): Circuit {
    const { target, identityPairs = 0, compile = true, provider } = this.options;
    const padded = identityPairs > 0 ? insertIdentityPairs(circuit, target, { k: identityPairs }) : circuit;
    return compile || provider.capabilities.nativeGatesOnly ? compileForTarget(padded, target) : padded;
  }

}

/** A few significant digits: "0.0254", "12.3", "4810". */
function formatAmount(x: number): string {
  return x >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}
