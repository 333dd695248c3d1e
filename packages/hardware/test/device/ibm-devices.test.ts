// Model 1 and Model 2 networks evaluated through ibm-runtime against the local server that follows
// IBM's published API, on a kyiv-like device (ecr couplers in mixed directions) and a torino-like
// one (cz), each with a faulty element that the server refuses as non-ISA (Qiskit leaves faulty
// qubits and couplers out of a device's target). On each: the simulator's error within statistical
// error, no circuit rejected, results in the typed encoding (kyiv-like) or the plain one
// (torino-like), and a lost submission answer that creates no second job. (A request limit that
// splits jobs, and a 413, are tested on the provider in providers/ibm-paid-safety.test.ts: here a
// layer call is one parameterised PUB, which no limit can split.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SgdTrainer, type NetworkSpec } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { HardwareQubitLayer, IbmRuntimeProvider } from "../../src/index.js";
import { IbmTestServer, loadFixtureBackend, type TestBackend } from "../providers/ibm-test-server.js";

const KEY = "nq-test-apikey-devices-3Rk";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f0f0f0f:1a2b3c4d-0000-4000-8000-00000000beef::";

type Properties = { qubits: { name: string; value: unknown }[][]; gates: { gate: string; qubits: number[]; parameters: { name: string; value: unknown }[] }[] };

/** A fixture device with one faulty element, as a calibration snapshot marks it. */
function withFault(name: "test_eagle5" | "test_heron6", mark: (p: Properties) => void): TestBackend {
  const b = loadFixtureBackend(name);
  const properties = structuredClone(b.properties) as Properties;
  mark(properties);
  return { configuration: b.configuration, properties };
}

const kyivLike = withFault("test_eagle5", (p) => {
  // The ecr coupler 3 -> 4 is dead.
  for (const g of p.gates) if (g.gate === "ecr" && g.qubits.join() === "3,4") for (const par of g.parameters) if (par.name === "gate_error") par.value = 1;
});
const torinoLike = withFault("test_heron6", (p) => {
  // Qubit 5 is not operational.
  p.qubits[5]!.push({ name: "operational", value: false });
});

const data = syntheticDataset({ trainSize: 300, testSize: 60, inputSize: 16, numClasses: 3, seed: 5 });
const MODELS: Record<string, NetworkSpec> = {
  "Model 1": { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.5, g: Math.PI / 2, activation: "htanh" } },
  "Model 2": { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "htanh" } },
};

const DEVICES = [
  { name: "kyiv-like (ecr, mixed directions)", backend: kyivLike, encoding: "typed" as const },
  { name: "torino-like (cz)", backend: torinoLike, encoding: "plain" as const },
];

for (const device of DEVICES) {
  describe(`ibm-runtime on a ${device.name} device with a faulty element`, () => {
    let server: IbmTestServer;
    beforeAll(async () => {
      server = await IbmTestServer.start({ apiKey: KEY, serviceCrn: CRN, seed: 13, backends: [device.backend], encoding: device.encoding });
    });
    afterAll(async () => server.close());

    for (const [model, network] of Object.entries(MODELS)) {
      it(`${model}: the simulator's error; nothing rejected, ${device.encoding} results, a lost answer paid once`, async () => {
        const { weights } = await new SgdTrainer(new CpuBackend()).train({ network, training: { epochs: 4, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 2 }, dataset: data, evaluateEachEpoch: false });
        const shots = 3;
        const onSim = await new SgdTrainer(new CpuBackend()).evaluate({ network, weights, split: data.test, shots, seed: 4 });
        const lines: string[] = [];
        const provider = new IbmRuntimeProvider({
          backend: device.backend.configuration.backend_name,
          env: server.env(),
          submissionIntervalMs: 0,
          pollInitialMs: 5,
          pollMaxMs: 20,
          lookupDelaysMs: [0, 5],
          retry: { baseDelayMs: 10, maxDelayMs: 200, maxRetries: 3 },
          log: (line) => lines.push(line),
        });
        const dense = new CpuBackend();
        const layer = new HardwareQubitLayer(dense, { provider, target: await provider.target() });
        const firstRequest = server.requests.length;
        const firstJob = server.jobs.size;
        server.loseNextSubmissionAnswer("cut");
        const onDevice = await new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots, seed: 4 });
        await layer.close();

        for (const k of ["oneShot", "kShot"] as const) {
          const a = onSim[k].error, b = onDevice[k].error, n = data.test.n;
          expect(Math.abs(a - b), `${k}: simulator ${a}, device ${b}`).toBeLessThanOrEqual(4.89 * Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n) + 1e-12);
        }
        const jobs = [...server.jobs.values()].slice(firstJob);
        // No circuit was refused: not for a coupler direction, not for a faulty element.
        expect(jobs.map((j) => j.failure)).toEqual(jobs.map(() => null));
        // The lost answer: its job was found by its tag, and every job carries its own tag once.
        expect(lines.join("\n")).toMatch(/found IBM Quantum job \S+ by its tag/);
        const tags = jobs.flatMap((j) => j.tags);
        expect(new Set(tags).size).toBe(jobs.length);
        // Two hidden layers, one batch: two jobs, the lost one included, and no more.
        expect(jobs.length).toBe(2);
        const created = server.requests.slice(firstRequest).filter((r) => r.route === "create");
        expect(created).toHaveLength(2);
        expect(lines.join("\n")).toContain(`results in ${device.encoding === "typed" ? "typed PrimitiveResult (BitArray)" : "plain JSON (hex samples)"}`);
      });
    }
  });
}
