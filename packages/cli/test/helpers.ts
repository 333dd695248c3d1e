import { spawn, spawnSync, type SpawnSyncOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

export const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built nq binary to completion. */
export function nq(args: readonly string[], options: SpawnSyncOptions & { nodeArgs?: string[] } = {}): Run {
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], { encoding: "utf8", ...options });
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts nq; resolves when it exits. `onStderr` sees stderr as it grows. */
export function nqAsync(args: readonly string[], onStderr: (text: string, child: ReturnType<typeof spawn>) => void = () => {}, options: { cwd?: string } = {}) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => {
    stderr += d;
    onStderr(stderr, child);
  });
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** A tiny synthetic run: seconds, not minutes. */
export const tiny = ["--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "16", "--depth", "3", "--epochs", "2", "--lr", "0.05", "--shots", "3"];

/** One line on stderr, no stack trace. */
export function oneLine(stderr: string): boolean {
  return stderr.trim().split("\n").length === 1 && !/\n\s+at /.test(stderr);
}

/** Runs nq in `env` without blocking the event loop (a test server in this process must answer it). */
export function nqInEnv(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last line of a command's stdout, as the JSON record it prints. */
export function lastJson(stdout: string): Record<string, number> {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number>;
}

/** |a - b| within 4.89 standard errors of the difference of two error rates on n images (a false alarm about 1e-6). */
export function sameError(a: number, b: number, n: number): boolean {
  const se = Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
  return Math.abs(a - b) <= 4.89 * se + 1e-12;
}
