/** The exports of dist/kernels.wasm (assembly/kernels.ts); pointers are byte addresses, strides floats. */
export interface KernelExports {
  gemmSparse(a: number, ars: number, acs: number, K: number, b: number, bs: number, nv: number, bias: number, c: number, cs: number, scratch: number, r0: number, r1: number): void;
  gemmSign(a: number, as: number, K: number, b: number, bs: number, nv: number, colsum: number, bias: number, c: number, cs: number, saved: number, incRows: number, scratch: number, r0: number, r1: number): number;
  signTables(b: number, bs: number, K: number, nv: number, table: number, t0: number, t1: number): void;
  gemmSignTable(
    a: number, as: number, K: number, table: number, nv: number, bias: number, c: number, cs: number,
    b: number, bs: number, saved: number, incRows: number, scratch: number, r0: number, r1: number,
  ): number;
  signMasksT(d: number, ds: number, n: number, K: number, out: number, k0: number, k1: number): void;
  transpose(src: number, ss: number, rows: number, cols: number, dst: number, ds: number, j0: number, j1: number): void;
  colSums(b: number, bs: number, K: number, out: number, v0: number, v1: number): void;
  rowSums(y: number, ys: number, n: number, out: number, v0: number, v1: number): void;
  straightThrough(z: number, dd: number, dz: number, e0: number, e1: number): void;
  sgd(w: number, g: number, v: number, lr: number, mu: number, e0: number, e1: number): void;
  neuronLayer(
    z: number, zs: number, cols: number, d: number, ds: number, m: number, state: number, qs: number,
    mode: NeuronMode, a: number, act: number, g: number, cleanRows: number, seed: number, pass: number, layer: number, rowOffset: number,
    scratch: number, r0: number, r1: number,
  ): void;
  storeBasisStates(m: number, state: number, qs: number, r0: number, r1: number): void;
  resetQubits(m: number, qs: number, r0: number, r1: number): void;
  philoxWords(out: number, cols: number, row: number, layer: number, pass: number, seed: number): void;
  fastProb(z: number, a: number, act: number): number;
  cosHalfPi(y: number): number;
  fastProb32(z: number, invA: number, act: number): number;
  heapBase(): number;
}

/** Kernels a worker may run: their index in this list is the job's kernel id. */
export const PARALLEL_KERNELS = ["gemmSparse", "gemmSign", "signTables", "gemmSignTable", "signMasksT", "transpose", "colSums", "straightThrough", "sgd", "neuronLayer", "resetQubits"] as const;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** Parallel kernels whose last arguments are (scratch, r0, r1): each thread passes its own scratch area. */
export const SCRATCH_KERNELS = ["gemmSparse", "gemmSign", "gemmSignTable", "neuronLayer"] as const satisfies readonly ParallelKernel[];
export type ScratchKernel = (typeof SCRATCH_KERNELS)[number];
export type RangeKernel = Exclude<ParallelKernel, ScratchKernel>;

/**
 * The arguments a caller gives a parallel kernel: its parameters (names and count, from
 * KernelExports) without the trailing (scratch,) r0, r1 that the pool fills in per chunk.
 */
export type KernelArgs<K extends ParallelKernel> = Parameters<KernelExports[K]> extends [...infer Head, number, number]
  ? K extends ScratchKernel
    ? Head extends [...infer Args, number]
      ? Args
      : never
    : Head
  : never;

/**
 * How neuronLayer updates a row (assembly/neuron.ts exports the same values as NeuronMode.*;
 * a test holds the two together).
 */
export const NeuronMode = {
  /** a = 0, g = pi/2, register in a basis state: d = sign(z), no draws. */
  Sign: 0,
  /** g = pi/2, register in a basis state: P(+1) = (1 + sin(pi t / 2)) / 2, float32 screen. */
  BasisState: 1,
  /** The general update from the stored state (probability and back-action in float64). */
  General: 2,
} as const;
export type NeuronMode = (typeof NeuronMode)[keyof typeof NeuronMode];

/** 64 KiB pages: the memory starts small and grows; 2 GiB is the most it may reserve. */
export const INITIAL_PAGES = 64;
export const MAXIMUM_PAGES = 32768;

let compiled: WebAssembly.Module | undefined;

/** Where the compiled kernels are, relative to this file (from src/ or dist/). */
export const KERNELS_URL = new URL("../dist/kernels.wasm", import.meta.url);

/**
 * The compiled kernels, read from dist/kernels.wasm in Node. fs is reached through
 * process.getBuiltinModule, not imported, so this file also loads in a browser, where the
 * module is fetched instead and handed to WasmBackend (see browser.ts).
 */
export function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const fs = nodeBuiltin<typeof import("node:fs")>("node:fs", "the compiled kernels module");
    compiled = new WebAssembly.Module(fs.readFileSync(KERNELS_URL));
  }
  return compiled;
}

/** A Node built-in module without a static import; elsewhere a clear error naming what to pass instead. */
export function nodeBuiltin<T>(id: string, what: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new Error(`sim-wasm: ${id} is not available here (not Node >= 20.16); pass ${what} in the WasmBackend options`);
  return mod as T;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("sim-wasm kernel aborted");
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
