#!/usr/bin/env node
// Each package must work on its own, as a user installs it: pack it as it would be published
// (`pnpm -r pack`, scripts/pack.mjs, which turns workspace: ranges into versions), install the tarballs with npm into a
// project made by `npm init -y` outside the workspace, and use it from there: the public API, the
// nq command, nq playground's page, and every TypeScript example of the READMEs compiled (against
// the shipped .d.ts files) and run as the top README says. Run it after a build:
// `node scripts/pack-test.mjs` (no pnpm needed on PATH).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packAll } from "./pack.mjs";
import { ROOT as root } from "./pnpm.mjs";
import { readmeExamples } from "./readme-examples.mjs";

/** Every package of the workspace (all are published). */
const packages = readdirSync(join(root, "packages")).filter((p) => existsSync(join(root, "packages", p, "package.json"))).sort();
for (const p of packages) {
  if (!existsSync(join(root, "packages", p, "dist"))) throw new Error(`packages/${p} is not built; run the build first (npx --yes pnpm@10.34.9 run build)`);
}
const keep = process.argv.includes("--keep");
const work = mkdtempSync(join(tmpdir(), "nq-pack-"));
const tarballs = join(work, "tarballs");
const app = join(work, "app");
const run = (cmd, args, cwd, env = process.env) => execFileSync(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 });

