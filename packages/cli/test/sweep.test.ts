import "reflect-metadata";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { ConfigError, HALF_PI, UserError } from "@natural-quantization/core";
import {
  advantage,
  cellKey,
  computeFindings,
  configDiff,
  estimateCriticalG,
  expandCells,
  halfwayCrossing,
  loadSweepFile,
  PAPER_A,
  PAPER_G,
  parseAList,
  parseGList,
  parseList,
  parseSeedList,
  presetPlan,
  resolveGrids,
  selectCurve,
  summarize,
  summaryCsv,
  type CellResult,
  findingsLines,
} from "@natural-quantization/sweep";
import { registerSweepCommands, resolveSweepConfig, type SweepCliOptions } from "../src/sweep-commands.js";

describe("grid parsing", () => {
  it("reads comma lists and ranges", () => {
    expect(parseList("a", "0,0.5,1")).toEqual([0, 0.5, 1]);
    expect(parseList("seeds", "0:4")).toEqual([0, 1, 2, 3, 4]);
    expect(parseList("a", "1:0:-0.25")).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(parseList("a", " 0 , 2:3 ")).toEqual([0, 2, 3]);
  });

  it("expands float steps without drift: 0:1.5:0.1 is 16 exact decimals", () => {
    const v = parseAList("0:1.5:0.1");
    expect(v).toHaveLength(16);
    expect(v).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5]);
    expect(parseAList("0:0.3:0.1")).toEqual([0, 0.1, 0.2, 0.3]);
    // A stop that is not on the grid is not passed.
    expect(parseAList("0:1:0.3")).toEqual([0, 0.3, 0.6, 0.9]);
  });

  it("accepts pi/2 and multiples of pi for g, and snaps 1.5708 to pi/2", () => {
    expect(parseGList("0.1:0.3:0.1,pi/2")).toEqual([0.1, 0.2, 0.3, HALF_PI]);
    expect(parseGList("pi/4,0.5pi")).toEqual([Math.PI / 4, HALF_PI]);
    expect(parseGList("1.5708")).toEqual([HALF_PI]);
    const eighths = parseGList("0:pi/2:pi/8");
    expect(eighths).toHaveLength(5);
    expect(eighths[2]).toBeCloseTo(Math.PI / 4, 11);
    expect(eighths[4]).toBe(HALF_PI);
  });

  it.each([
    ["a", "", /invalid a: "" \(allowed: a comma list/],
    ["a", "0,,1", /invalid a: "0,,1"/],
    ["a", "0:1:0", /step is nonzero/],
    ["a", "0:1:-0.1", /points from start to stop/],
    ["a", "1:2:3:4", /a range start:stop or start:stop:step/],
    ["a", "x", /invalid a: "x" \(allowed: a finite number\)/],
    ["a", "-1", /invalid a: -1 \(allowed: a >= 0/],
    ["a", "0,0.5,0.5", /invalid a: 0.5 \(allowed: each value once/],
    ["g", "2", /invalid g: 2 \(allowed: 0 <= g <= pi\/2/],
    ["g", "pi", /invalid g: 3.14159/],
    ["seeds", "0.5", /invalid seeds: 0.5 \(allowed: integers/],
    ["seeds", "-1", /invalid seeds: -1/],
  ])("rejects %s = %j with a message naming the problem", (field, text, message) => {
    const parse = field === "a" ? parseAList : field === "g" ? parseGList : parseSeedList;
    expect(() => parse(text)).toThrow(ConfigError);
    expect(() => parse(text)).toThrow(message);
  });

  it("expands the paper's two families into 19 settings x 3 seeds, the classical point once, seed-major", () => {
    const plan = presetPlan("paper");
    const grids = resolveGrids(plan.grids!, plan.seeds!);
    const cells = expandCells(grids);
    expect(PAPER_A).toHaveLength(9);
    expect(PAPER_G).toHaveLength(11);
    expect(cells).toHaveLength(19 * 3);
    expect(new Set(cells.map((c) => c.key)).size).toBe(57);
    expect(cells.filter((c) => c.a === 0 && c.g === HALF_PI)).toHaveLength(3);
    expect(cells.slice(0, 19).every((c) => c.seed === 0)).toBe(true);
    expect(cells[0].key).toBe("a=0_g=1.570796_seed=0");
    expect(cellKey(0.5, 0.1, 2)).toBe("a=0.5_g=0.1_seed=2");
  });

  it("refuses values that collide in a cell key", () => {
    expect(() => expandCells([{ name: "x", a: [0.1, 0.1000001], g: [HALF_PI], seeds: [0] }])).toThrow(/equal to 6 decimals/);
  });
});

describe("sweep files", () => {
  const dir = mkdtempSync(join(tmpdir(), "nq-sweepfile-"));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it("reads YAML with grids, ranges and pi", () => {
    const p = file(
      "ok.yaml",
      `epochs: 3\nwidth: 32\nseeds: "0:1"\ngrids:\n  - name: Model 1\n    a: "0:1:0.5"\n    g: pi/2\n  - name: Model 2\n    a: 0\n    g: [0.2, 0.4, "pi/2"]\n    seeds: [5]\n`,
    );
    const plan = loadSweepFile(p);
    expect(plan.settings).toEqual({ epochs: 3, width: 32 });
    expect(plan.seeds).toEqual([0, 1]);
    const grids = resolveGrids(plan.grids!, plan.seeds!);
    expect(grids).toEqual([
      { name: "Model 1", a: [0, 0.5, 1], g: [HALF_PI], seeds: [0, 1] },
      { name: "Model 2", a: [0], g: [0.2, 0.4, HALF_PI], seeds: [5] },
    ]);
  });

  it("reads JSON with a single top-level grid", () => {
    const plan = loadSweepFile(file("one.json", JSON.stringify({ a: [0, 0.25], g: "0.5,pi/2", dataset: "synthetic" })));
    expect(resolveGrids(plan.grids!, [0])).toEqual([{ name: "grid", a: [0, 0.25], g: [0.5, HALF_PI], seeds: [0] }]);
  });

  it.each([
    ["bad.yaml", "grids: [\n", /is not valid YAML/],
    ["bad.json", "{", /is not valid JSON/],
    ["unknown.yaml", "epoch: 3\n", /unknown key epoch; allowed: backend, dataset/],
    ["type.yaml", "width: wide\n", /invalid width: "wide" \(allowed: a number\)/],
    ["g.yaml", "grids:\n  - a: 0\n  - g: [0.1, 2]\n", /invalid grids\[1\]\.g: 2 \(allowed: 0 <= g <= pi\/2/],
    ["gkey.yaml", "grids:\n  - a: 0\n    h: 1\n", /unknown key grids\[0\]\.h/],
    ["both.yaml", "a: 0\ngrids:\n  - a: 1\n", /either top-level a\/g/],
    ["act.yaml", "activation: relu\n", /invalid activation: "relu" \(allowed: tanh or htanh\)/],
    ["list.yaml", "- 1\n", /expected an object/],
  ])("rejects %s with a message naming the file and the key", (name, text, message) => {
    const p = file(name, text);
    expect(() => loadSweepFile(p)).toThrow(UserError);
    expect(() => loadSweepFile(p)).toThrow(message);
    expect(() => loadSweepFile(p)).toThrow(`sweep file ${p}`);
  });

  it("names a missing file", () => {
    expect(() => loadSweepFile(join(dir, "none.yaml"))).toThrow(/cannot read sweep file .*none.yaml/);
  });
});

/** Parses a sweep command line and resolves its configuration, without running anything. */
async function resolveArgs(args: string[], opts: { stored?: string | null; plan?: "file" | "preset" } = {}) {
  const program = new Command().exitOverride();
  registerSweepCommands(program);
  const sweep = program.commands.find((c) => c.name() === "sweep")!;
  let captured: { o: SweepCliOptions; cmd: Command } | null = null;
  sweep.action((_dir: string | undefined, o: SweepCliOptions, cmd: Command) => {
    captured = { o, cmd };
  });
  await program.parseAsync(["sweep", "--out", "/nonexistent", ...args], { from: "user" });
  const { o, cmd } = captured!;
  const explicit = (k: string) => cmd.getOptionValueSource(k) === "cli";
  const plan = o.file ? loadSweepFile(o.file) : o.preset ? presetPlan(o.preset) : null;
  return resolveSweepConfig(o, explicit, plan, opts.stored ? { backend: opts.stored } : null, async () => "fastest-backend");
}

describe("sweep configuration from options, files and presets", () => {
  it("makes one grid a x g x seeds from the flags, on the fastest backend by default", async () => {
    const c = await resolveArgs(["--a", "0,0.5", "--g", "pi/2,0.3", "--seeds", "0:2", "--width", "16", "--epochs", "2"]);
    expect(c.grids).toEqual([{ name: "grid", a: [0, 0.5], g: [HALF_PI, 0.3], seeds: [0, 1, 2] }]);
    expect(c.settings).toMatchObject({ backend: "fastest-backend", width: 16, epochs: 2, depth: 4, dataset: "mnist-subset", shots: 15, trainSize: 5000, testSize: 5000 });
    expect(expandCells(c.grids)).toHaveLength(12);
  });

  it("--seed N is one seed; an existing directory's backend is kept unless --backend is given", async () => {
    expect((await resolveArgs(["--seed", "7"], { stored: "sim-cpu" })).grids[0].seeds).toEqual([7]);
    expect((await resolveArgs([], { stored: "sim-cpu" })).settings.backend).toBe("sim-cpu");
    expect((await resolveArgs(["--backend", "sim-cpu"], { stored: "other" })).settings.backend).toBe("sim-cpu");
  });

  it("takes a preset's settings, lets explicit flags override them, and --seeds replace its seeds", async () => {
    const c = await resolveArgs(["--preset", "paper", "--epochs", "7", "--seeds", "4"]);
    expect(c.settings).toMatchObject({ width: 512, depth: 4, epochs: 7, batch: 64, lr: 0.01, momentum: 0.9, shots: 15, trainSize: 5000, testSize: 5000 });
    expect(c.grids.map((g) => g.seeds)).toEqual([[4], [4]]);
    expect(c.grids[0].a).toEqual([...PAPER_A]);
    expect(c.grids[1].g).toEqual([...PAPER_G]);
  });

  it("refuses --a/--g together with a preset or file", async () => {
    await expect(resolveArgs(["--preset", "quick", "--a", "0,1"])).rejects.toThrow(/--a and --g cannot be combined/);
  });

  it("reports what changed between two configurations", () => {
    const before = { settings: { epochs: 5, width: 8 }, grids: [{ a: [0, 1], seeds: [0] }] };
    const after = { settings: { epochs: 6, width: 8 }, grids: [{ a: [0, 1, 2], seeds: [0] }] };
    expect(configDiff(before, after)).toEqual(["settings.epochs: 5 -> 6", "grids[0].a: [0,1] -> [0,1,2]"]);
    expect(configDiff(before, before)).toEqual([]);
  });
});

const rec = (a: number, g: number, seed: number, e1: number, ek: number, n = 1000): CellResult => ({
  a, g, seed, testError1: e1, testErrorK: ek,
  testError1Stderr: Math.sqrt((e1 * (1 - e1)) / n), testErrorKStderr: Math.sqrt((ek * (1 - ek)) / n),
});

describe("summary statistics", () => {
  it("computes mean and sample std over seeds per setting, sorted by a then g", () => {
    const rows = summarize([rec(0.5, HALF_PI, 0, 0.1, 0.05), rec(0, HALF_PI, 0, 0.2, 0.2), rec(0.5, HALF_PI, 1, 0.2, 0.07), rec(0.5, HALF_PI, 2, 0.3, 0.09)]);
    expect(rows.map((r) => [r.a, r.n])).toEqual([[0, 1], [0.5, 3]]);
    const r = rows[1];
    expect(r.seeds).toEqual([0, 1, 2]);
    // mean 0.2; deviations -0.1, 0, 0.1: variance 0.02 / 2 = 0.01, std 0.1.
    expect(r.oneShot.mean).toBeCloseTo(0.2, 12);
    expect(r.oneShot.std).toBeCloseTo(0.1, 12);
    expect(r.oneShot.se).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    // 0.05, 0.07, 0.09: mean 0.07, std 0.02.
    expect(r.kShot.mean).toBeCloseTo(0.07, 12);
    expect(r.kShot.std).toBeCloseTo(0.02, 12);
    // One seed: std 0, the standard error is that run's binomial one.
    expect(rows[0].kShot.std).toBe(0);
    expect(rows[0].kShot.se).toBeCloseTo(Math.sqrt((0.2 * 0.8) / 1000), 12);
  });

  it("writes summary.csv with one line per setting", () => {
    const csv = summaryCsv(summarize([rec(0, HALF_PI, 0, 0.1, 0.05), rec(0, HALF_PI, 1, 0.2, 0.07), rec(1, 0.3, 0, 0.5, 0.4)]));
    expect(csv).toBe(
      "a,g,n_seeds,one_shot_error_mean,one_shot_error_std,k_shot_error_mean,k_shot_error_std\n" +
        `0,${HALF_PI},2,0.15,0.070711,0.06,0.014142\n` +
        "1,0.3,1,0.5,0,0.4,0\n",
    );
  });
});

/** Three seeds per setting with the given per-seed k-shot (and one-shot) errors. */
function curveRecords(points: Array<[number, number, number[]]>): CellResult[] {
  return points.flatMap(([a, g, errs]) => errs.map((e, seed) => rec(a, g, seed, e, e)));
}

describe("findings", () => {
  const gs = [0.1, 0.2, 0.3, 0.4, 0.6, 1.0, HALF_PI];
  const errs = [0.9, 0.85, 0.3, 0.12, 0.1, 0.11, 0.15];

  it("finds g_c by linear interpolation at halfway between the minimum and chance", () => {
    // min 0.10 at g = 0.6, chance 0.9: threshold 0.5; crossing between g = 0.2 (0.85) and 0.3 (0.30).
    const x = halfwayCrossing(gs, errs, 0.9);
    expect(x.threshold).toBeCloseTo(0.5, 12);
    expect(x.bracket).toEqual([0.2, 0.3]);
    expect(x.value).toBeCloseTo(0.2 + (0.35 / 0.55) * 0.1, 12);
  });

  it("gives g_c's uncertainty as half the grid spacing when the seeds agree, more when they scatter", () => {
    const same = summarize(curveRecords(gs.map((g, i) => [0, g, [errs[i], errs[i], errs[i]]])));
    const gc = estimateCriticalG(selectCurve(same, "g")!, "kShot", 0.9);
    expect(gc.value).toBeCloseTo(0.263636, 5);
    expect(gc.bootstrapStd).toBeCloseTo(0, 10);
    expect(gc.uncertainty).toBeCloseTo(0.05, 12);
    expect(gc.bootstrapObserved).toBe(1);

    const noisy = summarize(curveRecords(gs.map((g, i) => [0, g, [errs[i] - 0.05, errs[i], errs[i] + 0.05]])));
    const gn = estimateCriticalG(selectCurve(noisy, "g")!, "kShot", 0.9);
    expect(gn.value).toBeCloseTo(0.263636, 5); // the means are unchanged
    expect(gn.bootstrapStd).toBeGreaterThan(0);
    expect(gn.uncertainty).toBeGreaterThan(0.05);
    // Deterministic: the report says the same each time.
    expect(estimateCriticalG(selectCurve(noisy, "g")!, "kShot", 0.9).bootstrapStd).toBe(gn.bootstrapStd);
  });

  it("reports g_c as not observed when the curve never rises to the threshold", () => {
    const x = halfwayCrossing([0.5, 1, HALF_PI], [0.3, 0.2, 0.1], 0.9);
    expect(x.value).toBeNull();
    const f = computeFindings(summarize(curveRecords([[0, 0.5, [0.3, 0.3]], [0, 1, [0.2, 0.2]], [0, HALF_PI, [0.1, 0.1]]])), 10);
    expect(f.kShot.model2!.gc.value).toBeNull();
    expect(Number.isNaN(f.kShot.model2!.gc.uncertainty)).toBe(true);
  });

  it("finds the best a, the classical error and the advantage with its standard error", () => {
    const records = curveRecords([
      [0, HALF_PI, [0.1, 0.12, 0.14]], // classical: mean 0.12, std 0.02
      [0.5, HALF_PI, [0.08, 0.09, 0.1]], // best: mean 0.09, std 0.01
      [1, HALF_PI, [0.2, 0.2, 0.2]],
    ]);
    const f = computeFindings(summarize(records), 10);
    expect(f.chance).toBeCloseTo(0.9, 12);
    const m1 = f.kShot.model1!;
    expect(m1.curve.fixed).toBe(HALF_PI);
    expect(m1.best.a).toBe(0.5);
    expect(m1.best.mean).toBeCloseTo(0.09, 12);
    expect(m1.classical!.mean).toBeCloseTo(0.12, 12);
    expect(m1.advantage!.difference).toBeCloseTo(0.03, 12);
    expect(m1.advantage!.se).toBeCloseTo(Math.sqrt((0.02 ** 2 + 0.01 ** 2) / 3), 12);
    expect(m1.advantage!.z).toBeCloseTo(0.03 / Math.sqrt(0.0005 / 3), 9);
    // Only the a curve exists (one g): no Model 2 findings.
    expect(f.kShot.model2).toBeNull();
  });

  it("compares the classical point with the best quantum one even when the classical is best", () => {
    const f = computeFindings(summarize(curveRecords([[0, HALF_PI, [0.1]], [1, HALF_PI, [0.2]]])), 4);
    const m1 = f.oneShot.model1!;
    expect(m1.best.a).toBe(0);
    expect(m1.bestQuantum!.a).toBe(1);
    expect(m1.advantage!.difference).toBeCloseTo(-0.1, 12);
    // One seed each: binomial standard errors with n = 1000.
    expect(m1.advantage!.se).toBeCloseTo(Math.sqrt((0.1 * 0.9 + 0.2 * 0.8) / 1000), 12);
    expect(f.chance).toBeCloseTo(0.75, 12);
  });

  it("the one-line findings measure the advantage against the best quantum setting and name it, as report.html does", () => {
    const f = computeFindings(summarize(curveRecords([[0, HALF_PI, [0.1]], [0.5, HALF_PI, [0.1617]], [1, HALF_PI, [0.2]]])), 4);
    const [line] = findingsLines(f, 15).filter((l) => l.startsWith("Model 1 (one-shot)"));
    expect(line).toBe(
      "Model 1 (one-shot): best a = 0 10.00%; classical 10.00%; best quantum a = 0.5 16.17%; advantage (classical − best quantum) -6.17 ± 1.50 percentage points (-4.1 standard errors)",
    );
  });

  it("advantage() combines standard errors in quadrature", () => {
    const p = (mean: number, se: number) => ({ a: 0, g: HALF_PI, mean, std: 0, se, n: 3 });
    const d = advantage(p(0.2, 0.03), p(0.1, 0.04));
    expect(d.difference).toBeCloseTo(0.1, 12);
    expect(d.se).toBeCloseTo(0.05, 12);
    expect(d.z).toBeCloseTo(2, 12);
  });
});
