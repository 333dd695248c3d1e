import { afterAll, beforeAll } from "vitest";
import { providerConformance } from "../src/conformance.js";
import { fileURLToPath } from "node:url";
import { loadProvider, PROVIDERS } from "../src/plugin.js";
import { IbmRuntimeProvider } from "../src/providers/ibm-runtime-provider.js";
import { LocalProvider } from "../src/providers/local-provider.js";
import { IbmTestServer } from "./providers/ibm-test-server.js";
import { IonqProvider } from "../src/providers/ionq-provider.js";
import { IonqTestServer } from "./providers/ionq-test-server.js";

// The local simulator: an ideal device, free (no ledger, so no resume tier; the suite checks it is declared free).
providerConformance("local", () => new LocalProvider({ numQubits: 12, seed: 3 }), { plugin: PROVIDERS.local });

// ibm-runtime against the local server that follows IBM's published API (ideal: it simulates the ISA circuits exactly).
let server: IbmTestServer;
let ionqServer: IonqTestServer;
beforeAll(async () => {
  server = await IbmTestServer.start({ apiKey: "nq-conformance-key-4b1x", serviceCrn: "crn:v1:bluemix:public:quantum-computing:us-east:a/9:9::", seed: 21 });
  ionqServer = await IonqTestServer.start({ apiKey: "nq-conformance-ionq-7q2z", seed: 23 });
});
afterAll(async () => {
  await server.close();
  await ionqServer.close();
});

providerConformance(
  "ibm-runtime",
  ({ ledger }) =>
    new IbmRuntimeProvider({ backend: "test_heron6", env: server.env(), submissionIntervalMs: 0, pollInitialMs: 2, pollMaxMs: 10, ledger }),
  { plugin: PROVIDERS["ibm-runtime"], resume: { submissions: () => server.jobs.size } },
);

// ionq against the local server that follows IonQ's published v0.4 API: a QPU device (shots drawn
// from the exact distribution of the gpi/gpi2/ms circuits, counts returned as probabilities).
providerConformance(
  "ionq",
  ({ ledger }) =>
    new IonqProvider({ device: "qpu.forte-1", env: ionqServer.env(), pollInitialMs: 2, pollMaxMs: 10, retry: { baseDelayMs: 10, maxDelayMs: 200, maxRetries: 3 }, ledger }),
  { plugin: PROVIDERS.ionq, resume: { submissions: () => ionqServer.jobs.size } },
);

// A contributed provider outside the package, loaded the way `--provider ./examples/providers/ry-cz-provider.mjs`
// loads it from the repository root: its own gate set (registered on load), its own simulator.
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const example = await loadProvider("./examples/providers/ry-cz-provider.mjs", repoRoot);
providerConformance("ry-cz (examples/providers)", () => example.create({ provider: example.name, seed: 9 }), { plugin: example });
