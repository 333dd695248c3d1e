// How the packages load and what they need: CommonJS require(), and engines that the
// dependencies honour.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const cliDir = fileURLToPath(new URL("..", import.meta.url));

function packageJson(name: string): { engines?: { node?: string } } {
  // pnpm links every direct dependency into the package's own node_modules.
  return JSON.parse(readFileSync(join(cliDir, "node_modules", name, "package.json"), "utf8")) as { engines?: { node?: string } };
}

/** The lowest Node major a range such as ">=18", "^20.19.0 || >=22.12.0" or ">= 10" admits. */
function lowestMajor(range: string): number {
  return Math.min(...range.split("||").map((part) => Number(/(\d+)/.exec(part)![1])));
}

describe("packaging", () => {
  it("core, datasets, sim-cpu and sim-wasm load with require() from CommonJS (require(esm), Node >= 20.19); the cli says to use import()", () => {
    const script = `
      for (const name of ["@natural-quantization/core", "@natural-quantization/core/node", "@natural-quantization/datasets", "@natural-quantization/sim-cpu", "@natural-quantization/sim-wasm"]) {
        const m = require(name);
        if (Object.keys(m).length === 0) throw new Error(name + " has no exports");
      }
      const { validateNetwork, PAPER_NETWORK } = require("@natural-quantization/core");
      validateNetwork(PAPER_NETWORK);
      const { backend } = require("@natural-quantization/sim-cpu");
      if (backend.name !== "sim-cpu") throw new Error("sim-cpu plugin");
      try { require("@natural-quantization/cli"); console.log("cli loaded"); } catch (e) { console.log(e.code); }
    `;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: cliDir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    // The cli's plots pull in vega-canvas, which uses top-level await: its README says to import() it.
    expect(r.stdout.trim()).toBe("ERR_REQUIRE_ASYNC_MODULE");
  });

  it("every dependency of the cli runs on the Node its engines field admits", () => {
    const cli = JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8")) as { engines: { node: string }; dependencies: Record<string, string> };
    const ours = lowestMajor(cli.engines.node);
    const needs = Object.keys(cli.dependencies).flatMap((name) => {
      const node = packageJson(name).engines?.node;
      return node && lowestMajor(node) > ours ? [`${name} needs node ${node}`] : [];
    });
    expect(needs).toEqual([]);
  });
});
