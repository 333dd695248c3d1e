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
