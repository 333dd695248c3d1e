// nq followup-study on tiny settings: the study's 7 values of a trained on a synthetic set for one
// epoch, evaluated noise-free, under the eagle-like and the aria-like noise, on a 20-image vote
// and the full (128-image) test split. Its numbers must agree with a plain nq eval.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FollowupStudy } from "../src/followup-study.js";
import { sampleImages, voteRows } from "../src/noise-study.js";
import { nq } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "nq-followup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TINY = ["--dataset", "synthetic", "--train-size", "128", "--test-size", "128", "--width", "4", "--epochs", "1", "--seeds", "0", "--jobs", "2", "--shots", "3", "--no-report", "--no-png"];

describe("the vote's images", () => {
  it("are the rows voteRows names, the same for a seed, other ones for another seed", () => {
    // Row i of this split holds the value i in both pixels, so the sample shows which rows it took.
    const n = 50;
    const split = { n, x: Float32Array.from({ length: 2 * n }, (_, k) => Math.floor(k / 2)), y: Int32Array.from({ length: n }, (_, i) => i % 10) };
    const rows = voteRows(n, 11, 7);
    const sample = sampleImages(split, 2, 11, 7);
    expect(Array.from(sample.x.filter((_, k) => k % 2 === 0))).toEqual(rows);
    expect(Array.from(sample.y)).toEqual(rows.map((r) => r % 10));
    expect(voteRows(n, 11, 7)).toEqual(rows);
    expect(voteRows(n, 11, 8)).not.toEqual(rows);
    expect(() => voteRows(n, 51, 7)).toThrow(/vote-images/);
  });
});

describe("nq followup-study", () => {
  const dir = join(work, "study");
  let study: FollowupStudy;

  it("trains the study's grid and writes results, summary and the figure", () => {
    const r = nq(["followup-study", "--out", dir, "--vote-images", "20", ...TINY]);
    expect(r.code, r.stderr).toBe(0);
    study = JSON.parse(readFileSync(join(dir, "followup-study", "results.json"), "utf8")) as FollowupStudy;
    for (const f of ["summary.csv", "followup.svg", "followup.png"]) expect(existsSync(join(dir, "followup-study", f)), f).toBe(true);
    expect(readFileSync(join(dir, "followup-study", "followup.png")).subarray(1, 4).toString()).toBe("PNG");
    const svg = readFileSync(join(dir, "followup-study", "followup.svg"), "utf8");
    for (const label of ["published: superconducting device", "published: authors' simulation", "simulated: eagle-like noise (superconducting)", "simulated: aria-like noise (trapped ions)"]) expect(svg).toContain(label);
  });

  it("holds every a x condition x image set once, with vote errors that are whole images", () => {
    expect(study.conditions.map((c) => [c.name, c.kind])).toEqual([["noise-free", null], ["eagle-like noise", "superconducting"], ["aria-like noise", "trapped ions"]]);
    expect([...new Set(study.rows.map((r) => r.a))].sort((x, y) => x - y)).toEqual([0, 0.1, 0.2, 0.5, 1, 1.5, 2]);
    expect(study.rows).toHaveLength(7 * 3 * 2);
    for (const r of study.rows) {
      expect(r.testSize).toBe(r.images === "vote" ? 20 : 128);
      expect(r.shots).toBe(3);
      expect(Number.isInteger(r.wrongK)).toBe(true);
      expect(Math.abs(r.testErrorK * r.testSize - r.wrongK)).toBeLessThan(1e-9);
    }
    // The vote's 20 images: distinct rows of the 128-image split, ascending, the same for every network.
    expect(study.voteRows).toHaveLength(20);
    expect(study.voteRows.every((r, i) => Number.isInteger(r) && r >= 0 && r < 128 && (i === 0 || r > study.voteRows[i - 1]))).toBe(true);
    const csv = readFileSync(join(dir, "followup-study", "summary.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("a,condition,images,test_images,metric,mean_accuracy,std_accuracy,seeds");
    expect(csv).toHaveLength(1 + 7 * 3 * 2 * 2);
  });

  it("noise-free on the full split equals nq eval of the same weights with the same seed; the noise changes outcomes", () => {
    const row = study.rows.find((r) => r.a === 0.5 && r.condition === "noise-free" && r.images === "full")!;
    // The backend the study ran on: the sweep's (the fastest installed).
    const backend = (JSON.parse(readFileSync(join(dir, "sweep.json"), "utf8")) as { settings: { backend: string } }).settings.backend;
    const e = nq(["eval", "--weights", join(dir, "cells", row.key, "weights.json"), "--shots", "3", "--seed", "0", "--test-size", "128", "--backend", backend, "--json"]);
    expect(e.code, e.stderr).toBe(0);
    const plain = JSON.parse(e.stdout) as { testError1: number; testErrorK: number };
    expect([row.testError1, row.testErrorK]).toEqual([plain.testError1, plain.testErrorK]);
    // The eagle-like readout and dephasing flip some of the 7 x 128 x 2 one-shot outcomes.
    const free = study.rows.filter((r) => r.condition === "noise-free").map((r) => r.testError1);
    const eagle = study.rows.filter((r) => r.condition === "eagle-like noise").map((r) => r.testError1);
    expect(eagle).not.toEqual(free);
  });

  it("refuses an unknown target and an impossible vote before training anything", () => {
    const bad = join(work, "bad");
    const t = nq(["followup-study", "--out", bad, "--targets", "eagle,nosuch", ...TINY]);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^nq: .*nosuch/);
    expect(existsSync(join(bad, "cells"))).toBe(false);
    const v = nq(["followup-study", "--out", bad, "--vote-images", "0", ...TINY]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/vote-images/);
  });
});
