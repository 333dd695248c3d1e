import { PARALLEL_KERNELS, nodeBuiltin, type KernelArgs, type KernelExports, type ParallelKernel, type RangeKernel, type ScratchKernel } from "./kernels.js";

// Control block: a SharedArrayBuffer of its own (memory growth never moves it), in 64-byte lines.
// Line 0 holds the job (int32 slots):
const JOB = 0; // sequence number of the last job posted by the main thread
const KERNEL = 1; // kernel id (index in PARALLEL_KERNELS), -1 = exit
const ARGC = 2; // shared arguments of the job
const TOTAL = 3; // the job's range is [0, TOTAL)
const CHUNK = 4; // rows (or elements) per chunk
const SCRATCH = 5; // 1 if the kernel takes a scratch area (each thread passes its own)
const PENDING = 6; // chunks of the job not finished yet
const RESULT = 7; // sum of the kernel's results over the job's chunks
const FAILED = 8; // 1 if a chunk threw
const CONTENDED = 9; // 1 while a worker has found the cores busy (nobody polls then)
// Line 1 + t belongs to thread t (0 = main): its range word (64-bit slot 0) and, for a worker,
// READY (int32 slot 2: 1 once it has instantiated the module, -1 if it could not). Lines of their
// own, so that threads claiming chunks from their own range do not share a cache line.
const LINE = 8; // 64-bit slots per line
const READY = 2;
const MAX_ARGS = 32;
const MAX_CHUNKS = 0xffff; // a chunk index fits 16 bits of a range word

/** Chunks per thread: small enough that a thread that falls behind is relieved by the others. */
const CHUNKS_PER_THREAD = 4;
/** Least estimated work of a chunk: below it the hand-over costs more than it saves. */
const MIN_CHUNK_WORK = 40_000;
/** An idle worker polls for this long before it sleeps in Atomics.wait: jobs arrive microseconds apart. */
const SPIN_MS = 0.5;
/**
 * A gap this long between two checks of a polling worker (1,024 polls, microseconds apart) means
 * the OS took its core away: other processes want the cores. Polling then only takes time from
 * the thread it waits for, so for PASSIVE_MS every thread sleeps at once instead.
 */
const PREEMPTED_MS = 1;
const PASSIVE_MS = 1000;
/** The main thread polls for the last chunks this many times before it sleeps. */
const MAIN_SPIN = 20_000;

/**
 * Runs chunks of job `job` as thread `self`: first its own range from the front, then chunks taken
 * from the back of the other threads' ranges, so a thread that is late, or not scheduled at all,
 * does not hold up the job. A range word (thread t's at ranges[8 (1 + t)]) holds the job's
 * sequence number (high 32 bits), the end (bits 16-31) and the next chunk (bits 0-15). A chunk is
 * claimed by one compare-and-swap that also checks the job, so each chunk runs exactly once and a
 * worker that wakes up late cannot claim chunks of a newer job. Chunk results are added up in
 * RESULT; whoever finishes the last chunk wakes the main thread. Returns the first error a chunk
 * threw. Self-contained (slot numbers written out): the workers evaluate its source text.
 */
function runChunks(
  I: Int32Array, ranges: BigUint64Array, job: number, self: number, threads: number,
  call: (r0: number, r1: number) => number,
): unknown {
  const total = I[3], chunk = I[4]; // TOTAL, CHUNK
  const gen = BigInt.asUintN(32, BigInt(job));
  let failure: unknown = null;
  for (let i = 0; i < threads; i++) {
    const at = 8 * (1 + ((self + i) % threads)); // LINE (1 + t)
    for (;;) {
      const v = Atomics.load(ranges, at);
      if (v >> 32n !== gen) break;
      const next = Number(v & 0xffffn);
      const end = Number((v >> 16n) & 0xffffn);
      if (next >= end) break;
      const own = i === 0;
      const c = own ? next : end - 1;
      const taken = (gen << 32n) | BigInt(own ? end * 65536 + next + 1 : (end - 1) * 65536 + next);
      if (Atomics.compareExchange(ranges, at, v, taken) !== v) continue;
      try {
        const result = call(c * chunk, Math.min(total, (c + 1) * chunk));
        if (result !== 0) Atomics.add(I, 7, result); // RESULT
      } catch (e) {
        Atomics.store(I, 8, 1); // FAILED
        failure ??= e;
      }
      if (Atomics.sub(I, 6, 1) === 1) Atomics.notify(I, 6); // PENDING
    }
  }
  return failure;
}

