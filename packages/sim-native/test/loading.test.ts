import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = new URL("../dist/index.js", import.meta.url).href;
/** node-gyp-build's override of where a package's binaries are: an empty directory hides them all. */
const OVERRIDE = "@NATURAL_QUANTIZATION/SIM_NATIVE_PREBUILD";

/**
 * In a child process: load the addon, check its kernels against core (Philox words, linear algebra,
 * neuron outcomes against the float64 reference) and train a tiny network; prints a JSON summary.
 */
const CHECK = `
  import { createRequire } from "node:module";
  import { HALF_PI, SgdTrainer, backAction, neuronUniforms, neuronLayerParams, probPlus, target } from "@natural-quantization/core";
  import { syntheticDataset } from "@natural-quantization/datasets";
  import { NativeBackend, binding } from ${JSON.stringify(dist)};
  const file = createRequire(import.meta.url)("node-gyp-build").resolve(${JSON.stringify(root)});
  const be = new NativeBackend({ threads: 2 });
  // Linear algebra against a float64 product.
  const n = 9, K = 37, out = 21; // not multiples of any vector width
  const xs = Float32Array.from({ length: n * K }, (_, i) => (i % 4 === 0 ? 0 : Math.sin(i)));
  const ws = Float32Array.from({ length: out * K }, (_, i) => Math.cos(i * 0.3));
  const x = be.tensor(n, K), w = be.tensor(out, K), y = be.tensor(n, out);
  be.write(x, xs); be.write(w, ws); be.linear(x, w, null, y, n);
  let worst = 0; const got = be.readSync(y);
  for (let i = 0; i < n; i++) for (let o = 0; o < out; o++) {
    let s = 0; for (let k = 0; k < K; k++) s += xs[i * K + k] * ws[o * K + k];
    worst = Math.max(worst, Math.abs(got[i * out + o] - s));
  }
  // Input gradients through a weight stored as W^T (the first layer's gradient layout): narrow
  // outputs through a transposed copy (the transpose kernel) and a list product, wide ones (70) by
  // dot products of rows (gemmNT); at the vector width's edges too.
  for (const wide of [out, 70]) {
    const lr = 0.25, dys = Float32Array.from({ length: n * wide }, (_, i) => (i % 3 === 0 ? 0 : Math.cos(i * 0.7)));
    const w0 = Float32Array.from({ length: wide * K }, (_, i) => Math.cos(i * 0.3));
    const wt = be.tensor(wide, K), dy = be.tensor(n, wide), dw = be.tensor(wide, K), vw = be.tensor(wide, K), dx = be.tensor(n, K);
    be.write(wt, w0); be.write(dy, dys);
    be.linearBackward(dy, x, wt, null, dw, null, n);
    be.sgdStep(wt, dw, vw, lr, 0);
    be.linearBackward(dy, x, wt, dx, dw, null, n);
    const wNew = new Float64Array(wide * K);
    for (let o = 0; o < wide; o++) for (let k = 0; k < K; k++) {
      let g = 0; for (let i = 0; i < n; i++) g += dys[i * wide + o] * xs[i * K + k];
      wNew[o * K + k] = w0[o * K + k] - lr * g;
    }
    const gotW = be.readSync(wt), gotDx = be.readSync(dx);
    for (let e = 0; e < wide * K; e++) worst = Math.max(worst, Math.abs(gotW[e] - wNew[e]));
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) {
      let s = 0; for (let o = 0; o < wide; o++) s += dys[i * wide + o] * wNew[o * K + k];
      worst = Math.max(worst, Math.abs(gotDx[i * K + k] - s));
    }
  }
  // Neuron outcomes (Philox draws, float32 screen, float64 physics) against core's reference.
  const rows = 50, cols = 45, zArr = Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 1.3) * 1.5);
  // core's reference chain (as referenceNeuronLayers of core/conformance, which needs vitest).
  const referenceNeuronLayers = (zs, params, keys) => {
    const alpha = new Float64Array(rows * cols), m = new Int8Array(rows * cols).fill(1), u = new Float64Array(rows * cols);
    return zs.map((z, l) => {
      neuronUniforms(keys[l], rows, cols, u);
      const o = new Int8Array(rows * cols);
      for (let i = 0; i < rows * cols; i++) {
        const al = alpha[i] + HALF_PI * (m[i] - target(z[i], params[l].a, params[l].activation));
        const mm = u[i] < probPlus(al, params[l].g) ? 1 : -1;
        alpha[i] = backAction(al, mm, params[l].g); m[i] = mm; o[i] = mm;
      }
      return o;
    });
  };
  let same = 0;
  for (const neuron of [{ a: 0.5, g: HALF_PI, activation: "tanh" }, { a: 0.4, g: 0.9, activation: "htanh" }]) {
    const params = [0, 1].map((l) => neuronLayerParams(neuron, l, 2));
    const keys = [0, 1].map((layer) => ({ seed: 5, pass: 6, layer, rowOffset: 7 }));
    const ref = referenceNeuronLayers([zArr, zArr], params, keys);
    const z = be.tensor(rows, cols), d = be.tensor(rows, cols), q = be.qubitRegister(rows, cols);
    be.write(z, zArr); be.resetQubits(q, rows);
    for (let l = 0; l < 2; l++) {
      be.neuronLayer(z, q, d, params[l], keys[l], rows);
      const o = be.readSync(d);
      for (let i = 0; i < rows * cols; i++) if (o[i] === ref[l][i]) same++;
    }
  }
  const data = syntheticDataset({ trainSize: 200, testSize: 100 });
  const network = { inputSize: 64, outputSize: 4, width: 16, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
  const t = new SgdTrainer(be);
  const r = await t.train({ network, dataset: data, training: { epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 1 } });
  const ev = await t.evaluate({ network, weights: r.weights, split: data.test, shots: 3, seed: 1 });
  be.dispose();
  console.log(JSON.stringify({ file, isa: binding().isa, worst, agreement: same / (4 * rows * cols), error: ev.kShot.error }));
`;

