import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The scratch entry registers the sweep commands on the nq program (tests run on the build).
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tiny = ["--dataset", "synthetic", "--train-size", "120", "--test-size", "60", "--width", "8", "--depth", "3", "--lr", "0.05", "--shots", "3", "--backend", "sim-cpu"];
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** args with the value after `flag` replaced. */
const withOption = (args: readonly string[], flag: string, value: string) => args.map((a, i) => (args[i - 1] === flag ? value : a));

function finishedCells(dir: string): string[] {
  const cells = join(dir, "cells");
  if (!existsSync(cells)) return [];
  return readdirSync(cells).filter((k) => existsSync(join(cells, k, "result.json")));
}

describe("nq sweep", () => {
  it("resumes after being killed: nothing lost, nothing run twice, a changed configuration refused", async () => {
    const out = join(tmp("nq-sweep-resume-"), "sweep");
    const args = ["sweep", ...tiny, "--epochs", "3", "--a", "0,0.5,1", "--g", "pi/2,0.4", "--seeds", "0,1", "--jobs", "2", "--no-report", "--out", out];
    const child = spawn(process.execPath, [bin, ...args], { stdio: "ignore" });
    const exited = new Promise((r) => child.on("exit", r));
    const t0 = Date.now();
    while (finishedCells(out).length === 0 && Date.now() - t0 < 30_000) await sleep(20);
    child.kill("SIGKILL");
    await exited;
    // Orphaned workers notice the lost parent at their next epoch boundary and stop.
    await sleep(500);
    const before = new Map(finishedCells(out).map((k) => [k, statSync(join(out, "cells", k, "result.json")).mtimeMs]));
    expect(before.size).toBeGreaterThan(0);
    expect(before.size).toBeLessThan(12);

    const again = nq(...args);
    expect(again.code).toBe(0);
    // At least the cells finished at the kill are skipped (a worker still in its last epoch may add one).
    const skipped = Number(/12 cells, (\d+) already finished/.exec(again.stderr)?.[1]);
    expect(skipped).toBeGreaterThanOrEqual(before.size);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Array<{ key: string; a: number; g: number; seed: number }>;
    const keys = results.map((r) => r.key);
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    for (const [k, mtime] of before) expect(statSync(join(out, "cells", k, "result.json")).mtimeMs).toBe(mtime);
    // Finished cells keep their weights but not their training checkpoint.
    for (const k of keys) {
      expect(existsSync(join(out, "cells", k, "weights.json"))).toBe(true);
      expect(existsSync(join(out, "cells", k, "checkpoint.json"))).toBe(false);
    }
    expect(readFileSync(join(out, "summary.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 6);

    // The killed and resumed sweep gives exactly the results of an uninterrupted one.
    const fresh = join(tmp("nq-sweep-fresh-"), "sweep");
    expect(nq(...withOption(args, "--out", fresh)).code).toBe(0);
    const errors = (dir: string) => {
      const rs = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Array<{ key: string; testError1: number; testErrorK: number }>;
      return Object.fromEntries(rs.map((r) => [r.key, [r.testError1, r.testErrorK]]));
    };
    expect(errors(out)).toEqual(errors(fresh));

    // Once complete, a re-run runs nothing.
    const third = nq(...args);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/12\/12 cells finished \(0 run now, 12 skipped/);

    const changed = nq(...withOption(args, "--epochs", "4"));
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/^nq: .* holds a sweep with another configuration \(settings\.epochs: 3 -> 4\); .*choose a new --out directory\n$/);
    const grid = nq(...withOption(args, "--seeds", "0,1,2"));
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(/grids\[0\]\.seeds: \[0,1\] -> \[0,1,2\]/);
  });

  it("goes on past a failing cell, reports it in one line with status 2, and retries it on re-run", () => {
    const out = join(tmp("nq-sweep-fail-"), "sweep");
    const args = ["sweep", ...tiny, "--epochs", "1", "--a", "0,1", "--seeds", "0,1", "--no-report", "--out", out];
    expect(nq(...args).code).toBe(0);
    // A corrupt checkpoint in an unfinished cell: that cell fails, the others are kept.
    const bad = join(out, "cells", "a=1_g=1.570796_seed=0");
    rmSync(join(bad, "result.json"));
    writeFileSync(join(bad, "checkpoint.json"), "{ truncated");
    const r = nq(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FAILED: checkpoint .* is not valid JSON/);
    expect(r.stderr).toMatch(/^nq: 1 of 4 cells failed \(a=1_g=1.570796_seed=0: checkpoint .*\); fix the cause and re-run the same command to retry them/m);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8"))).toHaveLength(3);
    rmSync(join(bad, "checkpoint.json"));
    const fixed = nq(...args);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/4\/4 cells finished \(1 run now, 3 skipped/);
  });

  it("rejects bad grids, files and directories in one line with status 2", () => {
    const dir = tmp("nq-sweep-bad-");
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "grids:\n  - g: [0.1, 3]\n");
    writeFileSync(join(dir, "stray.txt"), "not a sweep");
    for (const [args, message] of [
      [["sweep", "--out", join(dir, "x"), "--a", "0:1:0"], /^nq: invalid a: "0:1:0" \(allowed: a range start:stop:step whose step is nonzero/],
      [["sweep", "--out", join(dir, "x"), "--g", "0.5,2"], /^nq: invalid g: 2 \(allowed: 0 <= g <= pi\/2/],
      [["sweep", "--out", join(dir, "x"), "--file", bad], /^nq: sweep file .*bad.yaml: invalid grids\[0\]\.g: 3/],
      [["sweep", "--out", join(dir, "x"), "--preset", "quick", "--a", "1"], /^nq: --a and --g cannot be combined/],
      [["sweep", "--out", dir, ...tiny, "--epochs", "1"], /^nq: .* exists and is not a sweep directory \(no sweep.json\); choose a new or empty --out directory/],
      [["report", join(dir, "nothing")], /^nq: .*nothing is not a sweep directory \(no sweep.json\)/],
    ] as const) {
      const r = nq(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("reproduce --preset quick runs end to end: results, summary, SVG and PNG plots, report", () => {
    const out = join(tmp("nq-reproduce-"), "quick");
    // The quick preset's grids (19 settings) with one seed on a tiny synthetic problem.
    const r = nq("reproduce", "--preset", "quick", ...tiny, "--epochs", "2", "--seeds", "0", "--out", out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/19\/19 cells finished/);
    expect(r.stdout).toMatch(/Model 2 \(3-shot\): best g = .*g_c/);
    expect(r.stdout).toMatch(/report: .*report.html/);

    const manifest = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    expect(manifest).toMatchObject({ preset: "quick", numClasses: 4, datasetName: "synthetic", settings: { epochs: 2, width: 8, dataset: "synthetic", backend: "sim-cpu" } });
    expect(manifest.grids.map((g: { a: number[]; g: number[] }) => [g.a.length, g.g.length])).toEqual([[9, 1], [1, 11]]);

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results).toHaveLength(19);
    for (const k of ["key", "backend", "a", "g", "seed", "epochs", "shots", "testError1", "testError1Stderr", "testErrorK", "testErrorKStderr", "trainSeconds", "history"]) {
      expect(results[0]).toHaveProperty(k);
    }
    expect(readFileSync(join(out, "summary.csv"), "utf8").trim().split("\n")).toHaveLength(20);

    for (const name of ["error-vs-a", "error-vs-g", "training-a", "training-g"]) {
      const svg = readFileSync(join(out, "plots", `${name}.svg`), "utf8");
      expect(svg).toMatch(/^<svg/);
      const png = readFileSync(join(out, "plots", `${name}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
    }
    const a = readFileSync(join(out, "plots", "error-vs-a.svg"), "utf8");
    for (const text of ["test error (%)", "quantumness a", "one-shot", "3-shot majority vote", "classical"]) expect(a).toContain(text);
    const g = readFileSync(join(out, "plots", "error-vs-g.svg"), "utf8");
    for (const text of ["entanglement angle g (rad", "chance (75%)", "π/2"]) expect(g).toContain(text);

    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const text of ["<h2>Findings</h2>", "Critical angle", "Advantage, classical − best quantum", "<svg", "summary.csv", "@natural-quantization/sweep 0.1.0", "sweep.json", "Total wall time", "cores"]) {
      expect(html).toContain(text);
    }
    expect(html).not.toMatch(/<img|src="http|<script/); // self-contained

    // nq report regenerates it from the directory alone.
    const again = nq("report", out, "--json");
    expect(again.code, again.stderr).toBe(0);
    const j = JSON.parse(again.stdout);
    expect(j).toMatchObject({ finished: 19, cells: 19 });
    expect(j.findings.chance).toBeCloseTo(0.75, 12);
  });
});
