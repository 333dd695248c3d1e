import { describe, expect, it } from "vitest";
import type { EpochMetrics, ProgressEvent } from "@natural-quantization/core";
import { DEFAULT_PROGRESS_SECONDS, ProgressRenderer, stderrProgress } from "../src/progress.js";

/** A stream that records what is written, and a clock the test moves by hand: no timed tests. */
function fixture(tty: boolean, intervalSeconds = 10, columns = 100) {
  const writes: string[] = [];
  let now = 5_000;
  const renderer = new ProgressRenderer({
    stream: { write: (t: string) => writes.push(t), isTTY: tty, columns },
    clock: { now: () => now },
    intervalSeconds,
  });
  return {
    renderer,
    writes,
    advance: (ms: number) => (now += ms),
    /** Everything written, as one string. */
    text: () => writes.join(""),
    /** Bar redraws written so far. */
    draws: () => writes.filter((w) => w.startsWith("\r\x1b[2K") && w.length > 4).length,
  };
}

const metrics = (epoch: number): EpochMetrics => ({ epoch, loss: 0.25, trainError: 0.1, testError1: 0.125, seconds: 2 });

describe("progress in a log (not a terminal)", () => {
  it("writes nothing while the log was silent for less than the interval, then one plain line per interval", () => {
    const f = fixture(false, 10);
    f.renderer.begin("epoch 1/3", 1000, "batches");
    for (let b = 1; b <= 99; b++) {
      f.advance(100); // 9.9 s in all
      f.renderer.update(b);
    }
    expect(f.writes).toEqual([]);
    f.advance(100); // 10 s: due
    f.renderer.update(100);
    expect(f.writes).toEqual(["epoch 1/3: 10% (100/1000 batches) after 10s, 10.0 batches/s, 1m30s left\n"]);
    // The next 100 updates over 9.9 s say nothing more; the one at 10 s does.
    for (let b = 101; b <= 199; b++) {
      f.advance(100);
      f.renderer.update(b);
    }
    expect(f.writes).toHaveLength(1);
    f.advance(100);
    f.renderer.update(200);
    expect(f.writes.at(-1)).toBe("epoch 1/3: 20% (200/1000 batches) after 20s, 10.0 batches/s, 1m20s left\n");
    expect(f.text()).not.toMatch(/\r|\x1b/);
  });

  it("counts a permanent line as output: the next periodic line waits a full interval after it", () => {
    const f = fixture(false, 10);
    f.renderer.begin("evaluating 100 images x 5 shots", 500, "passes");
    f.advance(9_000);
    f.renderer.line("hidden layer 1: 800 neuron units as 1 job");
    f.advance(9_000);
    f.renderer.update(250);
    expect(f.writes).toEqual(["hidden layer 1: 800 neuron units as 1 job\n"]);
    f.advance(1_000);
    f.renderer.update(300);
    expect(f.writes.at(-1)).toBe("evaluating 100 images x 5 shots: 60% (300/500 passes) after 19s, 15.8 passes/s, 13s left\n");
  });

  it("says what a device job waits for, from the heartbeat alone, with the job's id and how long it is in its state", () => {
    const f = fixture(false, 5);
    f.renderer.setContext("cell 2/4: ");
    f.renderer.jobState("hidden layer 2 job 1/3 d4b1e", "queued");
    f.advance(4_000);
    f.renderer.tick();
    expect(f.writes).toEqual([]);
    f.advance(1_000);
    f.renderer.tick();
    expect(f.writes).toEqual(["cell 2/4: hidden layer 2 job 1/3 d4b1e queued for 5s\n"]);
    f.advance(2_000);
    f.renderer.jobState("hidden layer 2 job 1/3 d4b1e", "running"); // a new state restarts its clock
    f.advance(5_000);
    f.renderer.tick();
    expect(f.writes.at(-1)).toBe("cell 2/4: hidden layer 2 job 1/3 d4b1e running for 5s\n");
    f.renderer.jobState("hidden layer 2 job 1/3 d4b1e", "done");
    f.advance(5_000);
    f.renderer.tick();
    expect(f.writes.at(-1)).toBe("cell 2/4: hidden layer 2 job 1/3 d4b1e done for 5s\n");
    f.renderer.finish();
    f.advance(60_000);
    f.renderer.tick();
    expect(f.writes).toHaveLength(3); // nothing left to report after finish
  });
});

