import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import { DataError } from "../errors.js";

/**
 * Writes a file so that readers see either the old or the new contents, never a torn one, even
 * after a crash or power loss: write a temporary file beside it and fsync it (its data is on
 * disk before its name is), rename it over the old one (atomic on POSIX file systems), then
 * fsync the directory (the rename itself is on disk).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  removeStaleTemporaries(dir, basename(path));
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  fsyncDirectory(dir);
}

/** Makes a directory's entries (a rename, a new file) durable; a no-op where directories cannot be opened (Windows). */
export function fsyncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory; there is nothing more to make durable there.
    if (!["EINVAL", "EPERM", "EISDIR", "EBADF"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  } finally {
    closeSync(fd);
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Removes the temporary files of earlier writes of `name` in `dir` (`.NAME.PID.TIME.tmp`) whose
 * process is gone: a write killed between creating its temporary file and renaming it leaves
 * one behind. Every file nq writes has one writer at a time (a run directory and a sweep are
 * locked, a cell is claimed), so a temporary of a process that no longer runs here is garbage.
 */
export function removeStaleTemporaries(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".tmp")) continue;
    const pid = Number(/^(\d+)\.\d+\.tmp$/.exec(entry.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processRuns(pid)) continue;
    try {
      unlinkSync(join(dir, entry));
    } catch {
      // removed by someone else meanwhile, or not ours to remove: leave it
    }
  }
}

/** Whether a process with this id runs on this machine (EPERM: it runs, under another user). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The largest JSON file readJson reads by default: about the longest string V8 makes of one. */
export const JSON_MAX_BYTES = 512 * 2 ** 20;

/** Bytes as "3.0 GB", "12.4 MB", "900 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

/** Why a file cannot be read, in words a user can act on. */
function unreadable(path: string, what: string, e: unknown): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "no such file (ENOENT); check the path" :
    code === "EACCES" || code === "EPERM" ? `permission denied (${code}); check its permissions` :
    code === "EISDIR" ? "it is a directory, not a file" :
    code === "ENOTDIR" ? "a part of the path is a file, not a directory" :
    `${(e as Error).message} (${code ?? "error"})`;
  return new DataError(`cannot read ${what} ${path}: ${why}`);
}

/**
 * Reads a whole file, refusing one larger than `maxBytes` before reading it (a huge file
 * given by mistake would otherwise fill the memory), and naming the file and the cause.
 */
export function readFileLimited(path: string, what: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    size = st.size;
  } catch (e) {
    throw unreadable(path, what, e);
  }
  if (size > maxBytes) {
    throw new DataError(`${what} ${path} is too large (${formatBytes(size)}; at most ${formatBytes(maxBytes)}); check that this is the right file`);
  }
  try {
    return readFileSync(path);
  } catch (e) {
    throw unreadable(path, what, e);
  }
}

/** Reads JSON, naming the file in the error when it is missing, unreadable, too large or not valid JSON. */
export function readJson(path: string, what = "file", maxBytes = JSON_MAX_BYTES): unknown {
  const text = readFileLimited(path, what, maxBytes).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataError(`${what} ${path} is not valid JSON (${(e as Error).message}); it may be truncated or corrupt`);
  }
}
