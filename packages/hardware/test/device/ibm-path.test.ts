import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SgdTrainer, type NetworkSpec } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { HardwareQubitLayer, IbmRuntimeProvider, IbmRuntimeError } from "../../src/index.js";
import { IbmTestServer } from "../providers/ibm-test-server.js";

const KEY = "nq-test-apikey-device-path-7Hq";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f0f0f0f:1a2b3c4d-0000-4000-8000-00000000abcd::";

let server: IbmTestServer;
beforeAll(async () => {
  server = await IbmTestServer.start({ apiKey: KEY, serviceCrn: CRN, seed: 11 });
});
afterAll(async () => {
  await server.close();
});

const provider = () =>
  new IbmRuntimeProvider({ backend: "test_heron6", env: server.env(), submissionIntervalMs: 0, pollInitialMs: 5, pollMaxMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 2000, maxRetries: 3 } });

// The whole device path against the local server that follows IBM's published API: the target from
// the backend's configuration and properties, one parameterised ISA circuit per layer call with its
// binding rows, Sampler V2 jobs, polling, hex samples decoded, outcomes unpacked and carried on.
describe("hardware backend on the IBM Runtime path (local test server)", () => {
  const data = syntheticDataset({ trainSize: 300, testSize: 60, inputSize: 16, numClasses: 3, seed: 5 });
  const network: NetworkSpec = { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "htanh" } };
  let weights: Awaited<ReturnType<SgdTrainer["train"]>>["weights"];
  beforeAll(async () => {
    ({ weights } = await new SgdTrainer(new CpuBackend()).train({ network, training: { epochs: 4, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 2 }, dataset: data, evaluateEachEpoch: false }));
  });

  it("evaluates a simulator-trained Model 2 network to the simulator's error, through a retried 429 and 503", async () => {
    const shots = 3;
    const onSim = await new SgdTrainer(new CpuBackend()).evaluate({ network, weights, split: data.test, shots, seed: 4 });
    const p = provider();
    const dense = new CpuBackend();
    const layer = new HardwareQubitLayer(dense, { provider: p, target: await p.target() });
    server.failNext({ route: "create", status: 429, retryAfter: "0" });
    server.failNext({ route: "status", status: 503 });
    const before = server.requests.length;
    const onDevice = await new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots, seed: 4 });
    const created = server.requests.slice(before).filter((r) => r.route === "create");
    // Two hidden layers, one batch: two jobs, plus the 429 that was retried.
    expect(created[0].status).toBe(429);
    expect(created.slice(1).map((r) => r.status < 300)).toEqual([true, true]);
    const body = JSON.parse(created[1].body) as { program_id: string; params: { pubs: unknown[][] } };
    expect(body.program_id).toBe("sampler");
    expect(body.params.pubs).toHaveLength(1);
    for (const k of ["oneShot", "kShot"] as const) {
      const a = onSim[k].error, b = onDevice[k].error, n = data.test.n;
      const se = Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
      expect(Math.abs(a - b)).toBeLessThanOrEqual(4.89 * se + 1e-12);
    }
  });

  it("a non-ISA program is refused with the 1517 error (circuits not compiled for the device)", async () => {
    const p = provider();
    const dense = new CpuBackend();
    const layer = new HardwareQubitLayer(dense, { provider: p, target: await p.target(), compile: false });
    // compile: false only matters where the provider does not require native gates; IBM does, so it is compiled anyway.
    await expect(new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots: 1, seed: 1 })).resolves.toBeDefined();
    server.failNextJob("The instruction ry on qubits (0,) is not supported by the target", 1517);
    const err = await new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots: 1, seed: 1 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(IbmRuntimeError);
    expect(String((err as Error).message)).toMatch(/1517|ISA|compile/i);
  });
});
