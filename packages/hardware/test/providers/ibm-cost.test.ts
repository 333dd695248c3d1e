import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HALF_PI } from "@natural-quantization/core";
import {
  BUILTIN_GATES,
  circuitDuration,
  compileForTarget,
  DeviceRunner,
  IBM_COST_MODEL,
  IbmRuntimeProvider,
  layerTemplate,
  planLayer,
  targetFromIbm,
  type CostEstimate,
  type IbmBackendConfiguration,
  type IbmBackendProperties,
} from "../../src/index.js";
import { IbmTestServer, loadFixtureBackend } from "./ibm-test-server.js";

// test_heron6 (fixtures): default_rep_delay 250 us; sx 32 ns, rz 0 ns, cz 68 ns, readout_length 1560 ns.
const heron6 = loadFixtureBackend("test_heron6");
const target = targetFromIbm(heron6.configuration as IbmBackendConfiguration, heron6.properties as IbmBackendProperties);
const REP = 250e-6;
// Model 1: ry = sx; rz; sx (rz before the measurement dropped), then the readout.
const MODEL1 = 32e-9 + 32e-9 + 1560e-9;
// Model 2 (cz form): neuron and ancilla ry in parallel (64 ns), cz (68 ns), ancilla ry (64 ns), readout.
const MODEL2 = 64e-9 + 68e-9 + 64e-9 + 1560e-9;

describe("IBM cost: QPU seconds from the target", () => {
  it("reads the repetition delay from the backend configuration (default_rep_delay, microseconds)", () => {
    expect(target.repDelay).toBeCloseTo(REP, 15);
    expect(target.gateSet).toBe("rz-sx");
  });

  it("a compiled circuit lasts its as-soon-as-possible schedule of gate_length and readout_length", () => {
    const m1 = compileForTarget(layerTemplate(planLayer(target, HALF_PI)), target);
    const m2 = compileForTarget(layerTemplate(planLayer(target, 0.7)), target);
    expect(circuitDuration(m1, target)).toBeCloseTo(MODEL1, 15);
    expect(circuitDuration(m2, target)).toBeCloseTo(MODEL2, 15);
  });

  it("estimates executions x (repetition delay + circuit duration)", () => {
    const circuit = compileForTarget(layerTemplate(planLayer(target, HALF_PI)), target);
    const job = { pubs: [{ program: "x", clbits: 6, bindings: [[1], [2], [3]] }, { program: "y", clbits: 6, bindings: null }], shots: 100 };
    expect(IBM_COST_MODEL.estimate({ job, circuits: [circuit, circuit], target })).toBeCloseTo(4 * 100 * (REP + MODEL1), 12);
  });
});

describe("IBM cost on a run against the local IBM test server", () => {
  let server: IbmTestServer;
  beforeAll(async () => {
    server = await IbmTestServer.start({ apiKey: "nq-cost-test-key-77Qa", serviceCrn: "crn:v1:bluemix:public:quantum-computing:us-east:a/7:7::", seed: 4, secondsPerExecution: 0.002 });
  });
  afterAll(async () => server.close());

  it("prices each job in QPU seconds before it is submitted, and reports the QPU seconds the jobs' metrics give after the run", async () => {
    const provider = new IbmRuntimeProvider({ backend: "test_heron6", env: server.env(), submissionIntervalMs: 0, pollInitialMs: 2, pollMaxMs: 10 });
    const deviceTarget = await provider.target();
    const costs: CostEstimate[] = [];
    const lines: string[] = [];
    const runner = new DeviceRunner({ provider, target: deviceTarget, costModel: IBM_COST_MODEL, beforeJob: ({ cost }) => void costs.push(cost), log: (l) => lines.push(l) });
    const layout = runner.layout(HALF_PI);
    const units = 5 * layout.neuronQubits.length; // five blocks: five binding rows of one shot
    await runner.sample(layout, new Float64Array(units).fill(1), 0, BUILTIN_GATES, { seed: 1, stream: 0, firstPub: 0 });
    expect(costs).toHaveLength(1);
    expect(costs[0].charge?.unit).toBe("QPU seconds");
    expect(costs[0].charge?.paid).toBe(true);
    expect(costs[0].charge?.amount).toBeCloseTo(5 * (REP + MODEL1), 12);
    await runner.close();
    // The server's metrics say 0.002 s per execution: 5 executions, one job.
    expect(provider.usage()).toEqual({ amount: 0.01, unit: "QPU seconds", source: expect.stringMatching(/metrics/), jobs: 1 });
    expect(lines).toContain("ibm-runtime used 0.01 QPU seconds over 1 job, as the jobs' metrics (GET /jobs/{id}/metrics, usage.quantum_seconds) report");
  });
});