// The worker's code, as the source of a function of its workerData, so no second file has to be
// found next to the package's entry point (it runs from src/ in tests and from dist/ when
// installed). Node runs it in an eval worker (nodeSpawnWorker), a browser in a Worker made from
// a Blob (browser.ts).
export const WORKER_MAIN = `(workerData) => {
  const runChunks = ${runChunks.toString()};
  const { wasmModule, memory, control, names, self, threads, argsAt, scratchAt, spinMs } = workerData;
  const I = new Int32Array(control), F = new Float64Array(control), ranges = new BigUint64Array(control);
  const ready = ${2 * LINE} * (1 + self) + ${READY};
  let fns;
  try {
    const instance = new WebAssembly.Instance(wasmModule, { env: { memory, abort() { throw new Error("sim-wasm kernel aborted"); } } });
    fns = names.map((n) => instance.exports[n]);
  } catch (e) {
    Atomics.store(I, ready, -1);
    Atomics.notify(I, ready);
    return;
  }
  Atomics.store(I, ready, 1);
  Atomics.notify(I, ready);
  let seen = 0, passiveUntil = 0;
  for (;;) {
    let s, polls = 0, since = performance.now(), last = since;
    while ((s = Atomics.load(I, ${JOB})) === seen) {
      if ((++polls & 1023) !== 0) continue;
      const now = performance.now();
      if (now - last > ${PREEMPTED_MS}) {
        passiveUntil = now + ${PASSIVE_MS};
        Atomics.store(I, ${CONTENDED}, 1);
      }
      last = now;
      const passive = now < passiveUntil;
      if (!passive && passiveUntil > 0) {
        passiveUntil = 0;
        Atomics.store(I, ${CONTENDED}, 0);
      }
      if (passive || now - since > spinMs) {
        Atomics.wait(I, ${JOB}, seen);
        since = last = performance.now();
      }
    }
    seen = s;
    const k = I[${KERNEL}];
    if (k < 0) break;
    // A late worker may read the next job's arguments here: runChunks then claims nothing.
    const fn = fns[k];
    const argc = I[${ARGC}];
    const at = I[${SCRATCH}] ? argc + 1 : argc; // where the range goes
    const args = new Array(at + 2);
    for (let i = 0; i < argc; i++) args[i] = F[argsAt + i];
    if (at > argc) args[argc] = F[scratchAt + self];
    if (!fn) continue;
    runChunks(I, ranges, s, self, threads, (r0, r1) => {
      args[at] = r0;
      args[at + 1] = r1;
      return fn(...args) | 0;
    });
  }
}`;

/** What a pool worker is handed: the module, the shared memory, the control block and its place. */
export interface PoolWorkerData {
  readonly wasmModule: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly names: readonly string[];
  /** This worker's thread index (1 .. threads - 1; 0 is the main thread). */
  readonly self: number;
  readonly threads: number;
  readonly argsAt: number;
  readonly scratchAt: number;
  readonly spinMs: number;
}

/** What the pool needs of a worker it started: a way to end it. */
export interface WorkerLike {
  terminate(): unknown;
}

/** Starts a worker running `(${WORKER_MAIN})(data)`; `onError` is called if the worker dies. */
export type SpawnWorker = (main: string, data: PoolWorkerData, onError: () => void) => WorkerLike;

