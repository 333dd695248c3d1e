import { CapabilityError, ConfigError, RandomStream } from "@natural-quantization/core";
import type { CircuitJob, CostModel, JobResult, ProviderCapabilities, QuantumProvider, RunOptions } from "../provider.js";
import type { Target } from "../target.js";
import { fullyConnectedTarget } from "./ideal-target.js";
import { outcomeDistribution } from "./outcome-distribution.js";
import { importQasm2 } from "./qasm2-import.js";
import { loadQuantumCircuit } from "./quantum-circuit-loader.js";
import { splitIntoComponents, wholeProgram } from "./qubit-components.js";
import { sampleShots, type SampledComponent } from "./shot-sampler.js";
import { validatePubs } from "./job-validation.js";

export interface LocalProviderOptions {
  /** Qubits of the ideal, fully connected target (default 128). */
  readonly numQubits?: number;
  /** Seed of the shot streams (unsigned 32-bit, default 0). */
  readonly seed?: number;
  /** Simulate the whole program as one circuit instead of per component (slow; for checks). */
  readonly splitComponents?: boolean;
}

/**
 * Limits of the local provider. It has no service quota; these bound one job's memory and time:
 * a job holds every shot's bits (pubs x shots x clbits bytes), and each Pub is imported and
 * simulated on its own.
 */
export const LOCAL_CAPABILITIES: ProviderCapabilities = {
  format: "qasm2",
  nativeGatesOnly: false,
  parameterBindings: false,
  maxPubsPerJob: 10_000,
  maxExecutionsPerJob: 10_000_000,
  maxBytesPerJob: Number.POSITIVE_INFINITY,
  maxShots: 1_000_000,
  noise: false,
};

/** The local simulator is free: it counts executions and never asks for confirmation. */
export const LOCAL_COST_MODEL: CostModel = {
  unit: "circuit executions",
  paid: false,
  confirmAbove: Number.POSITIVE_INFINITY,
  description: "free: circuit executions (binding rows x shots) are counted for the record",
  estimate: ({ job }) => job.pubs.reduce((n, p) => n + (p.bindings?.length ?? 1), 0) * job.shots,
};

/**
 * `local`: runs OpenQASM 2 programs on the npm simulator quantum-circuit, so the very text a
 * device would get is what runs. quantum-circuit computes each independent qubit group's exact
 * outcome probabilities; shots are then drawn from core's counter-based RandomStream. A job run
 * with a ShotSeed (the hardware qubit layer passes its run context's) draws Pub p from
 * RandomStream(seed, "shots", firstPub + p, stream): the same run seed, the same bits. Without one,
 * from RandomStream(seed option, "shots", id), id = the provider's running Pub count, so two
 * providers with the same seed given the same jobs in the same order return the same bits.
 */
export class LocalProvider implements QuantumProvider {
  readonly name = "local";
  readonly capabilities = LOCAL_CAPABILITIES;
  private readonly numQubits: number;
  private readonly seed: number;
  private readonly split: boolean;
  private nextStreamId = 0;
  private nextJobId = 0;

  constructor(options: LocalProviderOptions = {}) {
    this.numQubits = options.numQubits ?? 128;
    fullyConnectedTarget(this.numQubits); // validates numQubits
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ConfigError("seed", seed, "an integer from 0 to 4294967295");
    }
    this.seed = seed;
    this.split = options.splitComponents ?? true;
  }

  async target(): Promise<Target> {
    return fullyConnectedTarget(this.numQubits, `local-ideal-${this.numQubits}`);
  }

  async run(job: CircuitJob, options: RunOptions = {}): Promise<JobResult> {
    validatePubs(job, this.capabilities);
    await loadQuantumCircuit();
    const jobId = `local-${this.nextJobId++}`;
    options.onStatus?.({ jobId, status: "Running" });
    const results: Uint8Array[][][] = [];
    for (let p = 0; p < job.pubs.length; p++) {
      options.signal?.throwIfAborted();
      const pub = job.pubs[p];
      const program = importQasm2(pub.program);
      if (program.numQubits > this.numQubits) {
        throw new CapabilityError(`pubs[${p}] uses ${program.numQubits} qubits; the local target has ${this.numQubits}`);
      }
      if (program.numClbits !== pub.clbits) {
        throw new ConfigError(`pubs[${p}].clbits`, pub.clbits, `the program's classical register size, ${program.numClbits}`);
      }
      const components = this.split ? splitIntoComponents(program) : wholeProgram(program);
      const sampled: SampledComponent[] = components.map((component) => ({ component, probabilities: outcomeDistribution(component) }));
      const seed = options.seed;
      const stream = seed ? new RandomStream(seed.seed, "shots", seed.firstPub + p, seed.stream) : new RandomStream(this.seed, "shots", this.nextStreamId++);
      results.push([sampleShots(sampled, program.measurements, program.numClbits, job.shots, stream)]);
      // Let timers and abort signals through between Pubs.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    options.onStatus?.({ jobId, status: "Completed" });
    return results;
  }
}
