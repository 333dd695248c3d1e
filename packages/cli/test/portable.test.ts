// nq export (safetensors, npz) and nq predict, checked by parsers and a forward pass written here
// from the formats' specifications, not by the code that writes them.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { loadCheckpoint } from "@natural-quantization/core/node";
import { loadDataset, writeIdx } from "@natural-quantization/datasets";
import { beforeAll, describe, expect, it } from "vitest";
import { nq, tiny } from "./helpers.js";

// The README's numpy lines are run against nq predict by readme.test.ts, with the README's own commands.

interface Tensor {
  shape: number[];
  data: Float64Array;
}

/** safetensors per its specification: u64 LE header length, JSON header, raw LE data. */
function parseSafetensors(bytes: Uint8Array): { header: Record<string, unknown>; headerLength: number; tensors: Record<string, Tensor> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  const tensors: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [begin, end] } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    expect(dtype).toBe("F32");
    const data = new Float64Array((end - begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(8 + headerLength + begin + 4 * i, true);
    tensors[name] = { shape, data };
  }
  return { header, headerLength, tensors };
}

/** .npy v1.0 per its specification: magic, version, u16 LE header length, dict literal, data. */
function parseNpy(bytes: Uint8Array): Tensor & { headerEnd: number } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
  const len = bytes[8] | (bytes[9] << 8);
  const dict = new TextDecoder().decode(bytes.subarray(10, 10 + len));
  expect(dict).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \((\d+(, \d+)*|\d+,)\), \} *\n$/);
  const shape = /'shape': \(([^)]*)\)/.exec(dict)![1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const view = new DataView(bytes.buffer, bytes.byteOffset + 10 + len);
  const data = new Float64Array((bytes.length - 10 - len) / 4);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true);
  return { shape, data, headerEnd: 10 + len };
}

/** The a = 0, g = pi/2 network by hand: sign neurons (sign(0) = -1), then the argmax of the logits. */
function classicalPredict(layers: Tensor[], biases: (Tensor | null)[], x: Float32Array, inputSize: number): number[] {
  const n = x.length / inputSize;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let h = Array.from(x.subarray(i * inputSize, (i + 1) * inputSize));
    layers.forEach((w, l) => {
      const [rows, cols] = w.shape;
      const z = Array.from({ length: rows }, (_, r) => {
        let s = biases[l] ? biases[l]!.data[r] : 0;
        for (let c = 0; c < cols; c++) s += w.data[r * cols + c] * h[c];
        return s;
      });
      h = l < layers.length - 1 ? z.map((v) => (v > 0 ? 1 : -1)) : z;
    });
    out.push(h.indexOf(Math.max(...h)));
  }
  return out;
}

function readCsv(path: string): { head: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  return { head: head.split(","), rows: lines.map((l) => l.split(",").map(Number)) };
}

