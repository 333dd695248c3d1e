// The project's pinned pnpm (package.json's packageManager), run through npx, so that scripts work
// whether or not a pnpm is on PATH (corepack is not relied on).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { onPath } from "./prerequisites.mjs";

export const ROOT = resolve(import.meta.dirname, "..");
const packageManager = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).packageManager;
if (!/^pnpm@\d+\.\d+\.\d+$/.test(packageManager ?? "")) throw new Error(`package.json's packageManager must be pnpm@x.y.z, not ${packageManager}`);
export const PNPM_VERSION = packageManager.slice("pnpm@".length);

/** Command and leading arguments that run the pinned pnpm: `npx --yes pnpm@x.y.z`. */
export const PNPM = ["npx", ["--yes", packageManager]];

/**
 * PATH with a `pnpm` on it (nx runs package scripts with the workspace's package manager): the
 * given PATH when it has one, else a temporary directory with a `pnpm` that runs the pinned one.
 */
export function pathWithPnpm(path = process.env.PATH ?? "") {
  if (onPath("pnpm", path)) return path;
  const dir = mkdtempSync(join(tmpdir(), "nq-pnpm-"));
  writeFileSync(join(dir, "pnpm"), `#!/bin/sh\nexec npx --yes ${packageManager} "$@"\n`, { mode: 0o755 });
  return `${dir}${delimiter}${path}`;
}
