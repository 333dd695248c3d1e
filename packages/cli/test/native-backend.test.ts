import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { machinePeak } from "../src/machine-peak.js";
import { nq, nqAsync, oneLine, tiny } from "./helpers.js";

/** node-gyp-build's override of where sim-native's binaries are: an empty directory hides them (no build, no prebuild). */
const noAddon = { ...process.env, "@NATURAL_QUANTIZATION/SIM_NATIVE_PREBUILD": mkdtempSync(join(tmpdir(), "nq-no-addon-")) };

describe("--backend auto and sim-native", () => {
  it("auto picks sim-native where its addon loads, says so, and trains", () => {
    const r = nq(["train", ...tiny, "--backend", "auto", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("backend auto: sim-native (the fastest that loads here)");
  });

  it("auto falls back to sim-wasm where no sim-native binary loads, and says why", () => {
    const r = nq(["train", ...tiny, "--backend", "auto", "--json"], { env: noAddon });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/backend auto: sim-wasm \(the fastest that loads here; skipped sim-native: sim-native cannot load its native addon/);
  });

  it("nq backends lists sim-native only where it loads", () => {
    const names = (env?: NodeJS.ProcessEnv) => (JSON.parse(nq(["backends", "--json"], env ? { env } : {}).stdout) as Array<{ name: string }>).map((b) => b.name);
    expect(names()).toEqual(["sim-native", "sim-wasm", "sim-cpu", "sim-tfjs", "hardware"]);
    expect(names(noAddon)).toEqual(["sim-wasm", "sim-cpu", "sim-tfjs", "hardware"]);
  });

  it("--backend sim-native without a binary fails with one line that names sim-wasm", () => {
    const r = nq(["train", ...tiny, "--backend", "sim-native"], { env: noAddon });
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/^nq: sim-native cannot load its native addon on \S+ \(.*\); use --backend sim-wasm, or build it with g\+\+/);
  });

  it("nq bench --backend auto --compare sim-wasm --g 0.9 times both in one run, with GFLOP/s beside the machine's peak", async () => {
    // Asynchronously: a minute of spawnSync would block the test worker's reports to vitest.
    const r = await nqAsync(["bench", "--backend", "auto", "--compare", "sim-wasm", "--g", "0.9", "--repetitions", "1", "--warmup", "0"]).done;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("backend auto: sim-native");
    expect(r.stderr).toMatch(/machine peak \(float32\): \d+ cores? x [12] FMA units? x (16|8|4) float32 lanes .* = [\d.]+ GFLOP\/s/);
    expect(r.stderr).toMatch(/sim-native: epoch [\d.]+ s \([\d.]+ GFLOP\/s = \d+% of the \d+ GFLOP\/s peak\), eval [\d.]+ s, peak RSS \d+ MB \[Model 2, g = 0.9\]/);
    expect(r.stderr).toMatch(/sim-native vs sim-wasm: [\d.]+x faster per epoch, [\d.]+x faster evaluation/);
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(result.backend).toBe("sim-native");
    expect(result.g).toBe(0.9);
    expect(result.compared.map((c: { backend: string; g: number }) => [c.backend, c.g])).toEqual([["sim-wasm", 0.9]]);
  });

  it("--g out of range is refused by name", () => {
    const r = nq(["bench", "--g", "2", "--compare", "none"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("invalid g: \"2\" (allowed: 0 to pi/2)");
  });
});

describe("machine peak", () => {
  const cpuinfo = (flags: string, vendor: string, family: number, mhz: number, processors: number, siblings: number, cores: number) =>
    Array.from({ length: processors }, (_, i) =>
      `processor\t: ${i}\nvendor_id\t: ${vendor}\ncpu family\t: ${family}\ncpu MHz\t\t: ${mhz}\nsiblings\t: ${siblings}\ncpu cores\t: ${cores}\nflags\t\t: fpu sse2 ${flags}\n`,
    ).join("\n");

  it("is cores x FMA units x lanes x 2 x clock", () => {
    const zen5 = machinePeak(cpuinfo("avx2 fma avx512f avx512bw", "AuthenticAMD", 26, 2096.027, 2, 2, 2))!;
    expect([zen5.cores, zen5.fmaUnits, zen5.lanes]).toEqual([2, 2, 16]);
    expect(zen5.gflops).toBeCloseTo(2 * 2 * 16 * 2 * 2.096027, 6);
    // Zen 4 runs a 512-bit FMA as two 256-bit halves; SMT siblings share a core.
    const zen4 = machinePeak(cpuinfo("avx2 fma avx512f", "AuthenticAMD", 25, 3000, 4, 4, 2))!;
    expect([zen4.cores, zen4.fmaUnits, zen4.lanes, zen4.gflops]).toEqual([2, 1, 16, 2 * 1 * 16 * 2 * 3]);
    const avx2 = machinePeak(cpuinfo("avx2 fma", "GenuineIntel", 6, 2500, 1, 1, 1), 3_500_000)!;
    expect([avx2.lanes, avx2.ghz, avx2.gflops]).toEqual([8, 3.5, 1 * 2 * 8 * 2 * 3.5]);
    expect(avx2.how).toContain("cpufreq maximum");
  });

  it("is null without a clock", () => {
    expect(machinePeak("processor : 0\nflags : avx2\n")).toBeNull();
  });
});
