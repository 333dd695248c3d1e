// IAM and IBM Quantum servers that accept the connection and then never answer: the provider
// gives up after its timeout with one line naming what it waited for, and says so while it waits.
import { describe, expect, it } from "vitest";
import { IbmRuntimeError } from "../../src/providers/ibm-errors.js";
import { IbmRuntimeProvider } from "../../src/providers/ibm-runtime-provider.js";
import { IbmTestServer } from "./ibm-test-server.js";
import { useSilentServer } from "./silent-server.js";

const KEY = "nq-test-apikey-timeouts-1";
const CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0f0f0f0f0f:1a2b3c4d-0000-4000-8000-00000000abcd::";

const silent = useSilentServer();

const provider = (env: NodeJS.ProcessEnv, timeoutMs: number, log: string[]) =>
  new IbmRuntimeProvider({ backend: "test_heron6", env, timeoutMs, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 }, log: (l) => log.push(l) });

describe("ibm-runtime network timeouts", () => {
  it("an IAM server that never answers is given up after the timeout, not retried, in one line", async () => {
    const log: string[] = [];
    const t0 = Date.now();
    const err = await provider({ IBM_CLOUD_API_KEY: KEY, IBM_QUANTUM_CRN: CRN, IBM_IAM_URL: silent.url }, 300, log).target().catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(IbmRuntimeError);
    expect((err as Error).message).toBe(
      `IBM Cloud IAM at ${silent.url}/identity/token did not answer within 0.3 s; check the network and the address, or allow longer waits with NQ_NETWORK_TIMEOUT_SECONDS (or IBM_IAM_URL)`,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  }, 10_000);

  it("an IBM Quantum API that never answers is given up the same way; a wait past 5 s is announced", async () => {
    const iam = await IbmTestServer.start({ apiKey: KEY, serviceCrn: CRN });
    try {
      const log: string[] = [];
      const env = iam.env({ IBM_QUANTUM_URL: `${silent.url}/api/v1` });
      const err = await provider(env, 5_500, log).target().catch((e: unknown) => e as Error);
      expect((err as Error).message).toBe(
        `IBM Quantum (GET ${silent.url}/api/v1/backends/test_heron6/configuration) did not answer within 5.5 s; check the network and the address, or allow longer waits with NQ_NETWORK_TIMEOUT_SECONDS (or IBM_QUANTUM_URL)`,
      );
      expect(log).toEqual([`waiting for IBM Quantum (GET ${silent.url}/api/v1/backends/test_heron6/configuration) to answer (5 s so far; giving up after 5.5 s)`]);
    } finally {
      await iam.close();
    }
  }, 15_000);

  it("the timeout comes from NQ_NETWORK_TIMEOUT_SECONDS in the provider's environment", async () => {
    const err = await new IbmRuntimeProvider({ backend: "test_heron6", env: { IBM_CLOUD_API_KEY: KEY, IBM_QUANTUM_CRN: CRN, IBM_IAM_URL: silent.url, NQ_NETWORK_TIMEOUT_SECONDS: "0.2" } })
      .target()
      .catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/did not answer within 0\.2 s/);
  }, 10_000);
});
