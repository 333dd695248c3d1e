import type { Cell } from "./grid.js";
import type { SweepDisplay } from "./display.js";
import type { SweepManifest } from "./manifest.js";

/** What an engine knows of a cell that has no result yet. */
export interface EngineCellState {
  readonly state: "pending" | "running" | "failed";
  /** E.g. "slurm task 12_3 PENDING", "CANCELLED". */
  readonly detail: string;
  /** The run's log file, when the engine keeps one. */
  readonly log?: string;
}

export interface ExecuteRequest {
  readonly dir: string;
  readonly manifest: SweepManifest;
  /** Every cell of the sweep, in order (a cell's index is its position here). */
  readonly cells: readonly Cell[];
  /** The cells to run: neither finished nor queued or running in the engine. */
  readonly run: readonly Cell[];
  /** How many cells are finished already. */
  readonly finished: number;
  /** Told of cells starting, progressing and ending; the executor calls its begin() and end(). */
  readonly display: SweepDisplay;
  /** The experiment module that trains a cell (RunSweepOptions.experiments), for the processes that run cells. */
  readonly experiments: string;
}

export interface ExecuteReport {
  /** Cells that finished during this call. */
  readonly ran: number;
  /** Cells that ended without a result during this call. */
  readonly failed: ReadonlyArray<{ readonly key: string; readonly message: string }>;
  /** Cells run at once, and backend threads per cell. */
  readonly slots: number;
  readonly threads: number;
  /** Set when the cells were handed to a batch system and this call returned without waiting for them. */
  readonly submitted?: string;
  /** The call also waited for the cells the engine had queued or running before it (a batch job followed to its end). */
  readonly followedAll?: boolean;
}

/**
 * Where a sweep's cells run: local child processes, a Slurm array job, ... The sweep logic
 * (directory, lock, which cells are left, aggregation) does not depend on which.
 */
export interface SweepExecutor {
  readonly name: string;
  /**
   * The engine's view of the unfinished cells of the sweep (`cells`: all of them, in order);
   * cells it knows nothing of are absent.
   */
  inspect(dir: string, cells: readonly Cell[]): Promise<ReadonlyMap<string, EngineCellState>>;
  /** Runs `run`; resolves when they ended, or, for a batch system told not to wait, once they are queued. */
  execute(request: ExecuteRequest): Promise<ExecuteReport>;
}
