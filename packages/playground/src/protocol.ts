// Messages between the page (main.ts) and the training worker (worker.ts).
import type { Activation, EpochMetrics } from "@natural-quantization/core";

/** What the page's controls set (the CLI's `nq train` options of the same names). */
export interface RunSettings {
  readonly a: number;
  readonly g: number;
  readonly activation: Activation;
  readonly width: number;
  readonly depth: number;
  readonly epochs: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly shots: number;
  readonly seed: number;
  readonly batch: number;
  readonly lr: number;
  readonly momentum: number;
}

/** The chosen setting, its classical twin (a = 0, g = pi/2), or weights loaded from a file. */
export type RunId = "chosen" | "classical" | "loaded";

/** Flags in the shared control word (when the page is cross-origin isolated): acted on between batches. */
export const CONTROL_RUN = 0;
export const CONTROL_PAUSE = 1;
export const CONTROL_STOP = 2;

export interface IdxFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type ToWorker =
  | { readonly kind: "init"; readonly control: SharedArrayBuffer | null; readonly digitsUrl: string }
  | { readonly kind: "idx"; readonly files: readonly IdxFile[] }
  | { readonly kind: "bundled" }
  | { readonly kind: "train"; readonly settings: RunSettings; readonly compare: boolean }
  | { readonly kind: "pause" }
  | { readonly kind: "resume" }
  | { readonly kind: "stop" }
  | { readonly kind: "inspect"; readonly run: RunId; readonly image: number; readonly layer: number; readonly shots: number; readonly seed: number }
  | { readonly kind: "exportWeights"; readonly run: RunId }
  | { readonly kind: "loadWeights"; readonly name: string; readonly text: string; readonly settings: RunSettings }
  | { readonly kind: "bench"; readonly trainSize: number };

export interface EvalSummary {
  readonly oneShot: number;
  readonly oneShotStderr: number;
  readonly kShot: number;
  readonly kShotStderr: number;
  readonly shots: number;
}

export type FromWorker =
  | { readonly kind: "ready"; readonly threads: number; readonly isolated: boolean }
  | { readonly kind: "dataProgress"; readonly loaded: number; readonly total: number }
  | { readonly kind: "data"; readonly name: string; readonly images: number; readonly inputSize: number; readonly classes: number }
  | { readonly kind: "start"; readonly run: RunId; readonly epochs: number }
  | { readonly kind: "batch"; readonly run: RunId; readonly epoch: number; readonly batch: number; readonly batches: number }
  | { readonly kind: "epoch"; readonly run: RunId; readonly metrics: EpochMetrics }
  | { readonly kind: "evaluated"; readonly run: RunId; readonly result: EvalSummary; readonly weightsHash: string; readonly epochs: number }
  | { readonly kind: "paused"; readonly paused: boolean }
  | { readonly kind: "finished"; readonly stopped: boolean }
  | {
      readonly kind: "inspection";
      readonly run: RunId;
      readonly image: Float32Array;
      readonly label: number;
      readonly layer: number;
      readonly width: number;
      readonly angle: Float64Array[];
      readonly outcome: Int8Array[];
      readonly carried: Float64Array[];
      readonly votes: Int32Array;
      readonly projective: boolean;
    }
  | { readonly kind: "weights"; readonly run: RunId; readonly text: string }
  | { readonly kind: "bench"; readonly epochSeconds: number; readonly threads: number; readonly trainSize: number }
  | { readonly kind: "error"; readonly message: string };
