import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../checkpoint.js";
import { readJson, writeJsonAtomic } from "./io.js";

/** Writes a checkpoint (or, with velocities null, a weights file) atomically. */
export function saveCheckpoint(path: string, ck: Checkpoint): void {
  writeJsonAtomic(path, encodeCheckpoint(ck));
}

/** Reads a checkpoint or a weights file. */
export function loadCheckpoint(path: string): Checkpoint {
  return decodeCheckpoint(readJson(path, "checkpoint"), path);
}
