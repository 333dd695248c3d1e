#!/usr/bin/env node
// Each package must work on its own: pack it as it would be published, install the tarballs
// with npm into an empty directory outside the workspace, and use the public API from there.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const packages = ["core", "datasets", "sim-cpu", "sim-wasm", "hardware", "sweep", "cli"];
for (const p of packages) {
  if (!existsSync(join(root, "packages", p, "dist"))) throw new Error(`packages/${p} is not built; run the build first (nx run-many -t build)`);
}
const work = mkdtempSync(join(tmpdir(), "nq-pack-"));
const tarballs = join(work, "tarballs");
const app = join(work, "app");
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

let failed = 0;
let checks = 0;
const check = (name, fn) => {
  checks++;
  try {
    fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stdout ?? ""}${e.message}`);
  }
};

for (const p of packages) run("pnpm", ["pack", "--pack-destination", tarballs], join(root, "packages", p));
mkdirSync(app);
run("npm", ["init", "-y"], app);
run("npm", ["install", "--no-audit", "--no-fund", ...readdirSync(tarballs).map((t) => join(tarballs, t))], app);
console.log(`installed ${packages.join(", ")} from packed tarballs into ${app}`);

const node = (code) => run(process.execPath, ["--input-type=module", "-e", code], app);

check("core: physics, seeded streams and spec validation from the tarball", () => {
  const out = node(`
    import { philox4x32, QubitNeuronModel, validateNetwork, PAPER_NETWORK, ConfigError } from "@natural-quantization/core";
    const o = new Uint32Array(4); philox4x32(0,0,0,0,0,0,o);
    if (o[0] !== 0x6627e8d5) throw new Error("philox");
    const m = new QubitNeuronModel({ a: 0.5, g: Math.PI / 2, activation: "tanh" });
    const p = m.probPlus(m.rotation(0.3, 1), Math.PI / 2);
    if (Math.abs(p - (1 + Math.sin(Math.PI / 2 * Math.tanh(0.6))) / 2) > 1e-12) throw new Error("probability");
    try { validateNetwork({ ...PAPER_NETWORK, width: 0 }); throw new Error("no error"); } catch (e) { if (!(e instanceof ConfigError)) throw e; }
    console.log("core ok");`);
  if (!out.includes("core ok")) throw new Error(out);
});

check("datasets: the bundled MNIST subset loads from the tarball", () => {
  const out = node(`
    import { loadMnistSubset } from "@natural-quantization/datasets";
    const d = loadMnistSubset({ trainSize: 100, testSize: 50 });
    if (d.train.n !== 100 || d.test.n !== 50 || d.train.x.length !== 78400) throw new Error("sizes");
    console.log("datasets ok");`);
  if (!out.includes("datasets ok")) throw new Error(out);
});

for (const backend of packages.filter((p) => p.startsWith("sim-"))) {
  check(`${backend}: trains through the core Trainer from the tarball`, () => {
    const out = node(`
      import { SgdTrainer, HALF_PI } from "@natural-quantization/core";
      import { backend } from "@natural-quantization/${backend}";
      import { syntheticDataset } from "@natural-quantization/datasets";
      import "reflect-metadata";
      import { container } from "tsyringe";
      import { Tokens } from "@natural-quantization/core";
      const c = container.createChildContainer(); backend.register(c);
      const be = c.resolve(Tokens.Backend);
      const data = syntheticDataset({ trainSize: 200, testSize: 100 });
      const network = { inputSize: 64, outputSize: 4, width: 16, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
      const t = new SgdTrainer(be);
      const r = await t.train({ network, dataset: data, training: { epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 1 } });
      const ev = await t.evaluate({ network, weights: r.weights, split: data.test, shots: 3, seed: 1 });
      be.dispose();
      if (!(ev.kShot.error < 0.5)) throw new Error("did not learn: " + ev.kShot.error);
      console.log("${backend} ok " + ev.kShot.error);`);
    if (!out.includes(`${backend} ok`)) throw new Error(out);
  });
}

check("hardware: layer circuits compile for the built-in Eagle-like target and print as OpenQASM 3", () => {
  const out = node(`
    import { builtinTarget, planLayer, layerTemplate, compileForTarget, toQasm3 } from "@natural-quantization/hardware";
    const target = builtinTarget("eagle");
    const text = toQasm3(compileForTarget(layerTemplate(planLayer(target, 0.8)), target));
    if (!text.startsWith("OPENQASM 3.0;") || (text.match(/^ecr /gm) ?? []).length !== 54) throw new Error(text.slice(0, 400));
    console.log("hardware ok");`);
  if (!out.includes("hardware ok")) throw new Error(out);
});

check("cli: the nq command runs from the tarball", () => {
  const out = run("npx", ["--no-install", "nq", "train", "--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "16", "--depth", "3", "--epochs", "2", "--shots", "3", "--json"], app);
  const rec = JSON.parse(out);
  if (typeof rec.testErrorK !== "number") throw new Error(out);
  const backends = JSON.parse(run("npx", ["--no-install", "nq", "backends", "--json"], app)).map((b) => b.name);
  for (const p of packages.filter((x) => x.startsWith("sim-"))) if (!backends.includes(p)) throw new Error(`nq backends misses ${p}: ${backends}`);
});

rmSync(work, { recursive: true, force: true });
console.log(`pack-test: ${checks - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
