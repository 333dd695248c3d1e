import {
  HALF_PI,
  PAPER_NETWORK,
  SgdTrainer,
  UserError,
  layerShapes,
  type Dataset,
  type Machine,
  type LayerWeights,
  type NetworkSpec,
  type TrainSpec,
} from "@natural-quantization/core";
import { loadMnistSubset } from "@natural-quantization/datasets";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { machinePeak } from "./machine-peak.js";
import type { ProgressRenderer } from "./progress.js";

export interface BenchOptions {
  /** The machine to time (a simulator backend is one). */
  readonly machine: Machine;
  /** Timed runs of each measurement; the median is reported (default 3). */
  readonly repetitions?: number;
  /** Untimed runs before them (default 1). */
  readonly warmup?: number;
  /** Training images (default 5000). */
  readonly trainSize?: number;
  /** Test images of the evaluation (default 5000). */
  readonly testSize?: number;
  /** Shots of the k-shot evaluation (default 15). */
  readonly shots?: number;
  /** Entanglement angle g of the hidden layers (default pi/2: Model 1; below it, Model 2). */
  readonly g?: number;
  /** Shows each run (warm-up or timed) and its batches or evaluation passes. */
  readonly progress?: ProgressRenderer;
}

export interface BenchResult {
  readonly backend: string;
  /** Median seconds of one training epoch of the paper network (the trainer's epoch time). */
  readonly epochSeconds: number;
  /** Median wall seconds of trainer.evaluate: k-shot evaluation of the test images, weight upload included. */
  readonly evalSeconds: number;
  /** Training floating-point operations of one epoch per second (dense count, see trainingFlops). */
  readonly gflops: number;
  /** Peak resident memory of the process so far. */
  readonly peakRssMB: number;
  /** The machine's float32 peak (see machinePeak), null where it cannot be read. */
  readonly peakGflops: number | null;
  /** Entanglement angle of the benched network. */
  readonly g: number;
}

/** The paper's network (784-512-512-512-10, no bias) as Model 1, a = 0.5, tanh, g = pi/2. */
export const BENCH_NETWORK: NetworkSpec = { ...PAPER_NETWORK, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };

/**
 * Dense FLOPs of one training epoch over n images: forward 2 n sum(in out), weight gradients
 * 2 n sum(in out), input gradients 2 n sum(in out) over every layer but the first.
 */
