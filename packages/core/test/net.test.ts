// fetchWithTimeouts against a local server that accepts connections and then says nothing.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchWithTimeouts, NetworkTimeoutError, networkTimeoutMs } from "../src/node/net.js";

let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/silent") return; // accept, read the request, never answer
    if (req.url === "/stall") {
      res.writeHead(200, { "content-length": "10" });
      res.write("12345"); // half the body, then nothing
      return;
    }
    res.writeHead(200).end("ok");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("network requests have timeouts", () => {
  it("a server that never answers is given up after the timeout, naming what was awaited", async () => {
    const t0 = Date.now();
    const p = fetchWithTimeouts(`${base}/silent`, {}, { what: "the test server", timeoutMs: 300 });
    await expect(p).rejects.toThrow(NetworkTimeoutError);
    await expect(p).rejects.toThrow(/^the test server did not answer within 0\.3 s; check the network and the address, or allow longer waits with NQ_NETWORK_TIMEOUT_SECONDS$/);
    expect(Date.now() - t0).toBeLessThan(5000);
  }, 10_000);

  it("a body that stalls is given up after the timeout between chunks", async () => {
    const r = await fetchWithTimeouts(`${base}/stall`, {}, { what: "the test server", timeoutMs: 300 });
    expect(r.status).toBe(200);
    await expect(r.text()).rejects.toThrow(/^the test server sent no data within 0\.3 s/);
  }, 10_000);

  it("a prompt server is read as usual", async () => {
    const r = await fetchWithTimeouts(`${base}/ok`, {}, { what: "the test server", timeoutMs: 300 });
    expect(await r.text()).toBe("ok");
  });

  it("a long wait says what it waits for", async () => {
    const lines: string[] = [];
    const p = fetchWithTimeouts(`${base}/silent`, {}, { what: "the test server", timeoutMs: 5300, onWait: (l) => lines.push(l) });
    await expect(p).rejects.toThrow(/did not answer within 5\.3 s/);
    expect(lines).toEqual(["waiting for the test server to answer (5 s so far; giving up after 5.3 s)"]);
  }, 10_000);

  it("the timeout comes from NQ_NETWORK_TIMEOUT_SECONDS, and a bad value is refused", () => {
    expect(networkTimeoutMs({})).toBe(30_000);
    expect(networkTimeoutMs({ NQ_NETWORK_TIMEOUT_SECONDS: "0.5" })).toBe(500);
    expect(() => networkTimeoutMs({ NQ_NETWORK_TIMEOUT_SECONDS: "soon" })).toThrow(/^invalid NQ_NETWORK_TIMEOUT_SECONDS: "soon"/);
  });
});
