import { DataError } from "./errors.js";
import { validateNetwork, validateTraining, type NetworkSpec, type TrainSpec } from "./spec.js";
import type { EpochMetrics } from "./metrics.js";
import { deserializeWeights, serializeWeights, type LayerWeights, type Weights } from "./weights.js";

export const CHECKPOINT_FORMAT = "natural-quantization/checkpoint@1";

/** A run's state after an epoch: what the Trainer hands its caller, and what resumes a run. */
export interface Checkpoint {
  readonly network: NetworkSpec;
  readonly training: TrainSpec;
  readonly dataset: { readonly name: string; readonly trainSize: number; readonly testSize: number };
  /** Epochs completed. */
  readonly epoch: number;
  readonly weights: Weights;
  /** Optimizer state; null in a weights file (a checkpoint without it). */
  readonly velocities: Weights | null;
  readonly history: readonly EpochMetrics[];
}

/**
 * The JSON form of a checkpoint or weights file (documented in core's README): the format tag,
 * the network and training specs, the dataset id, and weights as base64 little-endian float32.
 */
export function encodeCheckpoint(ck: Checkpoint): Record<string, unknown> {
  return {
    format: CHECKPOINT_FORMAT,
    network: ck.network,
    training: ck.training,
    dataset: ck.dataset,
    epoch: ck.epoch,
    weights: serializeWeights(ck.weights),
    ...(ck.velocities ? { velocities: serializeWeights(ck.velocities) } : {}),
    history: ck.history,
  };
}

/** Reads the JSON form back (a weights file has no velocities); `source` names it in errors. */
export function decodeCheckpoint(raw: unknown, source: string): Checkpoint {
  const r = raw as Record<string, unknown> | null;
  if (r?.format !== CHECKPOINT_FORMAT) {
    throw new DataError(`${source} is not a natural-quantization checkpoint (format ${JSON.stringify(r?.format)}, expected ${CHECKPOINT_FORMAT})`);
  }
  const network = validateNetwork(r.network as NetworkSpec);
  const training = validateTraining(r.training as TrainSpec);
  const weights: LayerWeights[] = deserializeWeights(r.weights, network, source);
  const velocities = r.velocities ? deserializeWeights(r.velocities, network, source) : null;
  return {
    network,
    training,
    dataset: r.dataset as Checkpoint["dataset"],
    epoch: Number(r.epoch),
    weights,
    velocities,
    history: (r.history as EpochMetrics[]) ?? [],
  };
}
