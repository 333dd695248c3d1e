import { existsSync, mkdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
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

/**
 * Refuses, before any work, an output directory that cannot be written: a path through a file,
 * a directory without write permission, a read-only file system. Creates the directory and
 * writes (and removes) a probe file in it, which is the only test that asks the file system
 * itself rather than guessing from permission bits.
 */
export function assertWritableDirectory(dir: string, option = "--out"): void {
  const abs = resolve(dir);
  const found = existingAncestor(abs);
  if (!statSync(found).isDirectory()) {
    throw new WriteError(`cannot write to ${option} ${dir}: ${found} is a file, not a directory; choose another ${option}`);
  }
  const probe = join(abs, `.nq-write-probe-${process.pid}`);
  try {
    mkdirSync(abs, { recursive: true });
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    if (!isOsError(e)) throw e;
    throw new WriteError(`cannot write to ${option} ${dir}: ${describeCause(e)}; choose another ${option} or fix its permissions`);
  }
}

/** Refuses, before any work, an output file whose directory cannot be written, or that is a directory. */
export function assertWritableFile(path: string, option = "--out"): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    throw new WriteError(`cannot write to ${option} ${path}: it is a directory; give a file name`);
  }
  assertWritableDirectory(dirname(abs), `the directory of ${option}`);
}

/** The files `nq train --out` writes. */
export const RUN_FILES = ["checkpoint.json", "weights.json", "metrics.json", "result.json"] as const;

/**
 * `--out` holding a run is not overwritten by accident: without --resume or --force, refuse.
 * With --force, the old run's files are removed first, so nothing of it can be resumed later.
 */
export function claimRunDirectory(out: string, mode: { resume?: boolean; force?: boolean }): void {
  const present = RUN_FILES.filter((f) => existsSync(join(out, f)));
  if (present.length === 0 || mode.resume) return;
  if (!mode.force) {
    throw new UserError(`${out} already holds a run (${present.join(", ")}); continue it with --resume, overwrite it with --force, or choose another --out`);
  }
  for (const f of present) writing(join(out, f), () => rmSync(join(out, f)));
}
