import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuBackend } from "@natural-quantization/sim-cpu";
import { createHardwareLayer } from "../src/index.js";
import { IbmTestServer, loadFixtureBackend } from "./providers/ibm-test-server.js";

const KEY = "nq-test-apikey-plugin-target-4Rz";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f:9a9a::";

// A device run must use the device's configuration and properties: a built-in stand-in would send
// ecr against the device's couplers and put units on its faulty qubits.
describe("a device run uses the device's own target", () => {
  let server: IbmTestServer;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    server = await IbmTestServer.start({ apiKey: KEY, serviceCrn: CRN, backends: [loadFixtureBackend("test_eagle5")] });
    for (const [k, v] of Object.entries(server.env())) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server.close();
  });

  it("refuses --target with --device in one line, before anything is fetched", async () => {
    const before = server.requests.length;
    const err = await createHardwareLayer(new CpuBackend(), { provider: "ibm-runtime", device: "test_eagle5", target: "eagle" }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(
      "--target eagle cannot replace the layout of device test_eagle5: a device run uses the device's own configuration and properties (drop --target)",
    );
    expect(server.requests.length).toBe(before);
  });

  it("without --target, the layout is the device's: its name, its qubits, its coupling directions", async () => {
    const layer = await createHardwareLayer(new CpuBackend(), { provider: "ibm-runtime", device: "test_eagle5" });
    const layout = layer.layout(0.8);
    expect(layout.target).toBe("test_eagle5");
    expect(layout.numQubits).toBe(5);
    const routes = server.requests.map((r) => r.route);
    expect(routes).toContain("configuration");
    expect(routes).toContain("properties");
  });
});
