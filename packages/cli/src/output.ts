import { fstatSync, fsyncSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { describeCause, WriteError } from "./files.js";

let direct: boolean | undefined;

/**
 * Whether stdout is a file or a device (`> out.csv`, `> /dev/full`) rather than a terminal or a
 * pipe. Node writes to such a stdout with one write(2) and drops what a short write left out,
 * so nq writes there itself.
 */
function stdoutIsFile(): boolean {
  if (direct === undefined) {
    try {
      const st = fstatSync(1);
      direct = !isatty(1) && (st.isFile() || st.isCharacterDevice() || st.isBlockDevice());
    } catch {
      direct = false;
    }
  }
  return direct;
}

/**
 * Writes the command's output to stdout, checked: every byte is written (a short write is
 * continued) and, on a regular file, synced, so a full disk or a failing device is an error
 * (one line, exit 2) instead of a silently truncated result. On a pipe or a terminal, Node's
 * stream writes; its errors end the process in bin.ts, also with one line.
 */
export function writeStdout(text: string): void {
  if (!stdoutIsFile()) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let at = 0;
  try {
    while (at < bytes.length) {
      const n = writeSync(1, bytes, at, bytes.length - at);
      if (n <= 0) throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO", syscall: "write" });
      at += n;
    }
    syncStdout();
  } catch (e) {
    throw new WriteError(`cannot write to standard output: ${describeCause(e)}${at > 0 ? `; only ${at} of ${bytes.length} bytes were written, the output is incomplete` : ""}`);
  }
}

/** fsync a regular-file stdout; devices and pipes cannot be synced, and need not be. */
function syncStdout(): void {
  try {
    fsyncSync(1);
  } catch (e) {
    if (!["EINVAL", "EROFS", "ENOTSUP", "EBADF"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
  }
}
