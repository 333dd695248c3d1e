import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bin, lastJson, nqInEnv, sameError } from "./helpers.js";
import { builtinTarget } from "@natural-quantization/hardware";
import { IbmTestServer } from "../../hardware/test/providers/ibm-test-server.js";

const nq = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const nqAsync = nqInEnv;
const json = lastJson;

const dir = mkdtempSync(join(tmpdir(), "nq-hw-"));
const train = (name: string, depth: number) => {
  const r = nq(["train", "--dataset", "synthetic", "--train-size", "400", "--test-size", "100", "--width", "8", "--depth", String(depth), "--a", "0.6", "--activation", "htanh", "--epochs", "4", "--lr", "0.05", "--backend", "sim-cpu", "--out", join(dir, name), "--json"]);
  expect(r.code).toBe(0);
  return join(dir, name, "weights.json");
};

describe("nq on quantum hardware and simulated noise", () => {
  const weights = train("w3", 3);

  it("eval --backend hardware --provider local gives the simulator's test error within statistical error", () => {
    const sim = nq(["eval", "--weights", weights, "--backend", "sim-cpu", "--test-size", "100", "--shots", "3", "--json"]);
    const hw = nq(["eval", "--weights", weights, "--backend", "hardware", "--provider", "local", "--target", "heron", "--test-size", "100", "--shots", "3", "--json"]);
    expect(hw.code).toBe(0);
    // The cost of every job is printed before it runs.
    expect(hw.stderr).toMatch(/hidden layer 1: 2400 neuron units as 1 job, 19 PUBs, 19 circuits, 19 shots on local/);
    const a = json(sim.stdout), b = json(hw.stdout);
    expect(b.backend).toBe("hardware:local");
    expect(sameError(a.testError1, b.testError1, 100)).toBe(true);
    expect(sameError(a.testErrorK, b.testErrorK, 100)).toBe(true);
  });

  it("predict --backend hardware --provider local: the seed decides the per-image votes (same seed, same votes; another seed, others)", () => {
    const predict = (seed: string) => {
      const r = nq(["predict", "--weights", weights, "--backend", "hardware", "--provider", "local", "--target", "heron", "--test-size", "20", "--shots", "5", "--seed", seed]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const first = predict("11");
    expect(first.split("\n")[0]).toMatch(/^index,label,predicted,votes_0/);
    expect(first.trim().split("\n")).toHaveLength(21);
    expect(predict("11")).toBe(first);
    expect(predict("12")).not.toBe(first);
  });

  it("offers a contributed provider's own options (--ry-cz-qubits of examples/providers) and hands their values to it", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const provider = ["--backend", "hardware", "--provider", "./examples/providers/ry-cz-provider.mjs"];
    const help = spawnSync(process.execPath, [bin, "eval", ...provider, "--help"], { encoding: "utf8", cwd: root });
    expect(help.stdout).toMatch(/--ry-cz-qubits <n>/);
    // 4 qubits hold half the neuron units of 8: twice the circuits for the same layer call. Free, so no --out.
    const pubs = (qubits: string) => {
      const r = spawnSync(process.execPath, [bin, "eval", "--weights", weights, ...provider, "--ry-cz-qubits", qubits, "--test-size", "20", "--shots", "1"], { encoding: "utf8", cwd: root });
      expect(r.status, r.stderr).toBe(0);
      return Number(/^hidden layer 1: 160 neuron units as 1 job, (\d+) PUBs/m.exec(r.stderr)?.[1]);
    };
    expect(pubs("4")).toBe(2 * pubs("8"));
  });

  it("eval --noise FILE simulates the noise (pure readout confusion of 1/2 is chance), --target takes it from a device", () => {
    const noise = join(dir, "coin.json");
    writeFileSync(noise, JSON.stringify({ readout: { p01: 0.5, p10: 0.5 } }));
    const clean = json(nq(["eval", "--weights", weights, "--backend", "sim-cpu", "--test-size", "100", "--shots", "1", "--json"]).stdout);
    const coin = nq(["eval", "--weights", weights, "--backend", "sim-cpu", "--test-size", "100", "--shots", "1", "--noise", noise, "--json"]);
    expect(coin.code).toBe(0);
    // Every outcome a fair coin: the network guesses; 4 classes, so about 75% wrong.
    expect(Math.abs(json(coin.stdout).testError1 - 0.75)).toBeLessThanOrEqual(4.89 * Math.sqrt(0.75 * 0.25 / 100));
    expect(clean.testError1).toBeLessThan(0.5);
    const eagle = nq(["eval", "--weights", weights, "--backend", "sim-cpu", "--shots", "1", "--target", "eagle", "--json"]);
    expect(eagle.code).toBe(0);
    expect(nq(["eval", "--weights", weights, "--noise", noise, "--target", "eagle"]).stderr).toMatch(/^nq: give either --noise FILE or --target/);
    expect(nq(["eval", "--weights", weights, "--backend", "hardware", "--noise", noise]).stderr).toMatch(/^nq: --noise simulates noise on a simulator backend/);
  });

  it("circuits writes one pass's native-gate OpenQASM 3 per block, a template with binding rows, and a manifest", () => {
    const out = join(dir, "circuits");
    const r = nq(["circuits", "--weights", weights, "--images", "3", "--target", "heron", "--g", "0.8", "--out", out]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.layers.map((l: { units: number; projective: boolean }) => [l.units, l.projective])).toEqual([[24, false], [24, true]]);
    expect(readdirSync(join(out, "layer-1")).sort()).toEqual(["bindings.json", "block-0.qasm", "template.qasm"]);
    const block = readFileSync(join(out, "layer-1", "block-0.qasm"), "utf8");
    expect(block.startsWith('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[24] c;\n')).toBe(true);
    // Heron's native gates on physical qubits only: no ry, no cry, no gate definitions.
    const ops = new Set(block.split("\n").slice(3).filter(Boolean).map((l) => (l.includes("= measure") ? "measure" : l.split(/[ (]/)[0])));
    expect([...ops].every((op) => ["rz", "sx", "x", "cz", "measure"].includes(op))).toBe(true);
    expect(ops.has("cz")).toBe(true);
    expect(block).not.toMatch(/\bgate\b|\bqubit\[|\bid\b/);
    expect(readFileSync(join(out, "layer-1", "template.qasm"), "utf8")).toMatch(/input float\[64\] p0?0;/);
  });

  it("circuits avoids a target's faulty qubits, dead couplers and poor readers, and the manifest says which and why", async () => {
    const heron = JSON.parse(JSON.stringify(builtinTarget("heron"))) as {
      qubits: Record<string, unknown>[];
      instructions: { gate: string; qubits: number[]; error: number }[];
    };
    heron.qubits[5].readoutP01 = 0.45;
    heron.qubits[5].readoutP10 = 0.35;
    heron.qubits[7].operational = false;
    for (const ins of heron.instructions) if (ins.gate === "cz" && ins.qubits.every((q) => q === 0 || q === 1)) ins.error = 1;
    const file = join(dir, "faulty-heron.json");
    writeFileSync(file, JSON.stringify(heron));
    const out = join(dir, "circuits-faulty");
    // Spawned without blocking: a long spawnSync starves vitest's worker of its event loop.
    expect((await nqAsync(["circuits", "--weights", weights, "--images", "2", "--target", file, "--g", "0.8", "--out", out], process.env)).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
      layers: { neuronQubits: number[]; ancillaQubits: number[]; avoided: { maxReadoutError: number; qubits: unknown[]; couplers: unknown[] } }[];
    };
    for (const layer of manifest.layers) {
      expect(layer.avoided).toEqual({
        maxReadoutError: 0.1,
        qubits: [
          { qubit: 5, reason: "readout error 0.4 > 0.1" },
          { qubit: 7, reason: "not operational" },
        ],
        couplers: [{ qubits: [0, 1], reason: "cz gate_error 1 (dead)" }],
      });
      const used = [...layer.neuronQubits, ...layer.ancillaQubits];
      expect(used.includes(5) || used.includes(7)).toBe(false);
      layer.neuronQubits.forEach((n, i) => expect([n, layer.ancillaQubits[i]].sort().join()).not.toBe("0,1"));
    }
  });

  it("cost prints the jobs, circuits and shots of an evaluation without submitting anything", () => {
    const r = nq(["cost", "--width", "16", "--target", "eagle", "--images", "100", "--shots", "15", "--json"]);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as { total: { circuits: number; shots: number; jobs: number; charge: { amount: number; unit: string } }; calls: number };
    // One call (100 images x 15 shots fit one job), three hidden layers of 100*15*16 units on 127 qubits.
    expect(c.calls).toBe(3);
    const executions = 3 * Math.ceil((100 * 15 * 16) / 127);
    expect(c.total).toEqual({ jobs: 3, pubs: 3, circuits: executions, shots: executions, charge: { amount: expect.any(Number), unit: "QPU seconds", paid: true, confirmAbove: 1 } });
    // Each execution: 250 us repetition delay (ibm_kyiv's default_rep_delay) plus the Model 1 circuit on the Eagle-like target
    // (sx, rz, sx at 49.78 ns per sx, then a 1244.4 ns readout: the snapshot's medians).
    expect(c.total.charge.amount).toBeCloseTo(executions * (250e-6 + 2 * 49.77777777777777e-9 + 1244.4444444444443e-9), 9);
  });

  it("cost --provider ionq estimates on the provider's own model device (aria) in two-qubit gate-shots", () => {
    const cost = (extra: string[]) => {
      const r = nq(["cost", "--provider", "ionq", "--width", "16", "--images", "100", "--shots", "5", "--json", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { target: string; provider: string; total: { jobs: number; circuits: number; shots: number; charge: { amount: number; unit: string } } };
    };
    const m1 = cost([]);
    expect(m1.target).toBe("aria");
    expect(m1.total.charge.unit).toBe("two-qubit gate-shots");
    // Model 1 neurons are single-qubit rotations: no ms gate is billed.
    expect(m1.total.charge.amount).toBe(0);
    const m2 = cost(["--g", "1"]);
    expect(m2.total.charge.amount).toBeGreaterThan(0);
    expect(cost(["--g", "1", "--images", "200"]).total.charge.amount).toBe(2 * m2.total.charge.amount);
    expect(cost(["--target", "eagle"]).target).toBe("eagle");
  });

  it("noise-study evaluates a finished sweep's networks noise-free and under a target's noise, as data and a plot", () => {
    const sweep = join(dir, "sweep");
    const r = nq(["sweep", "--a", "0,0.5", "--activation", "htanh", "--dataset", "synthetic", "--train-size", "200", "--test-size", "100", "--width", "8", "--depth", "3", "--epochs", "2", "--lr", "0.05", "--shots", "3", "--jobs", "1", "--out", sweep]);
    expect(r.code).toBe(0);
    const s = nq(["noise-study", sweep, "--target", "eagle", "--shots", "3"]);
    expect(s.code).toBe(0);
    const csv = readFileSync(join(sweep, "noise-study", "summary.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("a,condition,metric,mean_error,std_error,seeds");
    // Two values of a x two conditions x two metrics.
    expect(csv).toHaveLength(1 + 8);
    const png = readFileSync(join(sweep, "noise-study", "plots", "error-vs-a-noise.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(nq(["noise-study", sweep]).stderr).toMatch(/^nq: give the noise as --target NAME\|FILE or --noise FILE/);
  });

  describe("the ibm-runtime provider against a local server that follows IBM's API", () => {
    let server: IbmTestServer;
    const w2 = train("w2", 2);
    beforeAll(async () => {
      server = await IbmTestServer.start({ apiKey: "nq-cli-test-key-93kd", serviceCrn: "crn:v1:bluemix:public:quantum-computing:us-east:a/1:2::", seed: 3 });
    });
    afterAll(async () => server.close());

    it("evaluates with the key and instance from the environment only, and never writes the key", async () => {
      const env = { ...process.env, ...server.env() };
      const sim = json(nq(["eval", "--weights", w2, "--backend", "sim-cpu", "--test-size", "100", "--shots", "3", "--json"]).stdout);
      const out = join(mkdtempSync(join(tmpdir(), "nq-ibm-")), "run");
      const r = await nqAsync(["eval", "--weights", w2, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "100", "--shots", "3", "--json", "--out", out], env);
      expect(r.code).toBe(0);
      expect((JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as { testError1: number }).testError1).toBe(json(r.stdout).testError1);
      expect(r.stdout + r.stderr).not.toContain("nq-cli-test-key-93kd");
      const hw = json(r.stdout);
      expect(sameError(sim.testError1, hw.testError1, 100)).toBe(true);
      const created = server.requests.filter((q) => q.route === "create" && q.status < 300);
      expect(created).toHaveLength(1);
      // Priced in QPU seconds before the job, and the jobs' metrics reported after the run.
      expect(r.stderr).toMatch(/^hidden layer 1: \d+ neuron units as 1 job, .*, about [\d.]+ QPU seconds on ibm-runtime$/m);
      expect(r.stderr).toMatch(/^ibm-runtime used [\d.]+ QPU seconds over 1 job, as the jobs' metrics \(GET \/jobs\/\{id\}\/metrics, usage.quantum_seconds\) report$/m);
      expect(created[0].headers["service-crn"]).toBe(server.env().IBM_QUANTUM_CRN);
    });

    it("refuses a run estimated above 1 QPU second without --yes, before submitting, and says so in one line", async () => {
      const before = server.requests.filter((q) => q.route === "create").length;
      const out = join(mkdtempSync(join(tmpdir(), "nq-ibm-")), "run");
      // The first layer call: 20 images x 400 shots x 8 neurons on 6 qubits, 10667 executions of 250 us repetition delay + 1.624 us circuit.
      const r = await nqAsync(["eval", "--weights", w2, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "100", "--shots", "400", "--out", out], { ...process.env, ...server.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^nq: this run's estimated cost is [\d.]+ QPU seconds on ibm-runtime, above 1; nothing was submitted; check the cost above and rerun with --yes$/m);
      expect(server.requests.filter((q) => q.route === "create").length).toBe(before);
    });

    it("refuses --target with --device in one line: a device run uses the device's own target", async () => {
      const before = server.requests.length;
      const out = join(mkdtempSync(join(tmpdir(), "nq-ibm-")), "run");
      const r = await nqAsync(["eval", "--weights", w2, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--target", "heron", "--out", out], { ...process.env, ...server.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^nq: --target heron cannot replace the layout of device test_heron6: a device run uses the device's own configuration and properties \(drop --target\)$/m);
      expect(server.requests.length).toBe(before);
    });

    it("keeps every job in --out: a run stopped before its results resumes with --resume and pays for no job twice", async () => {
      const env = { ...process.env, ...server.env() };
      const out = join(mkdtempSync(join(tmpdir(), "nq-ibm-")), "run");
      // Two hidden layers: one job each, the second built from the first one's outcomes.
      const args = ["eval", "--weights", weights, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "60", "--shots", "3", "--json", "--out", out];
      // What the whole evaluation submits when nothing goes wrong.
      let before = server.jobs.size;
      const fresh = await nqAsync([...args.slice(0, -1), `${out}-fresh`], env);
      expect(fresh.code).toBe(0);
      const needed = server.jobs.size - before;
      before = server.jobs.size;
      server.failNext({ route: "results", status: 400 });
      const stopped = await nqAsync(args, env);
      expect(stopped.code).toBe(2);
      const paid = server.jobs.size - before;
      expect(paid).toBeGreaterThan(0);
      expect(paid).toBeLessThan(needed);
      const again = await nqAsync(args, env);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/^nq: .*jobs holds \d+ device jobs? of an earlier run; add --resume/m);
      const resumed = await nqAsync([...args, "--resume"], env);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(/submitted by an earlier run/);
      // Every job the stopped run paid for is used, none submitted again: together they paid for one evaluation.
      expect(server.jobs.size - before).toBe(needed);
      expect(json(resumed.stdout).testSize).toBe(60);
    });

    it("refuses a paid provider without --out, before anything is submitted", async () => {
      const before = server.jobs.size;
      const r = await nqAsync(["eval", "--weights", w2, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--test-size", "10"], { ...process.env, ...server.env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^nq: --provider ibm-runtime runs on a paid device: give --out DIR/m);
      expect(server.jobs.size).toBe(before);
    });

    it("names the missing credentials", async () => {
      const env = { ...process.env, ...server.env() };
      delete env.IBM_CLOUD_API_KEY;
      const r = await nqAsync(["eval", "--weights", w2, "--backend", "hardware", "--provider", "ibm-runtime", "--device", "test_heron6", "--out", join(mkdtempSync(join(tmpdir(), "nq-ibm-")), "run")], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/IBM_CLOUD_API_KEY/);
    });
  });
});