describe("progress on a terminal", () => {
  it("redraws one bar in place with rate and ETA, at most every 100 ms however often it is told", () => {
    const f = fixture(true);
    f.renderer.begin("epoch 1/2", 938, "batches");
    expect(f.draws()).toBe(1); // drawn when the step begins
    for (let b = 1; b <= 500; b++) {
      f.advance(1); // 500 updates in 0.5 s
      f.renderer.update(b);
    }
    expect(f.draws()).toBe(6); // the start, then once per 100 ms
    const last = f.writes.at(-1)!;
    expect(last).toBe(`\r\x1b[2Kepoch 1/2 ${"█".repeat(11)}${"░".repeat(9)}  53% 500/938 batches, 1000/s, ETA 0s`);
    expect(f.text()).not.toContain("\n");
  });

  it("clears the bar before a permanent line and redraws it after; finish clears it", () => {
    const f = fixture(true);
    f.renderer.begin("evaluating 1000 images x 15 shots", 15_000, "passes");
    f.advance(60_000);
    f.renderer.update(3_000);
    f.writes.length = 0;
    f.renderer.line("IBM Quantum job d4b1e: Running");
    expect(f.writes[0]).toBe("\r\x1b[2K");
    expect(f.writes[1]).toBe("IBM Quantum job d4b1e: Running\n");
    expect(f.writes[2]).toMatch(/^\r\x1b\[2Kevaluating 1000 images x 15 shots █{4}░{16}  20% 3000\/15000 passes, 50.0\/s, ETA 4m00s$/);
    f.renderer.finish();
    expect(f.writes.at(-1)).toBe("\r\x1b[2K");
  });

  it("cuts the bar to the terminal's width", () => {
    const f = fixture(true, 10, 40);
    f.renderer.setContext("sim-cpu bench, evaluation run 2/3: ");
    f.renderer.begin("evaluating 5000 images x 15 shots", 75_000, "passes");
    const drawn = f.writes.at(-1)!.slice("\r\x1b[2K".length);
    expect(drawn).toHaveLength(39);
    expect(drawn.endsWith("…")).toBe(true);
  });
});

describe("the Trainer's events as progress", () => {
  it("shows each epoch's batches and its test error pass, then the epoch's line; an evaluation's passes; device jobs", () => {
    const f = fixture(false, 1);
    const r = f.renderer.reporter();
    const events: ProgressEvent[] = [
      { kind: "start", epochs: 2, startEpoch: 0, batchesPerEpoch: 4 },
      { kind: "batch", epoch: 0, batch: 1, batches: 4 },
      { kind: "batch", epoch: 0, batch: 2, batches: 4 },
      { kind: "eval", passes: 0, total: 100, shots: 1, epoch: 0 },
      { kind: "eval", passes: 50, total: 100, shots: 1, epoch: 0 },
      { kind: "epoch", metrics: metrics(1), epochs: 2, etaSeconds: 2 },
      { kind: "batch", epoch: 1, batch: 3, batches: 4 },
      { kind: "epoch", metrics: metrics(2), epochs: 2, etaSeconds: 0 },
      { kind: "eval", passes: 0, total: 300, shots: 3, epoch: null },
      { kind: "job", layer: 0, job: 1, jobs: 2, id: "local-7", state: "running" },
      { kind: "eval", passes: 150, total: 300, shots: 3, epoch: null },
      { kind: "eval", passes: 300, total: 300, shots: 3, epoch: null },
    ];
    for (const e of events) {
      f.advance(1_000);
      r.report(e);
    }
    expect(f.writes).toEqual([
      "epoch 1/2: 25% (1/4 batches) after 1s, 1.00 batches/s, 3s left\n",
      "epoch 1/2: 50% (2/4 batches) after 2s, 1.00 batches/s, 2s left\n",
      "epoch 1/2 test error: 0% (0/100 images) after 0s, ? images/s, ? left\n",
      "epoch 1/2 test error: 50% (50/100 images) after 1s, 50.0 images/s, 1s left\n",
      "epoch 1/2 loss 0.2500 train err 10.00% test err(1-shot) 12.50% 2.0s/epoch, 2s left\n",
      "epoch 2/2: 75% (3/4 batches) after 1s, 3.00 batches/s, 0s left\n",
      "epoch 2/2 loss 0.2500 train err 10.00% test err(1-shot) 12.50% 2.0s/epoch, 0s left\n",
      "evaluating 100 images x 3 shots: 0% (0/300 passes) after 0s, ? passes/s, ? left\n",
      "evaluating 100 images x 3 shots: 0% (0/300 passes) after 1s, 0.00 passes/s, ? left; hidden layer 1 job 1/2 local-7 running for 0s\n",
      "evaluating 100 images x 3 shots: 50% (150/300 passes) after 2s, 75.0 passes/s, 2s left; hidden layer 1 job 1/2 local-7 running for 1s\n",
      "evaluating 100 images x 3 shots: 100% (300/300 passes) after 3s, 100 passes/s, 0s left; hidden layer 1 job 1/2 local-7 running for 2s\n",
    ]);
  });

  it("leaves out the epoch lines where asked (nq bench)", () => {
    const f = fixture(false, 1);
    const r = f.renderer.reporter({ epochLines: false });
    r.report({ kind: "start", epochs: 1, startEpoch: 0, batchesPerEpoch: 4 });
    f.advance(1_000);
    r.report({ kind: "epoch", metrics: metrics(1), epochs: 1, etaSeconds: 0 });
    expect(f.writes).toEqual([]);
  });
});

describe("NQ_PROGRESS_SECONDS", () => {
  it("sets the interval of plain lines; a bad value is one clear error", () => {
    expect(() => stderrProgress({ NQ_PROGRESS_SECONDS: "0" })).toThrow(/^NQ_PROGRESS_SECONDS must be a number of seconds > 0, got "0"; unset it for the default 15$/);
    expect(() => stderrProgress({ NQ_PROGRESS_SECONDS: "soon" })).toThrow(/got "soon"/);
    expect(DEFAULT_PROGRESS_SECONDS).toBe(15);
    stderrProgress({ NQ_PROGRESS_SECONDS: "2.5" }).close();
  });
});
