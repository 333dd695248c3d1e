// The layering of the packages, checked on their sources (type imports included):
//   core          imports no other package of the project (it knows no engine);
//   engines       (sim-*, hardware) import core only: no engine imports another;
//   datasets      imports core only;
//   cli           reaches engines only by name (loadBackend and loadHardware resolve and import them
//                 at run time), never by a value import of an engine package; it may import the
//                 hardware package's types (`import type`, erased by the build) to type what it loads;
//   playground    an application page on sim-wasm: anything below it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

interface ProjectImport {
  readonly file: string;
  readonly target: string;
  /** `import type ... from` or `export type ... from`: erased by the build, no run-time arrow. */
  readonly typeOnly: boolean;
}

/** Every "package -> project package" import of a package's src, with the file it is in. */
export function projectImports(pkg: string, root: string = packages): ProjectImport[] {
  const src = join(root, pkg, "src");
  const found: ProjectImport[] = [];
  for (const file of sources(src)) {
    const text = readFileSync(file, "utf8");
    // A static import or re-export statement (up to its module string), a dynamic import, or a bare import.
    const pattern = /\b(import|export)(\s+type\b)?(?:[^;"'`]*?\bfrom\s*)?\s*\(?\s*["']@natural-quantization\/([a-z0-9-]+)/g;
    for (const m of text.matchAll(pattern)) {
      if (m[3] !== pkg) found.push({ file: file.slice(root.length), target: m[3]!, typeOnly: m[2] !== undefined });
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

/** Packages whose types (only) a package may import besides ALLOWED. */
const TYPES_ALLOWED: Readonly<Record<string, readonly string[]>> = { cli: ["hardware"] };

describe("package layering", () => {
  it("tells value imports from type-only ones", () => {
    // The test's own parser, on the forms the sources use: a value import must never pass as a type.
    const dir = mkdtempSync(join(tmpdir(), "nq-arch-"));
    try {
      mkdirSync(join(dir, "probe", "src"), { recursive: true });
      writeFileSync(
        join(dir, "probe", "src", "a.ts"),
        [
          'import type { A } from "@natural-quantization/t1";',
          'import { b, type B } from "@natural-quantization/v1";',
          'import * as all from "@natural-quantization/v2";',
          'export { c } from "@natural-quantization/v3";',
          'export type { D } from "@natural-quantization/t2";',
          'const m = await import("@natural-quantization/v4");',
          'import "@natural-quantization/v5";',
          "import {\n  e,\n  f,\n} from '@natural-quantization/v6';",
        ].join("\n"),
      );
      const found = projectImports("probe", dir).map((i) => `${i.target}:${i.typeOnly ? "type" : "value"}`);
      expect(found.sort()).toEqual(["t1:type", "t2:type", "v1:value", "v2:value", "v3:value", "v4:value", "v5:value", "v6:value"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("knows every package", () => {
    expect(ALL.filter((p) => !(p in ALLOWED))).toEqual([]);
    expect(ENGINES).toEqual(expect.arrayContaining(["sim-cpu", "sim-wasm", "sim-tfjs", "hardware"]));
  });

  for (const pkg of ALL) {
    const allowed = ALLOWED[pkg];
    if (!allowed) continue;
    it(`${pkg} imports only ${allowed.length === 0 ? "no other package" : allowed.join(", ")}`, () => {
      const types = TYPES_ALLOWED[pkg] ?? [];
      const bad = projectImports(pkg).filter((i) => !allowed.includes(i.target) && !(i.typeOnly && types.includes(i.target)));
      expect(bad.map((i) => `${i.file} imports @natural-quantization/${i.target}`)).toEqual([]);
    });
  }
});
