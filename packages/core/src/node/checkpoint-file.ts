import { DataError } from "../errors.js";
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../checkpoint.js";
import { firstNonFinite } from "../weights.js";
import { readJson, writeJsonAtomic } from "./io.js";

/** The most a checkpoint or weights file may hold: about the longest string V8 can make of it. */
export const CHECKPOINT_MAX_BYTES = 512 * 2 ** 20;

/**
 * Writes a checkpoint (or, with velocities null, a weights file) atomically. Non-finite weights
 * or velocities are refused and nothing is written, so a good file is never replaced by a
 * diverged one.
 */
export function saveCheckpoint(path: string, ck: Checkpoint): void {
  const bad = firstNonFinite(ck.weights) ?? (ck.velocities ? firstNonFinite(ck.velocities)?.replace(/^/, "velocity of ") : null);
  if (bad) {
    throw new DataError(`training diverged by epoch ${ck.epoch} (${bad}); ${path} was not replaced; lower lr`, { field: "lr" });
  }
  writeJsonAtomic(path, encodeCheckpoint(ck));
}

/** Reads and fully validates a checkpoint or a weights file (see decodeCheckpoint). */
export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readJson(path, "checkpoint", CHECKPOINT_MAX_BYTES), path);
}
