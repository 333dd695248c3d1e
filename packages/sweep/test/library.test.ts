import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HALF_PI } from "@natural-quantization/core";
import { LocalExecutor, loadExperimentModule, readExecutorRecord, runSweep, silentDisplay, type SweepConfig } from "../src/index.js";

// The sweep engine used as a library: no commander, no CLI, and an experiment module of the
// test's own that trains nothing (so only the engine is under test: cell processes, results, summary).
const TOY = new URL("./fixtures/toy-experiment.mjs", import.meta.url).href;

const config: SweepConfig = {
  settings: { backend: "none", dataset: "synthetic", trainSize: 10, testSize: 10, width: 4, depth: 3, bias: false, activation: "tanh", epochs: 2, batch: 8, lr: 0.1, momentum: 0.9, shots: 3 },
  grids: [{ name: "a", a: [0, 0.5, 1], g: [HALF_PI], seeds: [0, 1] }],
};

describe("the sweep engine as a library", () => {
  it("runs every cell in its own process through the experiment module, then skips them all on a rerun", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sweep-lib-")), "run");
    const executor = new LocalExecutor({ jobs: 2, threads: 1 });
    const first = await runSweep(config, { out, executor, experiments: TOY, display: silentDisplay });
    expect(first.ran).toBe(6);
    expect(first.failed).toEqual([]);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ a: number; seed: number; testErrorK: number }>;
    expect(results).toHaveLength(6);
    for (const r of results) expect(r.testErrorK).toBeCloseTo(0.2 + 0.05 * Math.abs(r.a - 0.5) + 0.001 * r.seed, 12);
    expect(readFileSync(join(out, "summary.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 3);
    const again = await runSweep(config, { out, executor, experiments: TOY, display: silentDisplay });
    expect([again.ran, again.skipped]).toEqual([0, 6]);
  });

  it("refuses an experiment module that lacks one of the three functions, naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sweep-lib-"));
    const bad = join(dir, "bad.mjs");
    writeFileSync(bad, "export function validateExperiment(c) { return c; }\nexport async function runExperiment() {}\n");
    await expect(loadExperimentModule(new URL(`file://${bad}`).href)).rejects.toThrow(/does not export prepareExperiment\(\)/);
    await expect(runSweep(config, { out: join(dir, "run"), executor: new LocalExecutor({ jobs: 1 }), experiments: new URL(`file://${bad}`).href, display: silentDisplay })).rejects.toThrow(/prepareExperiment/);
    expect(existsSync(join(dir, "run"))).toBe(false);
  });

  it("keeps a contributed executor's option values in executor.json, and refuses a record that is not one", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sweep-lib-")), "run");
    const executor = new LocalExecutor({ jobs: 1, threads: 1 });
    const small: SweepConfig = { ...config, grids: [{ name: "a", a: [0], g: [HALF_PI], seeds: [0] }] };
    await runSweep(small, { out, executor, executorModule: "my-executor", executorSettings: { region: "eu", dry: true }, experiments: TOY, display: silentDisplay });
    expect(readExecutorRecord(out)).toEqual({ name: "my-executor", settings: { region: "eu", dry: true } });
    writeFileSync(join(out, "executor.json"), JSON.stringify({ executor: "my-executor", settings: { region: 3 } }));
    expect(() => readExecutorRecord(out)).toThrow(/executor\.json is not an executor record \(executor: a name, settings: option values\); run the sweep command again/);
    expect(readExecutorRecord(join(out, "nowhere"))).toEqual({ name: "local", settings: {} });
  });
});