export function trainingFlops(network: NetworkSpec, n: number): number {
  const shapes = layerShapes(network);
  const all = shapes.reduce((s, [out, inp]) => s + out * inp, 0);
  const notFirst = all - shapes[0][0] * shapes[0][1];
  return 2 * n * all * 2 + 2 * n * notFirst;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`bench: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Times one training epoch (batch 64, lr 0.01, momentum 0.9, 5,000 MNIST images) and a 15-shot
 * evaluation of 5,000 test images on `backend`, each the median of `repetitions` runs after
 * `warmup` untimed ones.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { machine } = options;
  const repetitions = positiveInt("repetitions", options.repetitions ?? 3, 1);
  const warmup = positiveInt("warmup", options.warmup ?? 1, 0);
  const trainSize = positiveInt("trainSize", options.trainSize ?? 5000, 1);
  const testSize = positiveInt("testSize", options.testSize ?? 5000, 1);
  const shots = positiveInt("shots", options.shots ?? 15, 1);
  const g = options.g ?? HALF_PI;
  if (!(g >= 0 && g <= HALF_PI)) throw new RangeError(`bench: g must be in [0, pi/2], got ${g}`);
  const dataset: Dataset = loadMnistSubset({ trainSize, testSize });
  const network: NetworkSpec = { ...BENCH_NETWORK, neuron: { ...BENCH_NETWORK.neuron, g } };
  const training: TrainSpec = { epochs: 1, batch: 64, lr: 0.01, momentum: 0.9, shots, seed: 1 };
  // The trainer releases its buffers after each call, so repetitions do not add up in memory.
  const { progress } = options;
  const trainer = new SgdTrainer(machine, progress?.reporter({ epochLines: false }));
  const phase = (what: string, i: number) =>
    progress?.setContext(`${machine.dense.name} bench, ${what} ${i < warmup ? `warm-up ${i + 1}/${warmup}` : `run ${i - warmup + 1}/${repetitions}`}: `);

  const epochTimes: number[] = [];
  let weights: LayerWeights[] = [];
  for (let i = 0; i < warmup + repetitions; i++) {
    phase("training epoch", i);
    const result = await trainer.train({ network, training: { ...training, seed: 1 + i }, dataset, evaluateEachEpoch: false });
    // The trainer's own time of the epoch loop: no weight initialisation or read-back.
    if (i >= warmup) epochTimes.push(result.history[0].seconds);
    weights = result.weights;
  }
  const evalTimes: number[] = [];
  for (let i = 0; i < warmup + repetitions; i++) {
    phase("evaluation", i);
    const t0 = performance.now();
    await trainer.evaluate({ network, weights, split: dataset.test, shots, seed: 1 + i });
    const seconds = (performance.now() - t0) / 1000;
    if (i >= warmup) evalTimes.push(seconds);
  }
  const epochSeconds = median(epochTimes);
  return {
    backend: machine.dense.name,
    epochSeconds,
    evalSeconds: median(evalTimes),
    gflops: trainingFlops(network, trainSize) / epochSeconds / 1e9,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    peakGflops: machinePeak()?.gflops ?? null,
    g,
  };
}

/** One human-readable line. */
export function formatBench(r: BenchResult): string {
  const peak = r.peakGflops ? ` = ${((100 * r.gflops) / r.peakGflops).toFixed(0)}% of the ${r.peakGflops.toFixed(0)} GFLOP/s peak` : "";
  const model = r.g === HALF_PI ? "" : ` [Model 2, g = ${r.g}]`;
  return `${r.backend}: epoch ${r.epochSeconds.toFixed(3)} s (${r.gflops.toFixed(1)} GFLOP/s${peak}), eval ${r.evalSeconds.toFixed(3)} s, peak RSS ${Math.round(r.peakRssMB)} MB${model}`;
}

export interface BenchRun {
  readonly backend: string;
  readonly repetitions: number;
  readonly warmup: number;
  /** Entanglement angle (default pi/2). */
  readonly g?: number;
}

export type BenchRecord = BenchResult & { readonly threads: number; readonly repetitions: number; readonly warmup: number };

/** Runs one backend's bench in a child process, so its peak memory is its own. */
function benchChild(run: BenchRun, threads: number | undefined): BenchRecord {
  const bin = fileURLToPath(new URL("./bin.js", import.meta.url));
  const args = [bin, "bench", "--in-process", "--backend", run.backend, "--repetitions", String(run.repetitions), "--warmup", String(run.warmup)];
  if (threads !== undefined) args.push("--threads", String(threads));
  if (run.g !== undefined) args.push("--g", String(run.g));
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch {
    throw new UserError(`bench of ${run.backend} failed (its error is above)`);
  }
  const r = JSON.parse(out.trim().split("\n").at(-1)!) as BenchRecord;
  process.stderr.write(`${formatBench(r)} [threads ${r.threads}, median of ${r.repetitions} after ${r.warmup} warm-up]\n`);
  return r;
}

/** One thread count of a scaling run, and its times relative to the first thread count's. */
export interface ScalingRow {
  readonly threads: number;
  readonly epochSeconds: number;
  readonly evalSeconds: number;
  /** epochSeconds / epochSeconds of the first thread count (0.5: twice as fast). */
  readonly epochRatio: number;
  readonly evalRatio: number;
}

/** The scaling of one backend over thread counts, relative to the first record. */
export function scaling(records: readonly BenchRecord[]): ScalingRow[] {
  const [base] = records;
  return records.map((r) => ({
    threads: r.threads,
    epochSeconds: r.epochSeconds,
    evalSeconds: r.evalSeconds,
    epochRatio: r.epochSeconds / base.epochSeconds,
    evalRatio: r.evalSeconds / base.evalSeconds,
  }));
}

/** The scaling rows as a small text table (times, and each relative to the first row). */
export function formatScaling(backend: string, rows: readonly ScalingRow[]): string {
  const base = rows[0]?.threads;
  const lines = [`${backend} scaling (time relative to ${base} thread${base === 1 ? "" : "s"}):`, "threads     epoch   x base       eval   x base"];
  for (const r of rows) {
    lines.push(
      `${String(r.threads).padStart(7)} ${r.epochSeconds.toFixed(3).padStart(8)} s ${r.epochRatio.toFixed(2).padStart(7)}x ${r.evalSeconds.toFixed(3).padStart(8)} s ${r.evalRatio.toFixed(2).padStart(7)}x`,
    );
  }
  return lines.join("\n");
}

/**
 * The bench of `nq bench`: the main backend (once per thread count, in that order) and each
 * comparison, one child process each, one after the other (so they do not share the cores), and
 * the speed-ups measured in this run. With several thread counts, `scaling` relates each to the
 * first; the main result and the comparisons are those of the first thread count.
 */
export async function benchInChildren(options: { main: BenchRun; compare: readonly BenchRun[]; threads?: readonly number[] }) {
  const counts: ReadonlyArray<number | undefined> = options.threads && options.threads.length > 0 ? options.threads : [undefined];
  const peak = machinePeak();
  if (peak) process.stderr.write(`machine peak (float32): ${peak.how}\n`);
  const runs = counts.map((t) => benchChild(options.main, t));
  const main = runs[0];
  const compared = options.compare.map((c) => benchChild(c, counts[0]));
  const speedup = Object.fromEntries(
    compared.map((c) => [c.backend, { epoch: c.epochSeconds / main.epochSeconds, eval: c.evalSeconds / main.evalSeconds }]),
  );
  for (const c of compared) {
    process.stderr.write(`${main.backend} vs ${c.backend}: ${speedup[c.backend].epoch.toFixed(1)}x faster per epoch, ${speedup[c.backend].eval.toFixed(1)}x faster evaluation\n`);
  }
  if (runs.length < 2) return { ...main, compared, speedup };
  const rows = scaling(runs);
  process.stderr.write(`${formatScaling(main.backend, rows)}\n`);
  return { ...main, compared, speedup, scaling: rows };
}