function check(env: NodeJS.ProcessEnv): { file: string; isa: string; worst: number; agreement: number; error: number } {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", CHECK], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

const x86 = process.arch === "x64";
const cpuFlags = (() => {
  try {
    return execFileSync("grep", ["-m1", "^flags", "/proc/cpuinfo"], { encoding: "utf8" });
  } catch {
    return "";
  }
})();

describe("sim-native loading and instruction sets", () => {
  it("loads the build from source (build/Release) by default and picks the widest instruction set the CPU has", () => {
    const r = check({});
    expect(r.file).toBe(join(root, "build", "Release", "sim_native.node"));
    const widest = / avx512f /.test(cpuFlags) && / avx512bw /.test(cpuFlags) ? "avx512" : / avx2 /.test(cpuFlags) && / fma /.test(cpuFlags) ? "avx2" : "portable";
    expect(r.isa).toBe(x86 ? widest : "portable");
    expect(r.worst).toBeLessThan(1e-4);
    expect(r.agreement).toBe(1);
    expect(r.error).toBeLessThan(0.5);
  });

  it.runIf(process.platform === "linux" && process.arch === "x64")("loads the shipped prebuilt binary (prebuilds/linux-x64, prebuildify's layout) when there is no build from source", () => {
    const r = check({ PREBUILDS_ONLY: "1" });
    expect(r.file).toBe(join(root, "prebuilds", "linux-x64", "node.napi.glibc.node"));
    expect(r.worst).toBeLessThan(1e-4);
    expect(r.agreement).toBe(1);
    expect(r.error).toBeLessThan(0.5);
  });

  for (const isa of ["avx2", "portable"] as const) {
    it.runIf(x86 && (isa === "portable" || / avx2 /.test(cpuFlags)))(`the ${isa} kernels (NQ_NATIVE_ISA=${isa}) compute the same physics and linear algebra`, () => {
      const r = check({ NQ_NATIVE_ISA: isa });
      expect(r.isa).toBe(isa);
      expect(r.worst).toBeLessThan(1e-4);
      expect(r.agreement).toBe(1);
      expect(r.error).toBeLessThan(0.5);
    });
  }

  it("names the problem in one line when no binary loads, and points at sim-wasm", () => {
    const empty = mkdtempSync(join(tmpdir(), "nq-no-addon-"));
    const code = `import { NativeBackend } from ${JSON.stringify(dist)};
      try { new NativeBackend(); } catch (e) { console.log(e.name + ": " + e.message); }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env: { ...process.env, [OVERRIDE]: empty }, encoding: "utf8" });
    const line = r.stdout.trim();
    expect(line.split("\n")).toHaveLength(1);
    expect(line).toMatch(/^UserError: sim-native cannot load its native addon on linux-x64 \(No native build was found/);
    expect(line).toContain("use --backend sim-wasm");
  });

  it("an instruction set the CPU lacks, or an unknown one, is refused by name", () => {
    const code = `import { NativeBackend } from ${JSON.stringify(dist)};
      try { new NativeBackend(); console.log("loaded"); } catch (e) { console.log(e.message); }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, env: { ...process.env, NQ_NATIVE_ISA: "sse9" }, encoding: "utf8" });
    expect(r.stdout).toContain("NQ_NATIVE_ISA=sse9: unknown instruction set (allowed: avx512, avx2, portable)");
  });
});
