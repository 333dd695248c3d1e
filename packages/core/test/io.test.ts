import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../src/errors.js";
import { readJson, writeJsonAtomic } from "../src/node/io.js";
import { loadCheckpoint, saveCheckpoint } from "../src/node/checkpoint-file.js";
import { PAPER_NETWORK, PAPER_TRAINING } from "../src/spec.js";
import { initWeights } from "../src/weights.js";

describe("files", () => {
  it("are replaced atomically: no temporary file is left and the old content survives a failed write", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-io-"));
    const path = join(dir, "r.json");
    writeJsonAtomic(path, { a: 1 });
    writeJsonAtomic(path, { a: 2 });
    expect(readJson(path)).toEqual({ a: 2 });
    expect(readdirSync(dir)).toEqual(["r.json"]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => writeJsonAtomic(path, cyclic)).toThrow();
    expect(readJson(path)).toEqual({ a: 2 });
  });

  it("name a corrupt or missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-io-"));
    writeFileSync(join(dir, "bad.json"), '{"format": "nat');
    expect(() => readJson(join(dir, "bad.json"), "checkpoint")).toThrow(/checkpoint .*bad.json is not valid JSON/);
    expect(() => readJson(join(dir, "missing.json"))).toThrow(DataError);
  });

  it("checkpoints round-trip and are recognised by format", () => {
    const dir = mkdtempSync(join(tmpdir(), "nq-ck-"));
    const network = { ...PAPER_NETWORK, width: 8, depth: 3 };
    const weights = initWeights(network, 1);
    const path = join(dir, "ck.json");
    saveCheckpoint(path, { network, training: PAPER_TRAINING, dataset: { name: "x", trainSize: 1, testSize: 1 }, epoch: 2, weights, velocities: weights, history: [] });
    const ck = loadCheckpoint(path);
    expect(ck.epoch).toBe(2);
    expect(ck.weights[0].w).toEqual(weights[0].w);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ hello: 1 }));
    expect(() => loadCheckpoint(join(dir, "other.json"))).toThrow(/is not a natural-quantization checkpoint/);
    expect(readFileSync(path, "utf8")).toContain("natural-quantization/checkpoint@1");
  });
});
