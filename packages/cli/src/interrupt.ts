import { sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * How the user starts nq again: `npx nq` when this run came through npx (npm sets npm_command=exec)
 * or from a source checkout (the repository's workspace), where nq is not on PATH; else `nq`.
 */
export function nqCommand(env: NodeJS.ProcessEnv = process.env, cliFile: string = fileURLToPath(import.meta.url)): string[] {
  const installed = cliFile.split(sep).includes("node_modules");
  return env.npm_command === "exec" || !installed ? ["npx", "nq"] : ["nq"];
}

/** The command that continues an interrupted `nq train`: the same arguments, --resume instead of --force. */
export function resumeCommand(argv: readonly string[], nq: readonly string[] = nqCommand()): string {
  const args = argv.filter((a) => a !== "--force");
  if (!args.includes("--resume")) args.push("--resume");
  return [...nq, ...args.map(shellQuote)].join(" ");
}

export interface InterruptState {
  /** Epochs safely in the checkpoint (0 before the first). */
  saved: number;
  readonly epochs: number;
  readonly checkpoint: string | null;
}

/** The lines Ctrl-C prints: the epoch reached and, with a checkpoint, the exact command that resumes. */
export function interruptMessage(state: InterruptState, argv: readonly string[]): string {
  if (!state.checkpoint) {
    return `nq: interrupted after ${state.saved} of ${state.epochs} epochs; nothing was saved (no --out); give --out <dir> to make a run resumable\n`;
  }
  if (state.saved === 0) {
    return `nq: interrupted before the first epoch finished; no checkpoint was written to ${state.checkpoint}; run the same command again to start over\n`;
  }
  return `nq: interrupted after epoch ${state.saved} of ${state.epochs}; ${state.checkpoint} holds epoch ${state.saved}; continue with:\n  ${resumeCommand(argv)}\n`;
}

/**
 * Ctrl-C (SIGINT) during a device evaluation: end the provider's session (its submitted jobs
 * still run and are paid for), say how to continue without paying for them again, exit 130.
 * Returns the uninstaller.
 */
export function closeOnInterrupt(close: () => Promise<void>, jobsDir: string | undefined): () => void {
  const handler = () => {
    const hint = jobsDir ? `the jobs submitted so far are kept in ${jobsDir}; rerun the same command with --resume to use them without paying again` : "no job was kept (no --out or --jobs)";
    process.stderr.write(`${process.stderr.isTTY ? "\n" : ""}nq: interrupted; closing the device session; ${hint}\n`);
    void close().finally(() => process.exit(130));
  };
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}

/**
 * Ctrl-C (SIGINT) during training: print where the run stands and exit with 130 (128 + SIGINT),
 * as shells expect. Checkpoints are written synchronously and renamed into place, so the handler
 * never runs in the middle of one: the last checkpoint is intact. Returns the uninstaller.
 */
export function exitOnInterrupt(state: InterruptState, argv: readonly string[]): () => void {
  const handler = () => {
    process.stderr.write(`${process.stderr.isTTY ? "\n" : ""}${interruptMessage(state, argv)}`);
    process.exit(130);
  };
  process.once("SIGINT", handler);
  return () => process.off("SIGINT", handler);
}
