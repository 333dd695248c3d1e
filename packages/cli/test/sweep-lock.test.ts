import "reflect-metadata";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as experiments from "../src/experiment.js";
import { cellFiles, expandCells, prepareDirectory, processAlive, readManifest, runCell, takeLock, type Holder } from "@natural-quantization/sweep";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const nq = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
const tiny = ["--dataset", "synthetic", "--train-size", "120", "--test-size", "60", "--width", "8", "--depth", "3", "--lr", "0.05", "--shots", "3", "--backend", "sim-cpu"];
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid that is not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("one sweep directory, one writer", () => {
  it("a second nq sweep on a directory refuses and names the holder; a dead holder's lock is taken over", async () => {
    const out = join(tmp("nq-lock-"), "sweep");
    const args = ["sweep", ...tiny, "--epochs", "40", "--a", "0,1", "--seeds", "0", "--jobs", "1", "--no-report", "--out", out];
    const first = spawn(process.execPath, [bin, ...args], { stdio: "ignore" });
    const exited = new Promise((r) => first.on("exit", r));
    const lock = join(out, "sweep.lock");
    const t0 = Date.now();
    while (!existsSync(join(out, "sweep.json")) && Date.now() - t0 < 30_000) await sleep(20);
    const second = nq(...args);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^nq: .*sweep is in use by "nq sweep .*" \\(host ${hostname()}, pid ${first.pid}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); wait for it to end or stop it, then run this again\\n$`));
    first.kill("SIGKILL");
    await exited;
    // The killed sweep's lock is left behind; its pid is gone, so the next sweep takes it over.
    expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(first.pid);
    const third = nq(...args);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/2\/2 cells finished/);
    expect(existsSync(lock)).toBe(false);
  });

  it("a cell claimed by a live runner is not run again; a dead runner's claim and a requeued task's own claim are taken over", async () => {
    const dir = join(tmp("nq-claim-"), "sweep");
    const settings = { backend: "sim-cpu", dataset: "synthetic", trainSize: 60, testSize: 30, width: 8, depth: 3, bias: false, activation: "tanh" as const, epochs: 1, batch: 10, lr: 0.05, momentum: 0.9, shots: 1 };
    prepareDirectory(dir, { settings, grids: [{ name: "grid", a: [0, 1, 2], g: [Math.PI / 2], seeds: [0] }] }, experiments, null);
    const manifest = readManifest(dir)!;
    const cells = expandCells(manifest.grids);
    const me: Holder = { host: hostname(), pid: process.pid, since: new Date().toISOString(), task: { engine: "slurm", id: "7_0" } };
    const claim = (key: string, holder: Holder) => {
      mkdirSync(cellFiles(dir, key).dir, { recursive: true });
      writeFileSync(cellFiles(dir, key).claim, JSON.stringify(holder));
    };

    // Held by a live process (the test runner's parent): the duplicate exits without running it.
    const live: Holder = { host: hostname(), pid: process.ppid, since: "2026-01-01T00:00:00.000Z", task: { engine: "slurm", id: "6_0" } };
    claim(cells[0].key, live);
    const busy = await runCell(dir, manifest, cells[0], { experiments, holder: me, alive: processAlive });
    expect(busy).toEqual({ kind: "busy", holder: live });
    expect(existsSync(cellFiles(dir, cells[0].key).result)).toBe(false);
    expect(JSON.parse(readFileSync(cellFiles(dir, cells[0].key).claim, "utf8"))).toEqual(live);

    // Held by a runner that is gone: taken over, run, released.
    claim(cells[1].key, { ...live, pid: deadPid() });
    expect((await runCell(dir, manifest, cells[1], { experiments, holder: me, alive: processAlive })).kind).toBe("done");
    expect(existsSync(cellFiles(dir, cells[1].key).result)).toBe(true);
    expect(existsSync(cellFiles(dir, cells[1].key).claim)).toBe(false);

    // Held under this task's own id by its previous run (a requeued task): taken over.
    claim(cells[2].key, { ...me, pid: process.ppid, host: "another-node" });
    expect((await runCell(dir, manifest, cells[2], { experiments, holder: me, alive: () => true })).kind).toBe("done");

    // The test-and-set itself: of two takers, one wins.
    const path = join(dir, "x.lock");
    const a = takeLock(path, { ...me, task: { engine: "slurm", id: "8_1" } }, () => true);
    const b = takeLock(path, { ...me, task: { engine: "slurm", id: "8_2" } }, () => true);
    expect([a.taken, b.taken]).toEqual([true, false]);
  });
});
