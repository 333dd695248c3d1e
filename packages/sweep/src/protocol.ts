/** Parent to worker: run one cell of the sweep in `dir` (resuming from its checkpoint if there is one). */
export interface RunMessage {
  readonly type: "run";
  readonly dir: string;
  readonly key: string;
  readonly threads: number;
  /** The experiment module that trains the cell. */
  readonly experiments: string;
}

/** Worker to parent. */
export type WorkerMessage =
  | { readonly type: "progress"; readonly epoch: number; readonly epochs: number; readonly phase: "train" | "eval"; readonly fraction: number }
  | { readonly type: "done"; readonly seconds: number }
  /** Another live runner (a batch task, say) holds the cell's claim; described for the user. */
  | { readonly type: "busy"; readonly holder: string }
  | { readonly type: "error"; readonly message: string; readonly user: boolean; readonly stack?: string };