/** Node: an eval worker_threads Worker that never keeps the process alive. */
export const nodeSpawnWorker: SpawnWorker = (main, data, onError) => {
  const { Worker } = nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads", "spawnWorker");
  // worker_threads is loaded by dynamic import, which works whether Node evaluates the source as
  // CommonJS or as an ES module (a parent started with --input-type=module passes that on).
  const source = `import("node:worker_threads").then(({ workerData }) => (${main})(workerData));`;
  const worker = new Worker(source, { eval: true, workerData: data });
  // It sleeps in Atomics.wait between jobs.
  worker.unref();
  worker.on("error", onError);
  return worker;
};

/** Cores of the host: Node's availableParallelism, or a browser's hardwareConcurrency. */
export function hostCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (proc?.getBuiltinModule) return nodeBuiltin<typeof import("node:os")>("node:os", "threads").availableParallelism();
  return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
}

/**
 * The threads of a backend: the main thread plus `threads - 1` workers running the same module on
 * the same shared memory. A job's range (rows, output columns or elements) is cut into chunks at
 * multiples of a granule; each thread starts on its own contiguous share (the same rows for the
 * same shapes, which keeps them in that core's cache from one kernel to the next) and then helps
 * the others with theirs. Every output element is computed by one kernel call whose result does
 * not depend on the range it was given, so results are the same for every thread count and
 * every schedule.
 */
