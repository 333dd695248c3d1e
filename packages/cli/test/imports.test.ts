// No import circles among the modules of the cli and of core (type imports included): each module
// can be read after the ones it imports.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports and re-exports of each module, as .ts paths. */
function graph(dir: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(dir)) {
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)\.js"/g)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
    g.set(file, deps);
  }
  return g;
}

/** The first cycle found by depth-first search, as relative paths, or null. */
export function findCycle(dir: string): string[] | null {
  const g = graph(dir);
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    if (state.get(f) === "done") return null;
    if (state.get(f) === "open") return [...stack.slice(stack.indexOf(f)), f].map((p) => relative(dir, p));
    state.set(f, "open");
    stack.push(f);
    for (const d of g.get(f) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(f, "done");
    return null;
  };
  for (const f of g.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

const packages = fileURLToPath(new URL("../../", import.meta.url));

describe("module structure", () => {
  it.each(["cli", "core"])("%s/src has no import circle", (pkg) => {
    expect(findCycle(join(packages, pkg, "src"))).toBeNull();
  });
});
