import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, readdirSync, unlinkSync, writeSync, fsyncSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "@natural-quantization/core";
import { fsyncDirectory } from "@natural-quantization/core/node";

/** Who holds a lock or a cell claim. */
export interface Holder {
  readonly host: string;
  readonly pid: number;
  /** ISO time the lock was taken. */
  readonly since: string;
  /** A task of a batch system (e.g. Slurm array task "12_3"): its liveness is asked of that engine. */
  readonly task?: { readonly engine: string; readonly id: string };
  /** The command that took it, for the message of whoever finds it held. */
  readonly command?: string;
  /**
   * When the process started (see processStart): a pid reused by another process after the
   * holder died does not keep the lock. Absent in locks of older versions.
   */
  readonly started?: string;
}

/** Whether a holder is still running; the sweep's executors answer for their tasks. */
export type Liveness = (holder: Holder) => boolean;

export function thisProcess(extra: Partial<Pick<Holder, "task" | "command">> = {}): Holder {
  const started = processStart(process.pid);
  return { host: hostname(), pid: process.pid, since: new Date().toISOString(), ...(started ? { started } : {}), ...extra };
}

/**
 * When a process started, as "<boot id>:<start time in clock ticks since boot>" (Linux's
 * /proc/PID/stat field 22): the pair names one process, where a pid alone is reused. Null
 * where /proc is not available; then only the pid is compared.
 */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name (which may hold spaces) start at field 3.
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[22 - 3];
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return start ? `${boot}:${start}` : null;
  } catch {
    return null;
  }
}

/** A process on this host is alive when signal 0 reaches it (EPERM: alive, not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Liveness of a plain process: known on this host only; a holder elsewhere is assumed alive.
 * A live pid whose process started at another time than the holder's is another process.
 */
export const processAlive: Liveness = (h) => {
  if (h.host !== hostname()) return true;
  if (!pidAlive(h.pid)) return false;
  const now = h.started === undefined ? null : processStart(h.pid);
  return now === null || now === h.started;
};

export function describeHolder(h: Holder): string {
  const task = h.task ? `${h.task.engine} task ${h.task.id}, ` : "";
  return `${task}host ${h.host}, pid ${h.pid}, since ${h.since}`;
}

const sameHolder = (a: Holder, b: Holder) =>
  a.task && b.task ? a.task.engine === b.task.engine && a.task.id === b.task.id : a.host === b.host && a.pid === b.pid;

/** Creates `path` holding `holder`, only if it does not exist (O_EXCL): the atomic test-and-set. */
function createExclusive(path: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): { holder: Holder | null; text: string } | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null; // released meanwhile
  }
  try {
    return { holder: JSON.parse(text) as Holder, text };
  } catch {
    // Torn by a crash between create and write: nobody can be running under it.
    return { holder: null, text };
  }
}

/**
 * Removes a lock file judged stale, unless someone replaced it meanwhile: it is moved aside
 * (rename is atomic, so of two breakers one wins), and put back if it is not the one judged.
 */
function breakStale(path: string, judged: string): void {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // another process broke it first
  }
  if (readFileSync(aside, "utf8") !== judged) {
    try {
      linkSync(aside, path);
    } catch {
      // A newer lock exists; the one moved aside is lost, and its holder will find its lock gone.
    }
  }
  unlinkSync(aside);
}

export type TakeResult = { readonly taken: true; readonly release: () => void } | { readonly taken: false; readonly holder: Holder };

/**
 * Takes the lock file `path` for `me`: created exclusively; a lock whose holder is gone
 * (`alive` says no) is broken and retaken; a lock held by `me` already (a requeued batch task
 * run again under its id) is taken over.
 */
export function takeLock(path: string, me: Holder, alive: Liveness): TakeResult {
  let created = false;
  for (let attempt = 0; attempt < 5 && !created; attempt++) {
    created = createExclusive(path, me);
    if (created) break;
    const found = readHolder(path);
    if (!found) continue; // released meanwhile: try again
    if (found.holder && !sameHolder(found.holder, me) && alive(found.holder)) return { taken: false, holder: found.holder };
    breakStale(path, found.text);
  }
  if (!created) throw new Error(`cannot take the lock ${path}: it keeps being replaced`);
  const release = () => {
    const found = readHolder(path);
    if (found?.holder && sameHolder(found.holder, me)) unlinkSync(path);
  };
  return { taken: true, release };
}

export const LOCK_FILE = "sweep.lock";

/**
 * Locks a sweep directory for one `nq sweep` at a time: a second one on the same directory
 * refuses and says who holds it. Released on return and on exit (also by a signal).
 */
export function lockSweepDirectory(dir: string, command: string): () => void {
  return lockDirectory(dir, LOCK_FILE, command, "another nq sweep");
}

/**
 * Locks `dir` with the lock file `file` for one command at a time (`nq sweep` its directory,
 * `nq train` its --out): another one refuses and says who holds it. A lock left by a process
 * that is gone is taken over. Released on return and on exit (also by a signal).
 */
export function lockDirectory(dir: string, file: string, command: string, other: string): () => void {
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  const result = takeLock(path, thisProcess({ command }), processAlive);
  if (!result.taken) {
    const h = result.holder;
    const what = h.command ? `"nq ${h.command}"` : other;
    throw new UserError(`${dir} is in use by ${what} (host ${h.host}, pid ${h.pid}, since ${h.since}); wait for it to end or stop it, then run this again`);
  }
  fsyncDirectory(dir);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    result.release();
    // Leave no empty directory behind when the command never started (a bad option, say).
    if (created && readdirSync(dir).length === 0) rmdirSync(dir);
  };
  process.on("exit", release);
  return release;
}
