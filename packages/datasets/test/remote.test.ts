import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import {
  downloadVerified,
  fetchRemoteDataset,
  loadRemoteDataset,
  writeIdx,
  type DownloadEvent,
  type IdxRole,
  type RemoteDataset,
} from "../src/index.js";
import { closedPortUrl, TestServer, type ServedFile } from "./http-server.js";

const root = mkdtempSync(join(tmpdir(), "nq-remote-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Random pixels, so gzip cannot shrink the images file below the drop points used here. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

// A toy MNIST-format set: 300 training and 40 test images of 16x16, labels 0..3.
const NAMES: Record<IdxRole, string> = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
};
const CONTENT: Record<IdxRole, Uint8Array> = {
  trainImages: writeIdx([300, 16, 16], randomBytes(300 * 256, 1), { gzip: true }),
  trainLabels: writeIdx([300], Uint8Array.from({ length: 300 }, (_, i) => i % 4), { gzip: true }),
  testImages: writeIdx([40, 16, 16], randomBytes(40 * 256, 2), { gzip: true }),
  testLabels: writeIdx([40], Uint8Array.from({ length: 40 }, (_, i) => (i * 3) % 4), { gzip: true }),
};
const ROLES = Object.keys(NAMES) as IdxRole[];
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function toySpec(over: Partial<Record<IdxRole, Partial<{ sha256: string; bytes: number }>>> = {}): RemoteDataset {
  const files = Object.fromEntries(
    ROLES.map((r) => [r, { name: NAMES[r], bytes: CONTENT[r].length, sha256: sha256(CONTENT[r]), ...over[r] }]),
  ) as RemoteDataset["files"];
  return { name: "toy-mnist", baseUrl: "http://mirror.invalid/toy/", baseUrlEnv: "NQ_TOY_URL", homepage: "https://example.invalid/toy", files };
}

async function serve(extra: Partial<Record<IdxRole, Partial<ServedFile>>> = {}): Promise<TestServer> {
  const files = Object.fromEntries(ROLES.map((r) => [NAMES[r], { bytes: CONTENT[r], ...extra[r] }]));
  const s = await TestServer.start(files);
  servers.push(s);
  return s;
}

let n = 0;
/** A fresh cache root, and the environment pointing the toy mirror at `url`. */
function env(url: string): { NQ_DATA_DIR: string; NQ_TOY_URL: string } {
  return { NQ_DATA_DIR: join(root, `cache-${n++}`), NQ_TOY_URL: url };
}

describe("fetchRemoteDataset against a local server", () => {
  it("downloads, verifies and caches the four files, reporting progress, and loads them", async () => {
    const server = await serve();
    const e = env(server.url);
    const events: DownloadEvent[] = [];
    const dir = await fetchRemoteDataset(toySpec(), { env: e, onProgress: (ev) => events.push(ev) });
    expect(dir).toBe(join(e.NQ_DATA_DIR, "toy-mnist"));
    expect(readdirSync(dir).sort()).toEqual(Object.values(NAMES).sort());
    for (const r of ROLES) expect(readFileSync(join(dir, NAMES[r]))).toEqual(Buffer.from(CONTENT[r]));
    const done = events.filter((ev) => ev.kind === "done");
    expect(done.map((ev) => ev.file)).toEqual(ROLES.map((r) => NAMES[r]));
    const images = events.filter((ev) => ev.kind === "progress" && ev.file === NAMES.trainImages);
    expect(images.at(-1)).toEqual({ kind: "progress", file: NAMES.trainImages, receivedBytes: CONTENT.trainImages.length, totalBytes: CONTENT.trainImages.length });
    const received = images.map((ev) => (ev.kind === "progress" ? ev.receivedBytes : -1));
    expect(received).toEqual([...received].sort((a, b) => a - b));

    const d = loadRemoteDataset(toySpec(), {}, { env: e });
    expect([d.name, d.train.n, d.test.n, d.inputSize, d.numClasses]).toEqual(["toy-mnist", 300, 40, 256, 4]);
    expect(d.train.x[5]).toBe(Math.fround(randomBytes(300 * 256, 1)[5] / 255));
    expect(Array.from(d.test.y.subarray(0, 4))).toEqual([0, 3, 2, 1]);

    // A second call finds everything in the cache and asks the server nothing.
    const before = server.requests.length;
    await fetchRemoteDataset(toySpec(), { env: e });
    expect(server.requests.length).toBe(before);
  });

  it("refuses a file whose SHA-256 differs and does not keep it", async () => {
    const server = await serve();
    const e = env(server.url);
    const wrong = toySpec({ testImages: { sha256: "0".repeat(64) } });
    const err = await fetchRemoteDataset(wrong, { env: e, backoffMs: 1 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `${server.url}${NAMES.testImages}: the downloaded file (${CONTENT.testImages.length} bytes) has SHA-256 ${sha256(CONTENT.testImages)}, expected ${"0".repeat(64)} (${CONTENT.testImages.length} bytes); it was deleted; run again to download it afresh`,
    );
    const dir = join(e.NQ_DATA_DIR, "toy-mnist");
    expect(existsSync(join(dir, NAMES.testImages))).toBe(false);
    expect(existsSync(join(dir, `${NAMES.testImages}.part`))).toBe(false);
    // The files before it in the list were fine and stay cached.
    expect(existsSync(join(dir, NAMES.trainImages))).toBe(true);
  });

  it("resumes a connection dropped mid-file with a Range request", async () => {
    const server = await serve({ trainImages: { dropAfter: 20_000 } });
    const e = env(server.url);
    const events: DownloadEvent[] = [];
    const dir = await fetchRemoteDataset(toySpec(), { env: e, backoffMs: 1, onProgress: (ev) => events.push(ev) });
    expect(readFileSync(join(dir, NAMES.trainImages))).toEqual(Buffer.from(CONTENT.trainImages));
    const tries = server.requests.filter((r) => r.path === NAMES.trainImages);
    expect(tries).toEqual([
      { path: NAMES.trainImages, range: undefined, encoding: "identity" },
      // fetch itself adds identity to range requests, hence "identity, identity".
      { path: NAMES.trainImages, range: "bytes=20000-", encoding: "identity, identity" },
    ]);
    const retry = events.find((ev) => ev.kind === "retry");
    expect(retry).toMatchObject({ kind: "retry", file: NAMES.trainImages, attempt: 1, attempts: 5, delayMs: 1 });
  });

  it("starts over when a server without Range support drops the connection, backing off between tries", async () => {
    const server = await serve({ trainImages: { dropAfter: 10_000, dropTimes: 2, ignoreRange: true } });
    const e = env(server.url);
    const events: DownloadEvent[] = [];
    const dir = await fetchRemoteDataset(toySpec(), { env: e, backoffMs: 2, onProgress: (ev) => events.push(ev) });
    expect(readFileSync(join(dir, NAMES.trainImages))).toEqual(Buffer.from(CONTENT.trainImages));
    expect(server.requests.filter((r) => r.path === NAMES.trainImages)).toHaveLength(3);
    expect(events.filter((ev) => ev.kind === "retry").map((ev) => (ev.kind === "retry" ? ev.delayMs : 0))).toEqual([2, 4]);
  });

  it("continues a .part file left by an earlier, interrupted run", async () => {
    const server = await serve();
    const e = env(server.url);
    const dir = join(e.NQ_DATA_DIR, "toy-mnist");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${NAMES.trainImages}.part`), CONTENT.trainImages.subarray(0, 12_345));
    await fetchRemoteDataset(toySpec(), { env: e });
    expect(server.requests.find((r) => r.path === NAMES.trainImages)?.range).toBe("bytes=12345-");
    expect(readFileSync(join(dir, NAMES.trainImages))).toEqual(Buffer.from(CONTENT.trainImages));
    expect(existsSync(join(dir, `${NAMES.trainImages}.part`))).toBe(false);
  });

  it("retries a server error (503) and gives up at once on a missing file (404)", async () => {
    const server = await serve({ trainLabels: { status: 503, statusTimes: 2 }, testLabels: { status: 404 } });
    const e = env(server.url);
    const err = await fetchRemoteDataset(toySpec(), { env: e, backoffMs: 1 }).catch((x: unknown) => x);
    expect(server.requests.filter((r) => r.path === NAMES.trainLabels)).toHaveLength(3);
    expect(existsSync(join(e.NQ_DATA_DIR, "toy-mnist", NAMES.trainLabels))).toBe(true);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`${server.url}${NAMES.testLabels} answered HTTP 404 Not Found; check the address (NQ_TOY_URL overrides the mirror http://mirror.invalid/toy/)`);
    expect(server.requests.filter((r) => r.path === NAMES.testLabels)).toHaveLength(1);
  });

  it("a server that accepts and never answers is given up after the timeout and retried; one that stalls mid-file is resumed", async () => {
    const server = await serve({ trainImages: { silent: true, silentTimes: 1 }, testImages: { stallAfter: 5_000 } });
    const e = env(server.url);
    const events: DownloadEvent[] = [];
    const dir = await fetchRemoteDataset(toySpec(), { env: e, backoffMs: 1, timeoutMs: 300, onProgress: (ev) => events.push(ev) });
    expect(readFileSync(join(dir, NAMES.trainImages))).toEqual(Buffer.from(CONTENT.trainImages));
    expect(readFileSync(join(dir, NAMES.testImages))).toEqual(Buffer.from(CONTENT.testImages));
    const reasons = events.flatMap((ev) => (ev.kind === "retry" ? [`${ev.file}: ${ev.reason}`] : []));
    expect(reasons).toEqual([`${NAMES.trainImages}: the server did not answer within 0.3 s`, `${NAMES.testImages}: the server sent nothing for 0.3 s after 5000 bytes`]);
    expect(server.requests.filter((r) => r.path === NAMES.testImages).map((r) => r.range)).toEqual([undefined, "bytes=5000-"]);
  }, 20_000);

  it("a server that never answers fails the download after its tries, saying so in one line; a long wait is announced", async () => {
    const server = await serve({ trainImages: { silent: true } });
    const e = env(server.url);
    const events: DownloadEvent[] = [];
    const err = await fetchRemoteDataset(toySpec(), { env: e, attempts: 1, timeoutMs: 5_400, onProgress: (ev) => events.push(ev) }).catch((x: unknown) => x);
    expect((err as Error).message).toMatch(/^cannot download toy-mnist from .* \(the server did not answer within 5\.4 s\); if this machine is offline, put /);
    expect(events.filter((ev) => ev.kind === "wait")).toEqual([
      { kind: "wait", file: NAMES.trainImages, message: `waiting for ${server.url}${NAMES.trainImages} to answer (5 s so far; giving up after 5.4 s)` },
    ]);
  }, 20_000);

  it("without a server, names the cache directory and the files to put there", async () => {
    const url = await closedPortUrl();
    const e = env(url);
    const events: DownloadEvent[] = [];
    const err = await fetchRemoteDataset(toySpec(), { env: e, attempts: 3, backoffMs: 1, onProgress: (ev) => events.push(ev) }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DataError);
    const dir = join(e.NQ_DATA_DIR, "toy-mnist");
    expect((err as Error).message).toBe(
      `cannot download toy-mnist from ${url} (fetch failed: ECONNREFUSED); if this machine is offline, put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (from ${url} or https://example.invalid/toy) in ${dir}, or point NQ_DATA_DIR at a directory whose toy-mnist/ holds them`,
    );
    expect(events.filter((ev) => ev.kind === "retry")).toHaveLength(2);
  });
});

describe("loadRemoteDataset", () => {
  it("says what is missing and where to put it before anything was downloaded", () => {
    const e = env("http://127.0.0.1:9/");
    const dir = join(e.NQ_DATA_DIR, "toy-mnist");
    expect(() => loadRemoteDataset(toySpec(), {}, { env: e })).toThrow(
      `toy-mnist is not in ${dir} yet (missing train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz); the nq commands download it on first use (ensureDataset("toy-mnist") in code), or put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (from http://127.0.0.1:9/ or https://example.invalid/toy) there by hand`,
    );
  });

  it("refuses a file put in the cache by hand that is not the official one", () => {
    const e = env("http://127.0.0.1:9/");
    const dir = join(e.NQ_DATA_DIR, "toy-mnist");
    mkdirSync(dir, { recursive: true });
    for (const r of ROLES) writeFileSync(join(dir, NAMES[r]), CONTENT[r]);
    const tampered = Uint8Array.from(CONTENT.testLabels);
    tampered[tampered.length - 9] ^= 1;
    writeFileSync(join(dir, NAMES.testLabels), tampered);
    expect(() => loadRemoteDataset(toySpec(), {}, { env: e })).toThrow(
      `${join(dir, NAMES.testLabels)} is not the official toy-mnist file (${tampered.length} bytes, SHA-256 ${sha256(tampered)}; expected ${CONTENT.testLabels.length} bytes, SHA-256 ${sha256(CONTENT.testLabels)}); delete it so it is downloaded again, or replace it with http://mirror.invalid/toy/${NAMES.testLabels}`,
    );
    writeFileSync(join(dir, NAMES.testLabels), CONTENT.testLabels);
    expect(loadRemoteDataset(toySpec(), { trainSize: 10 }, { env: e }).train.n).toBe(10);
  });
});

describe("downloadVerified", () => {
  it("checks the size as well as the digest", async () => {
    const server = await serve();
    const dest = join(root, "size-check", NAMES.testLabels);
    const spec = { url: `${server.url}${NAMES.testLabels}`, dest, sha256: sha256(CONTENT.testLabels) };
    await expect(downloadVerified({ ...spec, bytes: CONTENT.testLabels.length + 1 })).rejects.toThrow(/has SHA-256 .*; it was deleted/);
    expect(existsSync(dest) || existsSync(`${dest}.part`)).toBe(false);
    await downloadVerified({ ...spec, bytes: CONTENT.testLabels.length });
    expect(readFileSync(dest)).toEqual(Buffer.from(CONTENT.testLabels));
  });
});
