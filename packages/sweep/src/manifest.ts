import type { SweepSettings } from "./config.js";
import type { SweepGrid } from "./grid.js";

export const MANIFEST_FORMAT = "nq-sweep/1";

/** sweep.json: what a sweep directory holds (its settings and grids), written when it starts. */
export interface SweepManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly settings: SweepSettings;
  readonly grids: readonly SweepGrid[];
  /** Of the dataset: chance error is 1 - 1/numClasses. */
  readonly numClasses: number;
  readonly datasetName: string;
  readonly preset: string | null;
  readonly createdAt: string;
  /** The command that started the sweep (without "nq"), to tell how to continue it. */
  readonly argv?: readonly string[];
}
