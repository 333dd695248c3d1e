import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { dataCacheDir, DATASET_NAMES, defaultDatasetSizes, ensureDataset, FASHION_MNIST, loadDataset, writeIdx } from "../src/index.js";
import { closedPortUrl, TestServer } from "./http-server.js";

const dir = mkdtempSync(join(tmpdir(), "nq-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadDataset", () => {
  it("loads mnist-subset and synthetic by name", () => {
    const m = loadDataset("mnist-subset", { trainSize: 100, testSize: 50 });
    expect(m.name).toBe("mnist-subset");
    expect([m.train.n, m.test.n]).toEqual([100, 50]);
    expect([loadDataset("mnist-subset").train.n, loadDataset("mnist-subset").test.n]).toEqual([5000, 5000]);
    const s = loadDataset("synthetic", { trainSize: 10, testSize: 5, seed: 3 });
    expect([s.name, s.train.n, s.test.n]).toEqual(["synthetic", 10, 5]);
  });

  it("finds the standard IDX file names, raw or .gz, and uses every row unless sizes are given", () => {
    const px = new Uint8Array(6 * 4).fill(255);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), writeIdx([6, 2, 2], px, { gzip: true }));
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), writeIdx([6], Uint8Array.of(0, 1, 2, 3, 4, 5)));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), writeIdx([2, 2, 2], px.subarray(0, 8)));
    expect(() => loadDataset(`idx:${dir}`)).toThrow(/has neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte\.gz; put the four/);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte.gz"), writeIdx([2], Uint8Array.of(1, 0), { gzip: true }));
    const d = loadDataset(`idx:${dir}`, { trainSize: 4 });
    expect(d.numClasses).toBe(6);
    expect(d.inputSize).toBe(4);
    expect([d.train.n, d.test.n]).toEqual([4, 2]);
    expect(d.train.x.every((v) => v === 1)).toBe(true);
    const all = loadDataset(`idx:${dir}`);
    expect([all.train.n, all.test.n]).toEqual([6, 2]);
  });

  it("tells which datasets have default sizes other than all rows", () => {
    expect(defaultDatasetSizes("mnist-subset")).toEqual({ trainSize: 5000, testSize: 5000 });
    expect(defaultDatasetSizes("synthetic")).toEqual({ trainSize: 512, testSize: 256 });
    const s = loadDataset("synthetic");
    expect([s.train.n, s.test.n]).toEqual([512, 256]);
    for (const name of ["mnist", "fashion-mnist", "idx:/data"]) expect(defaultDatasetSizes(name)).toEqual({});
  });

  it("lists the allowed names for an unknown one", () => {
    expect(DATASET_NAMES).toContain("synthetic");
    expect(() => loadDataset("cifar")).toThrow(DataError);
    expect(() => loadDataset("cifar")).toThrow('unknown dataset "cifar"; use one of: mnist, mnist-subset, fashion-mnist, synthetic, idx:<dir>');
  });
});

describe("fashion-mnist through loadDataset / ensureDataset", () => {
  const cache = join(dir, "cache");
  const env = (url: string) => ({ NQ_DATA_DIR: cache, NQ_FASHION_MNIST_URL: url });

  it("downloads from NQ_FASHION_MNIST_URL and refuses files that are not the official ones", async () => {
    const toy = writeIdx([3, 2, 2], new Uint8Array(12), { gzip: true });
    const server = await TestServer.start({ [FASHION_MNIST.files.trainImages.name]: { bytes: toy } });
    try {
      await expect(ensureDataset("fashion-mnist", { env: env(server.url), backoffMs: 1 })).rejects.toThrow(
        `${server.url}train-images-idx3-ubyte.gz: the downloaded file (${toy.length} bytes) has SHA-256 `,
      );
      expect(server.requests).toEqual([{ path: "train-images-idx3-ubyte.gz", range: undefined, encoding: "identity" }]);
      expect(existsSync(join(cache, "fashion-mnist")) ? readdirSync(join(cache, "fashion-mnist")) : []).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("offline, names the cache directory and the four files", async () => {
    const url = await closedPortUrl();
    await expect(ensureDataset("fashion-mnist", { env: env(url), attempts: 2, backoffMs: 1 })).rejects.toThrow(
      `cannot download fashion-mnist from ${url} (fetch failed: ECONNREFUSED); if this machine is offline, put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (from ${url} or https://github.com/zalandoresearch/fashion-mnist) in ${join(cache, "fashion-mnist")}, or point NQ_DATA_DIR at a directory whose fashion-mnist/ holds them`,
    );
  });

  it("loadDataset reads the cache of $NQ_DATA_DIR and never downloads", () => {
    const saved = process.env.NQ_DATA_DIR;
    process.env.NQ_DATA_DIR = cache;
    try {
      expect(() => loadDataset("fashion-mnist")).toThrow(
        `fashion-mnist is not in ${join(cache, "fashion-mnist")} yet (missing train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz)`,
      );
    } finally {
      if (saved === undefined) delete process.env.NQ_DATA_DIR;
      else process.env.NQ_DATA_DIR = saved;
    }
  });

  it("does nothing for datasets that need no download", async () => {
    await expect(ensureDataset("mnist-subset", { env: env("http://127.0.0.1:9/") })).resolves.toBeUndefined();
  });
});

describe("dataCacheDir", () => {
  it("prefers NQ_DATA_DIR, then an absolute XDG_CACHE_HOME, then ~/.cache", () => {
    expect(dataCacheDir({ NQ_DATA_DIR: "rel/data", XDG_CACHE_HOME: "/xdg" })).toBe(resolve("rel/data"));
    expect(dataCacheDir({ XDG_CACHE_HOME: "/xdg" })).toBe("/xdg/natural-quantization");
    expect(dataCacheDir({ XDG_CACHE_HOME: "relative" })).toBe(join(homedir(), ".cache", "natural-quantization"));
    expect(dataCacheDir({})).toBe(join(homedir(), ".cache", "natural-quantization"));
  });
});
