import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { UserError } from "@natural-quantization/core";

/** A thread pool of the addon (an opaque handle). */
export interface PoolHandle {
  readonly __pool: unique symbol;
}

/** What native/addon.cc exports. */
export interface Binding {
  /** The instruction set of the kernels chosen at load time: "avx512", "avx2" or "portable". */
  readonly isa: "avx512" | "avx2" | "portable";
  /** Floats per vector of that instruction set. */
  readonly lanes: number;
  createPool(threads: number): PoolHandle;
  closePool(pool: PoolHandle): void;
  ensureScratch(pool: PoolHandle, bytes: number): void;
  /** Runs a kernel over [0, total) in `chunks` chunks (multiples of `granule`); returns the sum of their results. */
  run(pool: PoolHandle, kernel: number, total: number, granule: number, chunks: number, args: Float64Array, argc: number): number;
  /** Zeroed, 64-byte aligned native memory as an ArrayBuffer; free() it. */
  alloc(bytes: number): ArrayBuffer;
  address(buffer: ArrayBuffer): number;
  free(address: number, bytes: number): void;
  detach(buffer: ArrayBuffer): void;
}

/** Kernel ids: the order of KernelId in native/kernels.h. */
export const Kernel = {
  gemmSparse: 0,
  gemmSign: 1,
  signMasksT: 2,
  transpose: 3,
  colSums: 4,
  straightThrough: 5,
  sgd: 6,
  neuronLayer: 7,
  storeBasisStates: 8,
  resetQubits: 9,
  philoxWords: 10,
  prob64: 11,
  prob32: 12,
  gemmNT: 13,
  gradientStep: 14,
  sumGroups: 15,
} as const;
export type KernelName = keyof typeof Kernel;

/** The package's root: build/Release (a build from source) and prebuilds/ (shipped) are under it. */
export const PACKAGE_ROOT = fileURLToPath(new URL("..", import.meta.url));

let loaded: Binding | undefined;
let failure: Error | undefined;

/**
 * The addon, loaded once by node-gyp-build: build/Release/*.node when it was built from source,
 * else the prebuilt binary for this platform under prebuilds/. Where neither loads, a UserError
 * of one line that names the way out (sim-wasm, or building from source).
 */
export function binding(): Binding {
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    const require = createRequire(import.meta.url);
    const load = require("node-gyp-build") as (dir: string) => Binding;
    loaded = load(PACKAGE_ROOT);
    return loaded;
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    failure = new UserError(
      `sim-native cannot load its native addon on ${process.platform}-${process.arch} (${reason}); use --backend sim-wasm, or build it with g++: npm run build:native in ${PACKAGE_ROOT}`,
    );
    throw failure;
  }
}
