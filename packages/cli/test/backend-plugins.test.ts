// Contributed backends: by bare package name from the current directory's node_modules, and by a
// path relative to the current directory. The plugin is the example of core's README, verbatim.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { nq, oneLine, tiny } from "./helpers.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));

/** The first TypeScript block of the README's "Writing a new backend" section, as JavaScript. */
function readmeExample(): string {
  const readme = readFileSync(join(packages, "core", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Writing a new backend"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  return ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

describe("backend plugins", () => {
  let project: string;
  beforeAll(() => {
    // A user's project: the plugin installed as a package, the same code as a file beside it.
    project = mkdtempSync(join(tmpdir(), "nq-plugin-"));
    const scope = join(project, "node_modules", "@natural-quantization");
    mkdirSync(scope, { recursive: true });
    for (const p of ["core", "sim-cpu"]) symlinkSync(join(packages, p), join(scope, p), "dir");
    const pkg = join(project, "node_modules", "my-backend");
    mkdirSync(pkg);
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "my-backend", version: "1.0.0", type: "module", exports: "./index.js" }));
    writeFileSync(join(pkg, "index.js"), readmeExample());
    mkdirSync(join(project, "plugins"));
    writeFileSync(join(project, "plugins", "mybe.mjs"), readmeExample());
  });

  it("resolves --backend my-backend (an unscoped package) from the current directory's node_modules", () => {
    const r = nq(["train", ...tiny, "--backend", "my-backend", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe("my-backend");
  });

  it("resolves --backend ./plugins/mybe.mjs relative to the current directory", () => {
    const r = nq(["train", ...tiny, "--backend", "./plugins/mybe.mjs", "--json"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe("my-backend");
    const sub = nq(["train", ...tiny, "--backend", "../plugins/mybe.mjs", "--json"], { cwd: join(project, "node_modules") });
    expect(JSON.parse(sub.stdout).backend).toBe("my-backend");
  });

  it("offers the options a plugin declares for itself, and hands their values to it", () => {
    const tagged = nq(["train", ...tiny, "--backend", "my-backend", "--my-tag", "t1", "--json"], { cwd: project });
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(JSON.parse(tagged.stdout).backend).toBe("my-backend:t1");
    const help = nq(["eval", "--backend", "./plugins/mybe.mjs", "--help"], { cwd: project });
    expect(help.stdout).toContain("--my-tag <text>");
    expect(help.stdout.replace(/\s+/g, " ")).toContain("with --backend my-backend: a tag added to the backend's name");
    // Another backend does not take it.
    const other = nq(["train", ...tiny, "--backend", "sim-cpu", "--my-tag", "t1"], { cwd: project });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/unknown option '--my-tag'/);
  });

  it("offers a backend's own options to nq sweep, trains every cell with them, and keeps them for a rerun", () => {
    const out = join(mkdtempSync(join(tmpdir(), "nq-plugin-sweep-")), "sweep");
    const sweep = (...more: string[]) => nq(["sweep", ...tiny, "--a", "0,1", "--seeds", "0", "--jobs", "1", "--no-report", "--no-png", "--out", out, "--json", ...more], { cwd: project });
    const help = nq(["sweep", "--backend", "my-backend", "--help"], { cwd: project });
    expect(help.stdout).toContain("--my-tag <text>");
    const r = sweep("--backend", "my-backend", "--my-tag", "t1");
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ backend: string }>;
    expect(results.map((x) => x.backend)).toEqual(["my-backend:t1", "my-backend:t1"]);
    expect(JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")).settings.backendSettings).toEqual({ "my-tag": "t1" });
    // A rerun that names no backend continues on the stored one, with its stored option values.
    const again = sweep();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ cells: 2, ran: 0, skipped: 2 });
    // Naming the backend again without its option is another configuration.
    const other = sweep("--backend", "my-backend");
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds a sweep with another configuration \(settings\.backendSettings: \{"my-tag":"t1"\} -> \(none\)\)/);
  });

  it("evaluates nq followup-study's cells on the backend with the option values they were trained with", () => {
    const out = join(mkdtempSync(join(tmpdir(), "nq-plugin-followup-")), "study");
    const args = ["--dataset", "synthetic", "--train-size", "64", "--test-size", "32", "--width", "4", "--epochs", "1", "--seeds", "0", "--jobs", "2", "--shots", "3"];
    const r = nq(["followup-study", "--out", out, "--vote-images", "8", "--targets", "aria", "--no-report", "--no-png", ...args, "--backend", "my-backend", "--my-tag", "t2"], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    const study = JSON.parse(readFileSync(join(out, "followup-study", "results.json"), "utf8")) as { rows: Array<{ backend: string }> };
    expect(study.rows).toHaveLength(7 * 2 * 2);
    expect(new Set(study.rows.map((row) => row.backend))).toEqual(new Set(["my-backend:t2"]));
  });

  it("names the directory it looked in when the package or file is not there", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "nq-plugin-none-"));
    const pkg = nq(["train", ...tiny, "--backend", "my-backend"], { cwd: elsewhere });
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toMatch(new RegExp(`^nq: invalid backend: "my-backend" \\(allowed: .*; no package my-backend is installed in ${elsewhere} \\(install it there with npm install my-backend\\)\\)\\n$`));
    const file = nq(["train", ...tiny, "--backend", "./plugins/mybe.mjs"], { cwd: elsewhere });
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(new RegExp(`^nq: backend module ${elsewhere}/plugins/mybe\\.mjs does not exist`));
    expect(oneLine(file.stderr)).toBe(true);
  });
});
