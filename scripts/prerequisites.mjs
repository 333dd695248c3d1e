// What `test:all` needs from the system beyond Node and npm, in one place: each entry says what
// it is for, how to tell it is there, and which Debian packages provide it. Add a line here when
// a test needs another system tool.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** True when `name` is an executable file in a directory of PATH. */
export function onPath(name, path = process.env.PATH ?? "") {
  return path.split(delimiter).some((dir) => dir && existsSync(join(dir, name)));
}

/** A PYTHONPATH under which python3 imports numpy (Debian's python3-numpy lives in dist-packages), or null. */
export function numpyPythonPath() {
  for (const path of [process.env.PYTHONPATH ?? "", "/usr/lib/python3/dist-packages"]) {
    if (spawnSync("python3", ["-c", "import numpy"], { env: { ...process.env, PYTHONPATH: path }, stdio: "ignore" }).status === 0) return path;
  }
  return null;
}

export const CHROMIUM = process.env.NQ_CHROMIUM ?? "/usr/bin/chromium";

/** @type {ReadonlyArray<{ what: string; debian: readonly string[]; present: () => boolean }>} */
export const PREREQUISITES = [
  { what: "chromium (the playground's browser test)", debian: ["chromium"], present: () => existsSync(CHROMIUM) },
  { what: "python3 with numpy (the README's numpy example)", debian: ["python3", "python3-numpy"], present: () => onPath("python3") && numpyPythonPath() !== null },
  { what: "Slurm and munge (the one-node cluster of the Slurm sweep test)", debian: ["slurm-wlm", "munge"], present: () => ["slurmctld", "slurmd", "sbatch", "munged"].every((c) => onPath(c)) },
  { what: "a C++ compiler and make (native addons)", debian: ["g++", "make"], present: () => onPath("g++") && onPath("make") },
];

/**
 * What to do about the missing prerequisites: nothing, install these Debian packages (as root,
 * with apt-get), or stop with one line that says exactly what to install.
 * @param {ReadonlyArray<{ what: string; debian: readonly string[] }>} missing
 * @param {{ root: boolean; apt: boolean }} system
 * @returns {{ action: "none" } | { action: "install"; packages: string[] } | { action: "stop"; message: string }}
 */
export function plan(missing, system) {
  if (missing.length === 0) return { action: "none" };
  const packages = [...new Set(missing.flatMap((m) => m.debian))];
  if (system.root && system.apt) return { action: "install", packages };
  const what = missing.map((m) => m.what).join("; ");
  const how = system.apt ? `sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}` : `install the Debian packages ${packages.join(" ")} or their equivalents`;
  return { action: "stop", message: `test:all: missing ${what}; install them first: ${how} (or run test:all as root, which installs them)` };
}