describe("portable weights and predictions", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "nq-portable-"));
    const r = nq(["train", ...tiny, "--a", "0", "--bias", "--out", join(dir, "a0")]);
    expect(r.code, r.stderr).toBe(0);
    expect(nq(["train", ...tiny, "--a", "0.7", "--out", join(dir, "a07")]).code).toBe(0);
  });

  it("nq export --format safetensors: 8-byte LE header length, aligned JSON header with F32 tensors and the network spec, exact weights", () => {
    const out = join(dir, "w.safetensors");
    const r = nq(["export", "--weights", join(dir, "a0", "weights.json"), "--format", "safetensors", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const ck = loadCheckpoint(join(dir, "a0", "weights.json"));
    const { header, headerLength, tensors } = parseSafetensors(readFileSync(out));
    expect(headerLength % 8).toBe(0);
    const meta = header.__metadata__ as Record<string, string>;
    for (const v of Object.values(meta)) expect(typeof v).toBe("string");
    expect(JSON.parse(meta.network)).toEqual(ck.network);
    expect(Object.keys(tensors)).toEqual(["layer1.w", "layer1.b", "layer2.w", "layer2.b", "layer3.w", "layer3.b"]);
    ck.weights.forEach((layer, l) => {
      expect(tensors[`layer${l + 1}.w`].shape).toEqual([layer.out, layer.in]);
      expect(Array.from(tensors[`layer${l + 1}.w`].data)).toEqual(Array.from(layer.w));
      expect(Array.from(tensors[`layer${l + 1}.b`].data)).toEqual(Array.from(layer.b!));
    });
    expect(readFileSync(out).length).toBe(8 + headerLength + ck.weights.reduce((s, l) => s + 4 * (l.w.length + l.b!.length), 0));
    // Another network, another header length: the data starts 8-byte aligned in both.
    const other = join(dir, "a07.safetensors");
    expect(nq(["export", "--weights", join(dir, "a07", "weights.json"), "--out", other]).code).toBe(0);
    const second = parseSafetensors(readFileSync(other));
    expect(second.headerLength % 8).toBe(0);
    expect(new TextDecoder().decode(readFileSync(other).subarray(8, 8 + second.headerLength))).toMatch(/^\{.*\} *$/);
  });

  it("nq export --format npz: a zip of .npy v1.0 files (64-byte aligned headers) named layerN.w / layerN.b, plus metadata.json", () => {
    const out = join(dir, "w.npz");
    expect(nq(["export", "--weights", join(dir, "a0", "weights.json"), "--out", out]).code).toBe(0); // format from the extension
    const ck = loadCheckpoint(join(dir, "a0", "weights.json"));
    const files = unzipSync(readFileSync(out));
    expect(Object.keys(files).sort()).toEqual(["layer1.b.npy", "layer1.w.npy", "layer2.b.npy", "layer2.w.npy", "layer3.b.npy", "layer3.w.npy", "metadata.json"]);
    ck.weights.forEach((layer, l) => {
      const w = parseNpy(files[`layer${l + 1}.w.npy`]);
      expect(w.headerEnd % 64).toBe(0);
      expect(w.shape).toEqual([layer.out, layer.in]);
      expect(Array.from(w.data)).toEqual(Array.from(layer.w));
      const b = parseNpy(files[`layer${l + 1}.b.npy`]);
      expect(b.shape).toEqual([layer.out]);
      expect(Array.from(b.data)).toEqual(Array.from(layer.b!));
    });
    expect(JSON.parse(JSON.parse(new TextDecoder().decode(files["metadata.json"])).network)).toEqual(ck.network);
    const bad = nq(["export", "--weights", join(dir, "a0", "weights.json"), "--out", join(dir, "w.bin")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^nq: invalid format: ".*w\.bin" \(allowed: safetensors or npz/);
  });

  it("nq predict of the a = 0 network agrees with a forward pass computed here from the exported tensors", () => {
    const out = join(dir, "a0.csv");
    expect(nq(["predict", "--weights", join(dir, "a0", "weights.json"), "--shots", "3", "--out", out]).code).toBe(0);
    const { head, rows } = readCsv(out);
    expect(head).toEqual(["index", "label", "predicted", "votes_0", "votes_1", "votes_2", "votes_3"]);
    const { tensors } = parseSafetensors(readFileSync(join(dir, "w.safetensors")));
    const test = loadDataset("synthetic", { trainSize: 200, testSize: 100 }).test;
    const expected = classicalPredict([1, 2, 3].map((l) => tensors[`layer${l}.w`]), [1, 2, 3].map((l) => tensors[`layer${l}.b`]), test.x, 64);
    expect(rows.map((r) => r[2])).toEqual(expected);
    expect(rows.map((r) => r[1])).toEqual(Array.from(test.y));
    for (const r of rows) expect(r[3 + r[2]]).toBe(3); // deterministic: every shot agrees
  });

  it("nq predict gives per-image majority votes whose k-shot error is nq eval's (same seed and shots)", () => {
    const out = join(dir, "a07.csv");
    const weights = join(dir, "a07", "weights.json");
    const p = nq(["predict", "--weights", weights, "--shots", "7", "--seed", "5", "--out", out]);
    expect(p.code, p.stderr).toBe(0);
    const { rows } = readCsv(out);
    expect(rows).toHaveLength(100);
    let wrong = 0;
    let split = 0;
    for (const [index, label, predicted, ...votes] of rows) {
      expect(index).toBe(rows.indexOf(rows[index]));
      expect(votes.reduce((s, v) => s + v, 0)).toBe(7);
      expect(predicted).toBe(votes.indexOf(Math.max(...votes))); // ties to the lowest class
      if (Math.max(...votes) < 7) split++;
      if (predicted !== label) wrong++;
    }
    expect(split).toBeGreaterThan(0);
    const ev = JSON.parse(nq(["eval", "--weights", weights, "--shots", "7", "--seed", "5", "--test-size", "100", "--json"]).stdout);
    expect(wrong / 100).toBe(ev.testErrorK);
    expect(p.stderr).toMatch(new RegExp(`predicted 100 images of synthetic test split \\(7 shots each, 7-shot error ${(100 * ev.testErrorK).toFixed(2)}%\\)`));
  });

  it("nq predict --images reads an IDX images file (and --labels its labels) and gives the same votes as the dataset it holds", () => {
    const weights = join(dir, "mnist", "weights.json");
    expect(nq(["train", "--dataset", "mnist", "--train-size", "300", "--test-size", "60", "--width", "16", "--depth", "3", "--epochs", "1", "--out", join(dir, "mnist")]).code).toBe(0);
    const test = loadDataset("mnist", { trainSize: 300, testSize: 60 }).test;
    const bytes = Uint8Array.from(test.x, (v) => Math.round(v * 255));
    writeFileSync(join(dir, "images-idx3-ubyte"), writeIdx([60, 28, 28], bytes));
    writeFileSync(join(dir, "labels-idx1-ubyte"), writeIdx([60], Uint8Array.from(test.y)));
    const fromIdx = nq(["predict", "--weights", weights, "--images", join(dir, "images-idx3-ubyte"), "--labels", join(dir, "labels-idx1-ubyte"), "--shots", "5"]);
    const fromSet = nq(["predict", "--weights", weights, "--dataset", "mnist", "--test-size", "60", "--shots", "5"]);
    expect(fromIdx.code, fromIdx.stderr).toBe(0);
    expect(fromIdx.stdout.split("\n")[0]).toBe("index,label,predicted,votes_0,votes_1,votes_2,votes_3,votes_4,votes_5,votes_6,votes_7,votes_8,votes_9");
    expect(fromIdx.stdout).toBe(fromSet.stdout);
    const unlabelled = nq(["predict", "--weights", weights, "--images", join(dir, "images-idx3-ubyte"), "--shots", "5"]);
    expect(unlabelled.stdout.split("\n")[0]).toBe("index,predicted,votes_0,votes_1,votes_2,votes_3,votes_4,votes_5,votes_6,votes_7,votes_8,votes_9");
    const wrongSize = nq(["predict", "--weights", join(dir, "a0", "weights.json"), "--images", join(dir, "images-idx3-ubyte")]);
    expect(wrongSize.code).toBe(2);
    expect(wrongSize.stderr).toMatch(/^nq: .*images-idx3-ubyte has 28x28 = 784 pixels per image; the network takes 64 inputs\n$/);
  });
});
