// Files a user (or a crash) hands core that are not what they should be: incomplete or corrupt
// checkpoints, non-finite weights, huge files, temporaries left by a killed write.
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from "../src/checkpoint.js";
import { DataError } from "../src/errors.js";
import { loadCheckpoint, saveCheckpoint } from "../src/node/checkpoint-file.js";
import { readJson, writeJsonAtomic } from "../src/node/io.js";
import { PAPER_NETWORK, PAPER_TRAINING } from "../src/spec.js";
import { initWeights } from "../src/weights.js";

const temp = () => mkdtempSync(join(tmpdir(), "nq-hostile-"));
const network = { ...PAPER_NETWORK, inputSize: 6, outputSize: 3, width: 4, depth: 3 };
const training = { ...PAPER_TRAINING, epochs: 5 };
const good = (): Checkpoint => ({
  network, training, dataset: { name: "synthetic", trainSize: 10, testSize: 5 }, epoch: 2,
  weights: initWeights(network, 1), velocities: initWeights(network, 2), history: [],
});
const json = (ck: Checkpoint) => JSON.parse(JSON.stringify(encodeCheckpoint(ck))) as Record<string, unknown>;

describe("checkpoints are checked whole before use", () => {
  it.each(["network", "training", "dataset"])("a checkpoint without %s is refused with one line naming it", (key) => {
    const raw = json(good());
    delete raw[key];
    expect(() => decodeCheckpoint(raw, "ck.json")).toThrow(new RegExp(`^ck\\.json has no valid "${key}"`));
    expect(() => decodeCheckpoint(raw, "ck.json")).toThrow(DataError);
  });

  it("a checkpoint without network.neuron is refused with one line naming it", () => {
    const raw = json(good());
    delete (raw.network as Record<string, unknown>).neuron;
    expect(() => decodeCheckpoint(raw, "ck.json")).toThrow(/^ck\.json has no valid "network\.neuron"/);
  });

  it.each([[-3], [6], [1.5], ["2"]])("epoch %j outside 0..training.epochs is refused", (epoch) => {
    const raw = { ...json(good()), epoch };
    expect(() => decodeCheckpoint(raw, "ck.json")).toThrow(/^ck\.json: epoch .* is not an integer in 0\.\.5/);
  });

  it("an infinite weight or velocity is refused, naming the layer and index", () => {
    const ck = good();
    ck.weights[1].w[3] = Infinity;
    expect(() => decodeCheckpoint(json(ck), "ck.json")).toThrow(/^ck\.json: layer 2 w\[3\] is Infinity/);
    const v = good();
    v.velocities![0].w[0] = Number.NaN;
    expect(() => decodeCheckpoint(json(v), "ck.json")).toThrow(/^ck\.json velocities: layer 1 w\[0\] is NaN/);
  });

  it("a spec out of range names the file", () => {
    const raw = json(good());
    (raw.training as Record<string, unknown>).lr = -1;
    expect(() => decodeCheckpoint(raw, "ck.json")).toThrow(/^ck\.json: invalid lr: -1/);
  });

  it("a good checkpoint is never replaced by one with non-finite weights", () => {
    const dir = temp();
    const path = join(dir, "checkpoint.json");
    saveCheckpoint(path, good());
    const before = readFileSync(path, "utf8");
    const bad = good();
    bad.weights[0].w[5] = Number.NaN;
    expect(() => saveCheckpoint(path, { ...bad, epoch: 3 })).toThrow(/^training diverged by epoch 3 \(layer 1 w\[5\] is NaN\); .*checkpoint\.json was not replaced/);
    const badV = good();
    badV.velocities![2].w[0] = -Infinity;
    expect(() => saveCheckpoint(path, badV)).toThrow(/velocity of layer 3 w\[0\] is -Infinity/);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["checkpoint.json"]);
  });
});

describe("reading files", () => {
  it("a huge file is refused as too large before it is read, not called unreadable", () => {
    const path = join(temp(), "huge.json");
    closeSync(openSync(path, "w"));
    truncateSync(path, 3 * 2 ** 30); // sparse: 3 GiB that take no disk
    expect(() => loadCheckpoint(path)).toThrow(/^checkpoint .*huge\.json is too large \(3\.2 GB; at most 536\.9 MB\); check that this is the right file$/);
    expect(() => readJson(path, "noise model", 2 ** 20)).toThrow(/^noise model .*huge\.json is too large/);
  });

  it("a missing file, a directory and an unreadable file each get their own cause", () => {
    const dir = temp();
    expect(() => readJson(join(dir, "none.json"), "checkpoint")).toThrow(/^cannot read checkpoint .*none\.json: no such file \(ENOENT\); check the path$/);
    expect(() => readJson(dir, "checkpoint")).toThrow(/: it is a directory, not a file$/);
    const locked = join(dir, "locked.json");
    writeFileSync(locked, "{}", { mode: 0o000 });
    // Root reads anything: ask an unprivileged user's process (running the built io.js) then.
    const io = new URL("../dist/node/io.js", import.meta.url).href;
    const script = `import(${JSON.stringify(io)}).then((m) => m.readJson(${JSON.stringify(locked)}, "checkpoint")).catch((e) => process.stdout.write(e.message))`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}) });
    expect(r.stdout).toMatch(/^cannot read checkpoint .*locked\.json: permission denied \(EACCES\); check its permissions$/);
  });
});

describe("temporary files", () => {
  it("a temporary left by a killed write is removed by the next write of the same file; a live writer's is kept", () => {
    const dir = temp();
    // A process that is surely gone: one that ran and exited.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const stale = `.checkpoint.json.${dead}.1700000000000.tmp`;
    const live = `.checkpoint.json.${process.ppid}.1700000000000.tmp`;
    const other = `.weights.json.${dead}.1700000000000.tmp`;
    for (const f of [stale, live, other]) writeFileSync(join(dir, f), "partial");
    writeJsonAtomic(join(dir, "checkpoint.json"), { a: 1 });
    expect(existsSync(join(dir, stale))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    expect(existsSync(join(dir, other))).toBe(true); // another file's: its own next write removes it
    writeJsonAtomic(join(dir, "weights.json"), { a: 1 });
    expect(readdirSync(dir).sort()).toEqual([live, "checkpoint.json", "weights.json"].sort());
  });
});
