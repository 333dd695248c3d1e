// Versioning and publishing with changesets: the configuration must be valid for every public
// package (a package that others depend on cannot be ignored), and `changeset version` must
// write a CHANGELOG.md and a new version for each package with changes.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../pnpm.mjs";

const changeset = join(ROOT, "node_modules", "@changesets", "cli", "bin.js");
const packages = readdirSync(join(ROOT, "packages")).filter((p) => existsSync(join(ROOT, "packages", p, "package.json")));
const manifest = (dir, p) => JSON.parse(readFileSync(join(dir, "packages", p, "package.json"), "utf8"));

describe("changesets", () => {
  const copy = mkdtempSync(join(tmpdir(), "nq-changesets-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("every package is public and none is ignored", () => {
    const config = JSON.parse(readFileSync(join(ROOT, ".changeset", "config.json"), "utf8"));
    expect(config.ignore).toEqual([]);
    expect(config.access).toBe("public");
    for (const p of packages) expect(manifest(ROOT, p).private, p).toBeUndefined();
  });

  it("changeset version (on a copy of the workspace's manifests) bumps every package and writes its CHANGELOG.md", () => {
    for (const f of ["package.json", "pnpm-workspace.yaml"]) cpSync(join(ROOT, f), join(copy, f));
    cpSync(join(ROOT, ".changeset"), join(copy, ".changeset"), { recursive: true });
    for (const p of packages) {
      mkdirSync(join(copy, "packages", p), { recursive: true });
      cpSync(join(ROOT, "packages", p, "package.json"), join(copy, "packages", p, "package.json"));
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    const r = spawnSync(process.execPath, [changeset, "version"], { cwd: copy, encoding: "utf8" });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const p of packages) {
      const before = manifest(ROOT, p).version;
      const after = manifest(copy, p);
      expect(after.version, p).not.toBe(before);
      expect(readFileSync(join(copy, "packages", p, "CHANGELOG.md"), "utf8"), p).toMatch(new RegExp(`^# ${after.name.replace("/", "\\/")}\\n\\n## ${after.version.replace(/\./g, "\\.")}\\n`));
    }
    // Workspace ranges stay ranges (pnpm publish turns them into versions).
    expect(manifest(copy, "cli").dependencies["@natural-quantization/playground"]).toBe("workspace:^");
  });
});
