import { DataError, RandomStream } from "@natural-quantization/core";
import type { JobResult } from "../provider.js";
import type { IonqProgram } from "./ionq-circuits.js";
import { drawIndex } from "./shot-sampler.js";

/**
 * What the ionq provider keeps on disk for a finished multi-circuit job (before decoding): the job
 * record (`GET /jobs/{id}`: child_job_ids in circuit order, backend, noise, shots) and the
 * aggregated probabilities (`GET /jobs/{id}/results/probabilities`, format
 * `ionq.result.probabilities-aggregate.json.v1`: child job id -> { decimal state: probability }).
 */
export interface IonqRawResult {
  readonly job: IonqJobRecord;
  readonly probabilities: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface IonqJobRecord {
  readonly id: string;
  readonly status: string;
  readonly backend?: string;
  readonly shots?: number;
  readonly noise?: { readonly model?: string } | null;
  readonly child_job_ids?: readonly string[] | null;
  readonly failure?: { readonly code?: string; readonly message?: string } | null;
  readonly name?: string | null;
  readonly metadata?: Readonly<Record<string, string>> | null;
  readonly stats?: { readonly billed_quantum_compute_time_us?: number; readonly predicted_quantum_compute_time_us?: number } | null;
}

/**
 * Per-shot bits from IonQ's result distributions.
 *
 * Bit order: a state key is a decimal integer whose bit k (2^k place) is qubit k, qubit 0 the least
 * significant (IonQ's little-endian order, as cirq-ionq reads it: "IonQ returns results in little
 * endian"). c[i] of a shot is bit clbitQubits[i] of its state.
 *
 * On a QPU (or a noisy simulation) a circuit's distribution is its shot histogram divided by the
 * shots, so count = round(p x shots) recovers the histogram exactly; the shots of one circuit are
 * exchangeable, so the counts are expanded and put in an order drawn from `streams(p)`. The ideal
 * simulator ignores shots and returns exact probabilities: there the shots are drawn from them.
 */
export function decodeIonqResult(raw: IonqRawResult, programs: readonly IonqProgram[], shots: number, streams: (pub: number) => RandomStream): { result: JobResult; sampled: boolean } {
  const children = raw.job.child_job_ids ?? [];
  if (children.length !== programs.length) {
    throw new DataError(`IonQ job ${raw.job.id} has ${children.length} child jobs for ${programs.length} circuits`);
  }
  const ideal = raw.job.backend === "simulator" && (raw.job.noise?.model ?? "ideal") === "ideal";
  const result = programs.map((program, p) => {
    const dist = raw.probabilities[children[p]];
    if (!dist) throw new DataError(`IonQ job ${raw.job.id}: no probabilities for child job ${children[p]} (circuit ${p})`);
    const states = Object.keys(dist).map((k) => ({ state: parseState(k, raw.job.id), p: dist[k] }));
    const outcomes = ideal ? drawShots(states, shots, streams(p)) : shuffledHistogram(states, shots, streams(p), raw.job.id, p);
    return [outcomes.map((state) => bitsOf(state, program.clbitQubits))];
  });
  return { result, sampled: ideal };
}

function parseState(key: string, jobId: string): bigint {
  if (!/^\d+$/.test(key)) throw new DataError(`IonQ job ${jobId}: result key "${key.slice(0, 40)}" is not a decimal qubit state`);
  return BigInt(key);
}

function shuffledHistogram(states: readonly { state: bigint; p: number }[], shots: number, stream: RandomStream, jobId: string, pub: number): bigint[] {
  const out: bigint[] = [];
  for (const { state, p } of states) {
    const count = Math.round(p * shots);
    if (!(Math.abs(count - p * shots) < 1e-6 * Math.max(1, shots))) {
      throw new DataError(`IonQ job ${jobId}, circuit ${pub}: probability ${p} of state ${state} is not a count out of ${shots} shots (was error mitigation on?)`);
    }
    for (let i = 0; i < count; i++) out.push(state);
  }
  if (out.length !== shots) throw new DataError(`IonQ job ${jobId}, circuit ${pub}: its histogram holds ${out.length} shots, ${shots} were asked for`);
  const order = stream.permutation(out.length);
  return Array.from(order, (i) => out[i]);
}

function drawShots(states: readonly { state: bigint; p: number }[], shots: number, stream: RandomStream): bigint[] {
  const sorted = [...states].sort((a, b) => (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
  const cumulative = new Float64Array(sorted.length);
  let sum = 0;
  sorted.forEach((s, i) => {
    sum += s.p;
    cumulative[i] = sum;
  });
  const out: bigint[] = [];
  for (let s = 0; s < shots; s++) out.push(sorted[drawIndex(cumulative, stream.uniform() * sum)].state);
  return out;
}

function bitsOf(state: bigint, clbitQubits: readonly number[]): Uint8Array {
  const bits = new Uint8Array(clbitQubits.length);
  clbitQubits.forEach((q, i) => {
    if (q >= 0) bits[i] = Number((state >> BigInt(q)) & 1n);
  });
  return bits;
}
