import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SgdTrainer, type NetworkSpec } from "@natural-quantization/core";
import { syntheticDataset } from "@natural-quantization/datasets";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { HardwareQubitLayer, IonqProvider } from "../../src/index.js";
import { IonqTestServer } from "../providers/ionq-test-server.js";

const KEY = "nq-test-ionq-device-path-4Rt";

let server: IonqTestServer;
beforeAll(async () => {
  server = await IonqTestServer.start({ apiKey: KEY, seed: 13 });
});
afterAll(async () => {
  await server.close();
});

const provider = (device: string) => new IonqProvider({ device, env: server.env(), pollInitialMs: 5, pollMaxMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 2000, maxRetries: 3 } });

// The whole device path against the local server that follows IonQ's v0.4 API: the target from the
// backend's characterization, concrete circuits compiled to gpi / gpi2 / ms, multi-circuit jobs,
// polling, per-shot bits from the histograms, outcomes unpacked and carried to the next layer.
describe("hardware backend on the IonQ path (local test server)", () => {
  const data = syntheticDataset({ trainSize: 300, testSize: 60, inputSize: 16, numClasses: 3, seed: 5 });
  const models: Record<string, NetworkSpec> = {
    "Model 1": { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.5, g: Math.PI / 2, activation: "htanh" } },
    "Model 2": { inputSize: 16, outputSize: 3, width: 6, depth: 3, bias: false, neuron: { a: 0.5, g: 0.9, activation: "htanh" } },
  };
  for (const [model, network] of Object.entries(models)) {
    for (const device of ["qpu.forte-1", "simulator"]) {
      it(`${model} on ${device}: the simulator's error within statistical error`, async () => {
        const { weights } = await new SgdTrainer(new CpuBackend()).train({ network, training: { epochs: 3, batch: 32, lr: 0.05, momentum: 0.9, shots: 3, seed: 2 }, dataset: data, evaluateEachEpoch: false });
        const shots = 3;
        const onSim = await new SgdTrainer(new CpuBackend()).evaluate({ network, weights, split: data.test, shots, seed: 4 });
        const p = provider(device);
        const dense = new CpuBackend();
        const target = await p.target();
        const layer = new HardwareQubitLayer(dense, { provider: p, target });
        const before = server.jobs.size;
        const onDevice = await new SgdTrainer({ dense, qubits: layer }).evaluate({ network, weights, split: data.test, shots, seed: 4 });
        // Two hidden layers in one batch: two multi-circuit jobs, every circuit in native gates.
        expect(server.jobs.size - before).toBe(2);
        const body = JSON.parse(server.requests.filter((r) => r.route === "create").at(-1)!.body) as { input: { circuits: { circuit: { gate: string }[] }[] } };
        for (const c of body.input.circuits) for (const g of c.circuit) expect(["gpi", "gpi2", "ms"]).toContain(g.gate);
        for (const k of ["oneShot", "kShot"] as const) {
          const a = onSim[k].error, b = onDevice[k].error, n = data.test.n;
          const se = Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
          expect(Math.abs(a - b)).toBeLessThanOrEqual(4.89 * se + 1e-12);
        }
      });
    }
  }
});