let failed = 0;
let checks = 0;
const check = async (name, fn) => {
  checks++;
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e.stdout ?? ""}${e.stderr ?? ""}${e.message}`);
  }
};

const packed = packAll(tarballs);
const tarballOf = Object.fromEntries(packages.map((p) => [p, packed.find((t) => t.includes(`/natural-quantization-${p}-`))]));
if (packed.length !== packages.length || Object.values(tarballOf).includes(undefined)) throw new Error(`packed ${packed.join(", ")}; expected one tarball for each of ${packages.join(", ")}`);
mkdirSync(app);
run("npm", ["init", "-y"], app);
run("npm", ["install", "--no-audit", "--no-fund", ...Object.values(tarballOf)], app);
console.log(`installed ${packages.join(", ")} from packed tarballs into ${app}`);

const node = (code) => run(process.execPath, ["--input-type=module", "-e", code], app);

await check("every tarball has the MIT LICENSE, a README and the repository, homepage, bugs and keywords fields", () => {
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  for (const p of packages) {
    const files = run("tar", ["-tzf", tarballOf[p]], work).split("\n");
    for (const f of ["package/LICENSE", "package/README.md", "package/package.json"]) if (!files.includes(f)) throw new Error(`${p}: ${f} is not in the tarball`);
    const pkg = JSON.parse(run("tar", ["-xzOf", tarballOf[p], "package/package.json"], work));
    if (pkg.license !== "MIT" || run("tar", ["-xzOf", tarballOf[p], "package/LICENSE"], work) !== license) throw new Error(`${p}: license`);
    if (!pkg.repository?.url || !pkg.repository?.directory || !pkg.homepage || !pkg.bugs?.url || !(pkg.keywords?.length > 0)) throw new Error(`${p}: repository/homepage/bugs/keywords missing`);
    if (JSON.stringify(pkg).includes("workspace:")) throw new Error(`${p}: a workspace: range was published`);
  }
});

await check("core: physics, seeded streams and spec validation from the tarball", () => {
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

await check("datasets: the bundled MNIST subset loads from the tarball", () => {
  const out = node(`
    import { loadMnistSubset } from "@natural-quantization/datasets";
    const d = loadMnistSubset({ trainSize: 100, testSize: 50 });
    if (d.train.n !== 100 || d.test.n !== 50 || d.train.x.length !== 78400) throw new Error("sizes");
    console.log("datasets ok");`);
  if (!out.includes("datasets ok")) throw new Error(out);
});

for (const backend of packages.filter((p) => p.startsWith("sim-"))) {
  await check(`${backend}: trains through the core Trainer from the tarball`, () => {
    const out = node(`
      import { SgdTrainer, HALF_PI } from "@natural-quantization/core";
      import { backend } from "@natural-quantization/${backend}";
      import { syntheticDataset } from "@natural-quantization/datasets";
      import "reflect-metadata";
      import { container } from "tsyringe";
      import { Tokens } from "@natural-quantization/core";
      const c = container.createChildContainer(); await backend.register(c);
      // A dense-only engine borrows its qubit layer from the machine plugin it names (installed beside it).
      if (backend.provides === "dense") await (await import("@natural-quantization/" + backend.borrowsQubitsFrom)).backend.lendQubits(c);
      const be = c.resolve(Tokens.DenseEngine);
      const data = syntheticDataset({ trainSize: 200, testSize: 100 });
      const network = { inputSize: 64, outputSize: 4, width: 16, depth: 3, bias: false, neuron: { a: 0.5, g: HALF_PI, activation: "tanh" } };
      const t = new SgdTrainer({ dense: be, qubits: c.resolve(Tokens.QubitLayer) });
      const r = await t.train({ network, dataset: data, training: { epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 1 } });
      const ev = await t.evaluate({ network, weights: r.weights, split: data.test, shots: 3, seed: 1 });
      be.dispose();
      if (!(ev.kShot.error < 0.5)) throw new Error("did not learn: " + ev.kShot.error);
      console.log("${backend} ok " + ev.kShot.error);`);
    if (!out.includes(`${backend} ok`)) throw new Error(out);
  });
}

await check("hardware: layer circuits compile for the built-in Eagle-like target and print as OpenQASM 3", () => {
  const out = node(`
    import { builtinTarget, planLayer, layerTemplate, compileForTarget, toQasm3 } from "@natural-quantization/hardware";
    const target = builtinTarget("eagle");
    const text = toQasm3(compileForTarget(layerTemplate(planLayer(target, 0.8)), target));
    if (!text.startsWith("OPENQASM 3.0;") || (text.match(/^ecr /gm) ?? []).length !== 54) throw new Error(text.slice(0, 400));
    console.log("hardware ok");`);
  if (!out.includes("hardware ok")) throw new Error(out);
});

await check("cli: the nq command runs from the tarball", () => {
  const out = run("npx", ["--no-install", "nq", "train", "--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "16", "--depth", "3", "--epochs", "2", "--shots", "3", "--json"], app);
  const rec = JSON.parse(out);
  if (typeof rec.testErrorK !== "number") throw new Error(out);
  const backends = JSON.parse(run("npx", ["--no-install", "nq", "backends", "--json"], app)).map((b) => b.name);
  for (const p of packages.filter((x) => x.startsWith("sim-"))) if (!backends.includes(p)) throw new Error(`nq backends misses ${p}: ${backends}`);
});

await check("cli: nq playground serves the installed playground package's page, every file it loads, cross-origin isolated", async () => {
  const child = spawn("npx", ["--no-install", "nq", "playground", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"], detached: true });
  try {
    const url = await new Promise((ok, fail) => {
      let out = "";
      const timer = setTimeout(() => fail(new Error(`no URL within 60 s: ${out}`)), 60_000);
      const onData = (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ok(m[1]);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.once("exit", (code) => fail(new Error(`nq playground exited with ${code}: ${out}`)));
    });
    const page = await fetch(url);
    if (!page.ok || page.headers.get("cross-origin-embedder-policy") !== "require-corp") throw new Error(`GET ${url}: ${page.status}`);
    const html = await page.text();
    // Everything the page loads: its script and style, what each script loads relative to itself
    // (new URL("...", import.meta.url): the worker, the kernels), and the digits.
    const queue = [...html.matchAll(/(?:src|href)="(\.\/[^"]+)"/g)].map((m) => new URL(m[1], url).href);
    queue.push(new URL("digits.bin", url).href);
    const seen = new Set();
    while (queue.length > 0) {
      const file = queue.shift();
      if (seen.has(file)) continue;
      seen.add(file);
      const r = await fetch(file);
      if (!r.ok) throw new Error(`GET ${file}: ${r.status}`);
      const body = Buffer.from(await r.arrayBuffer());
      if (file.endsWith(".js")) for (const m of body.toString("utf8").matchAll(/new URL\("([^"]+)",import\.meta\.url\)/g)) queue.push(new URL(m[1], file).href);
    }
    const names = [...seen].map((f) => f.slice(url.length));
    if (!names.some((f) => f.endsWith(".wasm")) || !names.some((f) => /worker/.test(f))) throw new Error(`the page loads no kernels or worker: ${names}`);
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
});

await check("README TypeScript examples compile against the shipped .d.ts and run in an `npm init -y` project set up as the top README says", () => {
  // The top README's recipe: ES modules (top-level await), TypeScript with module nodenext; the
  // DI example's tsyringe and reflect-metadata. @types/node comes with the packages.
  run("npm", ["pkg", "set", "type=module"], app);
  run("npm", ["install", "--no-audit", "--no-fund", "tsyringe@^4.10.0", "reflect-metadata@^0.2.2"], app);
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "nodenext", target: "es2022", strict: true, skipLibCheck: false, outDir: "dist" }, include: ["src"] }, null, 2));
  mkdirSync(join(app, "src"));
  const examples = readmeExamples(root).filter((e) => !e.code.includes("@natural-quantization/core/conformance"));
  if (examples.length < 6) throw new Error(`found only ${examples.length} examples`);
  for (const e of examples) writeFileSync(join(app, "src", `${e.name}.ts`), e.code);
  // The workspace's TypeScript (the same version a user would install); types resolve from the app.
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], app);
  for (const e of examples) run(process.execPath, [join("dist", `${e.name}.js`)], app);
});

if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`pack-test: ${checks - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
