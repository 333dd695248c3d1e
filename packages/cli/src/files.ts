import { closeSync, existsSync, mkdirSync, openSync, readSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "@natural-quantization/core";

/** A write that failed: one line naming the path and the cause; the CLI prints it and exits 2. */
export class WriteError extends UserError {}

/** The operating system's words for an error ("no space left on device (ENOSPC)"). */
export function describeCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(err.message ?? "")?.[1];
  return err.code ? `${words ?? err.code} (${err.code})` : String(err.message ?? e);
}

function isOsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === "string" && typeof (e as NodeJS.ErrnoException).syscall === "string";
}

/** Runs a write; an operating-system error becomes a WriteError naming `path` (not a temporary file). */
export function writing<T>(path: string, write: () => T, consequence = ""): T {
  try {
    return write();
  } catch (e) {
    if (!isOsError(e)) throw e;
    throw new WriteError(`cannot write ${path}: ${describeCause(e)}${consequence ? `; ${consequence}` : ""}`);
  }
}

/** The first ancestor of `path` (or `path` itself) that exists. */
function existingAncestor(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Refuses an empty path: `--out ""` is a mistake, not "the current directory" nor "no output". */
export function assertGiven(path: string, option: string, what: string): void {
  if (path.trim() === "") throw new UserError(`${option} is empty; give ${what}`);
}

/**
 * Creates `abs` one level at a time from its existing ancestor. Node's recursive mkdir reports
 * a read-only file system as ENOENT; one level at a time, the file system's own error comes out.
 */
function makeDirectories(abs: string, found: string, made: string[]): void {
  const missing: string[] = [];
  for (let p = abs; p !== found; p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p);
      made.unshift(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/**
 * Refuses, before any work, an output directory that cannot be written: a path through a file,
 * a directory without write permission, a read-only file system. Creates the directory and
 * writes (and removes) a probe file in it, which is the only test that asks the file system
 * itself rather than guessing from permission bits. `what` names the directory in messages
 * ("--out", "the directory of --out"); `option` is the option to change.
 */
export function assertWritableDirectory(dir: string, option = "--out", what = option): void {
  assertGiven(dir, option, "a directory");
  const abs = resolve(dir);
  const found = existingAncestor(abs);
  if (!statSync(found).isDirectory()) {
    throw new WriteError(`cannot write to ${what} ${dir}: ${found} is a file, not a directory; choose another ${option}`);
  }
  const probe = join(abs, `.nq-write-probe-${process.pid}`);
  const made: string[] = [];
  try {
    makeDirectories(abs, found, made);
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    if (!isOsError(e)) throw e;
    const fix = (e as NodeJS.ErrnoException).code === "EROFS" ? `choose another ${option}` : `choose another ${option} or fix its permissions`;
    throw new WriteError(`cannot write to ${what} ${dir}: ${describeCause(e)}; ${fix}`);
  } finally {
    // The command creates its directories when it writes; a refused or failed command leaves none.
    for (const d of made) {
      try {
        rmdirSync(d);
      } catch {
        // not empty (someone else wrote there meanwhile): leave it
      }
    }
  }
}

/** Refuses, before any work, an output file whose directory cannot be written, or that is a directory. */
export function assertWritableFile(path: string, option = "--out"): void {
  assertGiven(path, option, "a file name");
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new WriteError(`cannot write to ${option} ${path}: it is a directory; give a file name`);
  }
  assertWritableDirectory(dirname(abs), option, `the directory of ${option}`);
}

/** The same file, also through another name (a symbolic or hard link): same device and inode. */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Refuses an output that is one of the command's inputs: writing it would destroy what is being read. */
export function assertNotAnInput(out: string, inputs: ReadonlyArray<readonly [option: string, path: string | undefined]>, option = "--out"): void {
  for (const [name, path] of inputs) {
    if (path !== undefined && path !== "" && sameFile(out, path)) {
      throw new UserError(`${option} ${out} is the ${name} file; writing it would destroy the input; choose another ${option}`);
    }
  }
}

/**
 * Refuses to replace an existing file that is not the command's own kind of output (`kind`
 * says what it is and recognises one from its first bytes) unless --force is given: a typo in
 * --out must not cost a file the command did not make.
 */
export function assertReplaceable(out: string, kind: { readonly name: string; readonly recognise: (head: Uint8Array) => boolean }, force: boolean | undefined, option = "--out"): void {
  if (force || !existsSync(out) || !statSync(out).isFile()) return;
  const head = new Uint8Array(512);
  let n = 0;
  const fd = openSync(out, "r");
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0 || kind.recognise(head.subarray(0, n))) return;
  throw new UserError(`${option} ${out} exists and is not ${kind.name}; it was left as it is; choose another ${option}, or replace it with --force`);
}

/** The files `nq train --out` writes. */
export const RUN_FILES = ["checkpoint.json", "weights.json", "metrics.json", "result.json"] as const;
/** The lock of a run directory while `nq train` writes it. */
export const RUN_LOCK_FILE = "train.lock";

/**
 * `--out` holding a run is not overwritten by accident: without --resume or --force, refuse.
 * With --force, the old run's files are removed first, so nothing of it can be resumed later.
 */
export function claimRunDirectory(out: string, mode: { resume?: boolean; force?: boolean }): void {
  const present = RUN_FILES.filter((f) => existsSync(join(out, f)));
  if (mode.resume) {
    if (present.includes("checkpoint.json")) return;
    if (present.length === 0) throw new UserError(`--resume: ${out} holds no run to continue (no checkpoint.json); leave out --resume to start one`);
    throw new UserError(`--resume: ${out} has no checkpoint.json, so there is nothing to continue (it holds ${present.join(", ")}); start over with --force, or choose another --out`);
  }
  if (present.length === 0) return;
  if (!mode.force) {
    throw new UserError(`${out} already holds a run (${present.join(", ")}); continue it with --resume, overwrite it with --force, or choose another --out`);
  }
  for (const f of present) writing(join(out, f), () => rmSync(join(out, f)));
}
