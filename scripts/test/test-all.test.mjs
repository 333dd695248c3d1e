// test:all's own behaviour: what it says when prerequisites are missing, and its guard against
// tests that rewrite tracked files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { plan, PREREQUISITES } from "../prerequisites.mjs";
import { ROOT } from "../pnpm.mjs";
import { changedTrackedFiles, trackedSnapshot } from "../tracked-files.mjs";

describe("prerequisites", () => {
  const chromium = PREREQUISITES.find((p) => p.debian.includes("chromium"));
  const slurm = PREREQUISITES.find((p) => p.debian.includes("slurm-wlm"));

  it("are listed with the Debian packages that provide them", () => {
    const all = PREREQUISITES.flatMap((p) => p.debian);
    for (const name of ["chromium", "python3-numpy", "slurm-wlm", "munge", "g++", "make"]) expect(all).toContain(name);
  });

  it("as root with apt-get: installs every missing package", () => {
    expect(plan([chromium, slurm], { root: true, apt: true })).toEqual({ action: "install", packages: ["chromium", "slurm-wlm", "munge"] });
    expect(plan([], { root: false, apt: true })).toEqual({ action: "none" });
  });

  it("otherwise: one line that names what is missing and the exact command that installs it", () => {
    const r = plan([chromium, slurm], { root: false, apt: true });
    expect(r.action).toBe("stop");
    expect(r.message).not.toContain("\n");
    expect(r.message).toContain("sudo apt-get update && sudo apt-get install -y chromium slurm-wlm munge");
    expect(r.message).toContain(chromium.what);
  });

  it("test-all.mjs, not root and without chromium, stops before any test with that one line", () => {
    const env = { ...process.env, NQ_CHROMIUM: "/nonexistent/chromium" };
    // As root, run it as the unprivileged user nobody (setpriv is util-linux's).
    const [cmd, args] = process.getuid() === 0 ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath]] : [process.execPath, []];
    const r = spawnSync(cmd, [...args, join(ROOT, "scripts", "test-all.mjs")], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^test:all: missing chromium .*apt-get install -y (\S+ )*chromium/);
  });
});

describe("the tracked-files guard", () => {
  it("reports a tracked file that changed, and nothing else", () => {
    const repo = mkdtempSync(join(tmpdir(), "nq-tracked-"));
    try {
      const git = (...a) => spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...a], { cwd: repo, encoding: "utf8" });
      git("init", "-q");
      writeFileSync(join(repo, "a.png"), "one");
      writeFileSync(join(repo, "b.txt"), "one");
      git("add", ".");
      git("commit", "-qm", "init");
      writeFileSync(join(repo, "b.txt"), "edited before the tests");
      const before = trackedSnapshot(repo);
      expect(changedTrackedFiles(repo, before)).toEqual([]);
      writeFileSync(join(repo, "a.png"), "two");
      writeFileSync(join(repo, "untracked.txt"), "x");
      expect(changedTrackedFiles(repo, before)).toEqual(["a.png"]);
      writeFileSync(join(repo, "b.txt"), "edited by a test");
      expect(changedTrackedFiles(repo, before)).toEqual(["a.png", "b.txt"]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
