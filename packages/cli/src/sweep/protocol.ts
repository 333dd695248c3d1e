import type { ExperimentConfig } from "../experiment.js";

/** Parent to worker: run one cell into `out` (resuming from its checkpoint if there is one). */
export interface RunMessage {
  readonly type: "run";
  readonly config: ExperimentConfig;
  readonly out: string;
}

/** Worker to parent. */
export type WorkerMessage =
  | { readonly type: "progress"; readonly epoch: number; readonly epochs: number; readonly phase: "train" | "eval"; readonly fraction: number }
  | { readonly type: "done"; readonly seconds: number }
  | { readonly type: "error"; readonly message: string; readonly user: boolean; readonly stack?: string };
