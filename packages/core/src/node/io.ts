import { mkdirSync, renameSync, writeFileSync, readFileSync, existsSync, unlinkSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { DataError } from "../errors.js";

/**
 * Writes a file so that readers see either the old or the new contents, never a torn one:
 * write a temporary file beside it, then rename (atomic on POSIX file systems).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads JSON, naming the file in the error when it is missing or not valid JSON. */
export function readJson(path: string, what = "file"): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new DataError(`cannot read ${what} ${path}: no such file or not readable`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(`${what} ${path} is not valid JSON (${(e as Error).message}); it may be truncated or corrupt`);
  }
}
