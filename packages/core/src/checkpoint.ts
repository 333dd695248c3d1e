import { ConfigError, DataError } from "./errors.js";
import { validateNetwork, validateTraining, type NetworkSpec, type TrainSpec } from "./spec.js";
import type { EpochMetrics } from "./metrics.js";
import { checkFinite, deserializeWeights, serializeWeights, type LayerWeights, type Weights } from "./weights.js";

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

/**
 * Reads the JSON form back (a weights file has no velocities); `source` names it in errors.
 * Everything is checked before anyone uses it: the parts present and of their kind, the specs in
 * range, the epoch within 0..training.epochs, the weights and velocities of the network's shapes
 * and finite. A file that fails is refused with one line naming the field.
 */
export function decodeCheckpoint(raw: unknown, source: string): Checkpoint {
  const r = raw as Record<string, unknown> | null;
  if (r === null || typeof r !== "object" || r.format !== CHECKPOINT_FORMAT) {
    throw new DataError(`${source} is not a natural-quantization checkpoint (format ${JSON.stringify(r?.format)}, expected ${CHECKPOINT_FORMAT})`);
  }
  const part = (key: string, what: string): Record<string, unknown> => {
    const v = r[key];
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new DataError(`${source} has no valid "${key}" (${what}); the file is incomplete or corrupt: use a checkpoint.json or weights.json written by nq train`);
    }
    return v as Record<string, unknown>;
  };
  const networkRaw = part("network", "the network spec");
  part("training", "the training spec");
  const datasetRaw = part("dataset", "the dataset it was trained on");
  if (networkRaw.neuron === null || typeof networkRaw.neuron !== "object") {
    throw new DataError(`${source} has no valid "network.neuron" (a, g, activation); the file is incomplete or corrupt: use a checkpoint.json or weights.json written by nq train`);
  }
  const network = inFile(source, () => validateNetwork(r.network as NetworkSpec));
  const training = inFile(source, () => validateTraining(r.training as TrainSpec));
  const dataset = validateDatasetId(datasetRaw, source);
  const epoch = r.epoch;
  if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 0 || epoch > training.epochs) {
    throw new DataError(`${source}: epoch ${JSON.stringify(epoch)} is not an integer in 0..${training.epochs} (its training.epochs); the file is corrupt`);
  }
  if (r.history !== undefined && !Array.isArray(r.history)) throw new DataError(`${source}: history is not a list; the file is corrupt`);
  const weights: LayerWeights[] = deserializeWeights(r.weights, network, source);
  checkFinite(weights, `${source}`);
  const velocities = r.velocities === undefined || r.velocities === null ? null : deserializeWeights(r.velocities, network, `${source} (velocities)`);
  if (velocities) checkFinite(velocities, `${source} velocities`);
  return { network, training, dataset, epoch, weights, velocities, history: (r.history as EpochMetrics[] | undefined) ?? [] };
}

/** A spec's ConfigError, with the file it came from. */
function inFile<T>(source: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ConfigError) throw new DataError(`${source}: ${e.message}; the file is corrupt or was edited`);
    throw e;
  }
}

function validateDatasetId(d: Record<string, unknown>, source: string): Checkpoint["dataset"] {
  const count = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
  if (typeof d.name !== "string" || d.name === "" || !count(d.trainSize) || !count(d.testSize)) {
    throw new DataError(`${source}: dataset ${JSON.stringify(d)} needs a name and whole trainSize and testSize; the file is corrupt`);
  }
  return { name: d.name, trainSize: d.trainSize as number, testSize: d.testSize as number };
}

/**
 * Refuses a checkpoint that cannot continue a run exactly: a weights file (no velocities, the
 * optimizer's momentum) would restart the momentum from zero and silently change the run.
 */
export function assertResumableCheckpoint(ck: Checkpoint, source: string): void {
  if (!ck.velocities) {
    throw new DataError(`${source} has no velocities (the optimizer state), so it cannot continue a run exactly; it is a weights file, not a checkpoint: start over with force`, { field: "force" });
  }
}
