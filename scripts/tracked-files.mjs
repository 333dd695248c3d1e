// Tests must leave the repository as they found it: a snapshot of the tracked files that differ
// from HEAD (path -> content hash), taken before and after.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Tracked files that differ from HEAD, each with a hash of its content; null outside a git checkout. */
export function trackedSnapshot(root) {
  const r = spawnSync("git", ["status", "--porcelain=v1", "-z", "--untracked-files=no"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) return null;
  const snapshot = new Map();
  const entries = r.stdout.split("\0").filter(Boolean);
  for (let i = 0; i < entries.length; i++) {
    const [status, path] = [entries[i].slice(0, 2), entries[i].slice(3)];
    if (status.includes("R") || status.includes("C")) i++; // the rename's source follows
    const file = join(root, path);
    snapshot.set(path, existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "deleted");
  }
  return snapshot;
}

/** Tracked files whose state differs from the snapshot `before`. */
export function changedTrackedFiles(root, before) {
  const after = trackedSnapshot(root) ?? new Map();
  return [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p)).sort();
}