export class Pool {
  readonly threads: number;
  private readonly workers: WorkerLike[] = [];
  private readonly I: Int32Array;
  private readonly F: Float64Array;
  private readonly ranges: BigUint64Array;
  /** Float64 index of the per-thread scratch pointers, and of the shared arguments. */
  private readonly scratchAt: number;
  private readonly argsAt: number;
  private readonly mainSpin: number;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly k: KernelExports,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    threads: number,
    spawn: SpawnWorker = nodeSpawnWorker,
  ) {
    this.threads = threads;
    this.scratchAt = LINE * (1 + threads);
    this.argsAt = this.scratchAt + threads;
    // One thread needs no shared control block (a page that is not cross-origin isolated has no SharedArrayBuffer).
    const bytes = (this.argsAt + MAX_ARGS) * 8;
    const control = threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    this.I = new Int32Array(control);
    this.F = new Float64Array(control);
    this.ranges = new BigUint64Array(control);
    // More threads than cores: a polling thread would take the core of the one it waits for.
    const oversubscribed = threads > hostCores();
    this.mainSpin = oversubscribed ? 0 : MAIN_SPIN;
    for (let self = 1; self < threads; self++) {
      const data: PoolWorkerData = {
        wasmModule: module, memory, control: control as SharedArrayBuffer, names: [...PARALLEL_KERNELS], self, threads,
        argsAt: this.argsAt, scratchAt: this.scratchAt, spinMs: oversubscribed ? 0 : SPIN_MS,
      };
      this.workers.push(spawn(WORKER_MAIN, data, () => Atomics.store(this.I, this.ready(self), -1)));
    }
  }

  /** Workers that can take jobs now (until they are up, the other threads do their share). */
  get readyWorkers(): number {
    if (this.closed) return 0;
    let n = 0;
    for (let t = 1; t < this.threads; t++) if (Atomics.load(this.I, this.ready(t)) === 1) n++;
    return n;
  }

  /** Blocks until every worker is ready (or `ms` pass); returns whether all are. */
  waitReady(ms = 10_000): boolean {
    if (this.closed || this.threads === 1) return false;
    const deadline = performance.now() + ms;
    for (let t = 1; t < this.threads; t++) {
      const left = deadline - performance.now();
      if (left > 0) Atomics.wait(this.I, this.ready(t), 0, left);
    }
    return this.readyWorkers === this.threads - 1;
  }

  /**
   * Runs kernel(...args, scratch[thread], start, end) over [0, total) in chunks whose bounds are
   * multiples of `granule`, and returns the sum of the chunks' results (kernels that count
   * something). `work` estimates the job's cost: it sets how many chunks are worth a hand-over,
   * and small jobs stay on the main thread. `scratch` holds one private area per thread.
   */
  run<K extends ScratchKernel>(kernel: K, args: KernelArgs<K>, total: number, granule: number, work: number, scratch: readonly number[]): number;
  run<K extends RangeKernel>(kernel: K, args: KernelArgs<K>, total: number, granule: number, work: number): number;
  run(kernel: ParallelKernel, args: readonly number[], total: number, granule: number, work: number, scratch?: readonly number[]): number {
    const fn = this.k[kernel] as (...a: number[]) => number | undefined;
    const call = scratch ? [...args, scratch[0], 0, total] : [...args, 0, total];
    const workers = this.threads === 1 ? 0 : this.readyWorkers;
    const units = Math.ceil(total / granule);
    const chunks = Math.min(units, MAX_CHUNKS, Math.floor(work / MIN_CHUNK_WORK), (1 + workers) * CHUNKS_PER_THREAD);
    if (workers === 0 || chunks < 2) return fn(...call) ?? 0;
    if (call.length > MAX_ARGS) throw new RangeError(`too many kernel arguments (${call.length})`);

    const I = this.I, F = this.F;
    const chunk = Math.ceil(units / chunks) * granule;
    const count = Math.ceil(total / chunk);
    const s = ++this.seq;
    for (let i = 0; i < args.length; i++) F[this.argsAt + i] = args[i];
    if (scratch) for (let t = 0; t < this.threads; t++) F[this.scratchAt + t] = scratch[t];
    I[KERNEL] = PARALLEL_KERNELS.indexOf(kernel);
    I[ARGC] = args.length;
    I[SCRATCH] = scratch ? 1 : 0;
    I[TOTAL] = total;
    I[CHUNK] = chunk;
    I[RESULT] = 0;
    I[FAILED] = 0;
    Atomics.store(I, PENDING, count);
    // Contiguous shares over the threads that are up: the p-th owns chunks [count p / P, count (p + 1) / P).
    const gen = BigInt.asUintN(32, BigInt(s)) << 32n;
    for (let t = 0, p = 0; t < this.threads; t++) {
      let share = 0;
      if (t === 0 || Atomics.load(I, this.ready(t)) === 1) {
        // A worker that became ready since `workers` was counted gets an empty share.
        const next = Math.floor((count * p) / (1 + workers));
        const end = Math.floor((count * (p + 1)) / (1 + workers));
        if (p <= workers) share = end * 65536 + next;
        p++;
      }
      Atomics.store(this.ranges, LINE * (1 + t), gen | BigInt(share));
    }
    Atomics.store(I, JOB, s);
    Atomics.notify(I, JOB);

    const argEnd = call.length - 2;
    const failure = runChunks(I, this.ranges, s, 0, this.threads, (r0, r1) => {
      call[argEnd] = r0;
      call[argEnd + 1] = r1;
      return fn(...call) ?? 0;
    });
    // Chunks still running on workers.
    let polls = 0;
    const spin = Atomics.load(I, CONTENDED) === 1 ? 0 : this.mainSpin;
    for (let v = Atomics.load(I, PENDING); v !== 0; v = Atomics.load(I, PENDING)) {
      if (++polls > spin) {
        Atomics.wait(I, PENDING, v, 1000);
        polls = 0;
      }
    }
    if (failure !== null) throw failure;
    if (I[FAILED] === 1) throw new Error(`sim-wasm: kernel ${kernel} failed on a worker thread`);
    return I[RESULT];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.workers.length > 0) {
      this.I[KERNEL] = -1;
      Atomics.store(this.I, JOB, ++this.seq);
      Atomics.notify(this.I, JOB);
      for (const w of this.workers) void w.terminate();
    }
  }

  /** Int32 index of worker t's READY slot. */
  private ready(t: number): number {
    return 2 * LINE * (1 + t) + READY;
  }
}
