import { DataError } from "./errors.js";
import { readJson, writeJsonAtomic } from "./io.js";
import { validateNetwork, validateTraining, type NetworkSpec, type TrainSpec } from "./spec.js";
import type { EpochMetrics } from "./trainer.js";
import { deserializeWeights, serializeWeights, type LayerWeights, type Weights } from "./weights.js";

export const CHECKPOINT_FORMAT = "natural-quantization/checkpoint@1";

export interface Checkpoint {
  readonly network: NetworkSpec;
  readonly training: TrainSpec;
  readonly dataset: { readonly name: string; readonly trainSize: number; readonly testSize: number };
  /** Epochs completed. */
  readonly epoch: number;
  readonly weights: Weights;
  readonly velocities: Weights;
  readonly history: readonly EpochMetrics[];
}

export function saveCheckpoint(path: string, ck: Checkpoint): void {
  writeJsonAtomic(path, {
    format: CHECKPOINT_FORMAT,
    ...ck,
    weights: serializeWeights(ck.weights),
    velocities: serializeWeights(ck.velocities),
  });
}

/** Reads a checkpoint or a weights file (a checkpoint without velocities is a weights file). */
export function loadCheckpoint(path: string): Checkpoint {
  const raw = readJson(path, "checkpoint") as Record<string, unknown>;
  if (raw?.format !== CHECKPOINT_FORMAT) {
    throw new DataError(`${path} is not a natural-quantization checkpoint (format ${JSON.stringify(raw?.format)}, expected ${CHECKPOINT_FORMAT})`);
  }
  const network = validateNetwork(raw.network as NetworkSpec);
  const training = validateTraining(raw.training as TrainSpec);
  const weights: LayerWeights[] = deserializeWeights(raw.weights, network, path);
  const velocities = raw.velocities ? deserializeWeights(raw.velocities, network, path) : weights.map((l) => ({ ...l, w: new Float32Array(l.w.length), b: l.b ? new Float32Array(l.b.length) : null }));
  return {
    network,
    training,
    dataset: raw.dataset as Checkpoint["dataset"],
    epoch: Number(raw.epoch),
    weights,
    velocities,
    history: (raw.history as EpochMetrics[]) ?? [],
  };
}
