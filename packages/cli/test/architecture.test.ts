// The layering of the packages, checked on their sources (type imports included):
//   core          imports no other package of the project (it knows no engine);
//   engines       (sim-*, hardware) import core only: no engine imports another;
//   datasets      imports core only;
//   cli           reaches engines only by name (loadBackend resolves and imports them at run time),
//                 never by an import of an engine package;
//   playground    an application page on sim-wasm: anything below it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packages = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mts|js|mjs)$/.test(p) ? [p] : [];
  });
}

/** Every "package -> project package" import of a package's src, with the file it is in. */
export function projectImports(pkg: string): Array<{ file: string; target: string }> {
  const src = join(packages, pkg, "src");
  const found: Array<{ file: string; target: string }> = [];
  for (const file of sources(src)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["']@natural-quantization\/([a-z0-9-]+)/g)) {
      if (m[1] !== pkg) found.push({ file: file.slice(packages.length), target: m[1] });
    }
  }
  return found;
}

const ENGINES = readdirSync(packages).filter((p) => p.startsWith("sim-") || p === "hardware");
const ALL = readdirSync(packages).filter((p) => statSync(join(packages, p, "src"), { throwIfNoEntry: false })?.isDirectory());

/** Which project packages each package may import (undefined: any). */
const ALLOWED: Readonly<Record<string, readonly string[] | undefined>> = {
  core: [],
  datasets: ["core"],
  ...Object.fromEntries(ENGINES.map((e) => [e, ["core"]])),
  sweep: ["core", "datasets"],
  cli: ["core", "datasets", "sweep"],
  playground: undefined,
};

describe("package layering", () => {
  it("knows every package", () => {
    expect(ALL.filter((p) => !(p in ALLOWED))).toEqual([]);
    expect(ENGINES).toEqual(expect.arrayContaining(["sim-cpu", "sim-wasm", "sim-tfjs", "hardware"]));
  });

  for (const pkg of ALL) {
    const allowed = ALLOWED[pkg];
    if (!allowed) continue;
    it(`${pkg} imports only ${allowed.length === 0 ? "no other package" : allowed.join(", ")}`, () => {
      const bad = projectImports(pkg).filter((i) => !allowed.includes(i.target));
      expect(bad.map((i) => `${i.file} imports @natural-quantization/${i.target}`)).toEqual([]);
    });
  }
});
