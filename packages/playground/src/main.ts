// The page: controls, live charts and tables; all computing happens in worker.ts.
import type { EpochMetrics } from "@natural-quantization/core";
import { formatAngle, parseAngle } from "./angle.js";
import { barChart, heatmap, lineChart, type ColourScale, type Series } from "./plot.js";
import { CONTROL_PAUSE, CONTROL_RUN, CONTROL_STOP, type FromWorker, type IdxFile, type RunId, type RunSettings, type ToWorker } from "./protocol.js";

const HALF_PI = Math.PI / 2;
const PRESETS: Record<string, { a: number; g: number }> = {
  classical: { a: 0, g: HALF_PI },
  model1: { a: 0.5, g: HALF_PI },
  model2: { a: 0, g: 1.0 },
  belowgc: { a: 0, g: 0.3 },
};
const COLORS: Record<RunId, string> = { chosen: "#2d5bd8", classical: "#d8772d", loaded: "#2d8a4a" };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "training" });
const send = (m: ToWorker) => worker.postMessage(m);
// A shared control word lets pause and stop act between batches; without isolation they act between epochs.
const control = self.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;

const history = new Map<RunId, EpochMetrics[]>();
const settingOf = new Map<RunId, string>();
let epochsPlanned = 1;
let running = false;
let paused = false;

function setControl(v: number): void {
  if (!control) return;
  Atomics.store(control, 0, v);
  Atomics.notify(control, 0);
}

function readSettings(): RunSettings {
  const num = (id: string, integer: boolean, min: number, max = Infinity): number => {
    const raw = input(id).value.trim();
    const v = Number(raw);
    if (raw === "" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      throw new Error(`${id} must be ${integer ? "an integer" : "a number"} from ${min}${max === Infinity ? " up" : ` to ${max}`}, got ${JSON.stringify(raw)}`);
    }
    return v;
  };
  const s: RunSettings = {
    a: num("a", false, 0),
    g: parseAngle("g", input("g").value, HALF_PI),
    activation: $<HTMLSelectElement>("activation").value === "htanh" ? "htanh" : "tanh",
    width: num("width", true, 1, 4096),
    depth: num("depth", true, 2, 16),
    epochs: num("epochs", true, 1, 1000),
    trainSize: num("trainSize", true, 1),
    testSize: num("testSize", true, 1),
    shots: num("shots", true, 1, 1000),
    seed: num("seed", true, 0, 0xffffffff),
    batch: 64,
    lr: 0.01,
    momentum: 0.9,
  };
  return s;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

function describe(run: RunId, s: RunSettings): string {
  if (run === "classical") return "a = 0, g = π/2";
  return `a = ${s.a}, g = ${Math.abs(s.g - HALF_PI) < 1e-4 ? "π/2" : s.g}, ${s.activation}`;
}

function redrawCharts(): void {
  const series = (f: (m: EpochMetrics) => number | null): Series[] =>
    [...history.entries()].map(([run, h]) => ({ label: `${run} (${settingOf.get(run) ?? ""})`, color: COLORS[run], points: h.filter((m) => f(m) !== null).map((m) => [m.epoch, f(m)!] as const) }));
  lineChart($<SVGSVGElement & HTMLElement>("loss-chart") as unknown as SVGSVGElement, "training loss (cross-entropy)", series((m) => m.loss), epochsPlanned, (v) => v.toFixed(2));
  lineChart($<HTMLElement>("error-chart") as unknown as SVGSVGElement, "one-shot test error", series((m) => m.testError1), epochsPlanned, (v) => `${(100 * v).toFixed(0)}%`);
}

function addEpochRow(run: RunId, m: EpochMetrics): void {
  const tr = document.createElement("tr");
  tr.dataset.run = run;
  tr.dataset.epoch = String(m.epoch);
  const cells: Array<[string, string, number | null]> = [
    ["run", run, null],
    ["epoch", String(m.epoch), m.epoch],
    ["loss", m.loss.toFixed(5), m.loss],
    ["trainError", pct(m.trainError), m.trainError],
    ["testError1", m.testError1 === null ? "–" : pct(m.testError1), m.testError1],
    ["seconds", m.seconds.toFixed(2), m.seconds],
  ];
  for (const [name, text, value] of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.field = name;
    if (value !== null) td.dataset.value = String(value);
    tr.append(td);
  }
  $("epoch-table").querySelector("tbody")!.append(tr);
}

function resultRow(run: RunId): HTMLTableRowElement {
  const body = $("results").querySelector("tbody")!;
  let tr = body.querySelector<HTMLTableRowElement>(`tr[data-run="${run}"]`);
  if (!tr) {
    tr = document.createElement("tr");
    tr.dataset.run = run;
    for (const f of ["run", "setting", "epochs", "oneShot", "kShot", "hash"]) {
      const td = document.createElement("td");
      td.dataset.field = f;
      if (f === "hash") td.className = "hash";
      tr.append(td);
    }
    tr.querySelector('[data-field="run"]')!.textContent = run;
    body.append(tr);
  }
  return tr;
}

function setCell(tr: HTMLTableRowElement, field: string, text: string, value?: number | string): void {
  const td = tr.querySelector<HTMLElement>(`[data-field="${field}"]`)!;
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
}

function showError(message: string): void {
  $("error").textContent = message;
}

function setRunning(on: boolean): void {
  running = on;
  paused = false;
  $<HTMLButtonElement>("train").disabled = on;
  $<HTMLButtonElement>("pause").disabled = !on;
  $<HTMLButtonElement>("stop").disabled = !on;
  $("pause").textContent = "Pause";
  document.body.dataset.state = on ? "training" : "idle";
}

function onMessage(m: FromWorker): void {
  switch (m.kind) {
    case "ready":
      $("threads").textContent = m.isolated
        ? `${m.threads} threads (cross-origin isolated: SharedArrayBuffer available)`
        : "1 thread (not cross-origin isolated; serve with `nq playground` for threads)";
      $("threads").dataset.threads = String(m.threads);
      break;
    case "dataProgress":
      $<HTMLProgressElement>("data-progress").max = m.total || m.loaded;
      $<HTMLProgressElement>("data-progress").value = m.loaded;
      $("data-status").textContent = `digits: ${(m.loaded / 1e6).toFixed(1)} of ${(m.total / 1e6).toFixed(1)} MB`;
      break;
    case "data":
      $("data-status").textContent = `data: ${m.name}, ${m.images} images of ${m.inputSize} pixels, ${m.classes} classes`;
      $<HTMLButtonElement>("train").disabled = running;
      document.body.dataset.data = "ready";
      break;
    case "start":
      $("progress-text").textContent = `${m.run}: starting ${m.epochs} epochs`;
      break;
    case "batch":
      $("progress-text").textContent = `${m.run}: epoch ${m.epoch + 1}, batch ${m.batch} of ${m.batches}`;
      break;
    case "epoch": {
      const h = history.get(m.run) ?? [];
      h.push(m.metrics);
      history.set(m.run, h);
      addEpochRow(m.run, m.metrics);
      redrawCharts();
      const tr = resultRow(m.run);
      setCell(tr, "epochs", String(m.metrics.epoch), m.metrics.epoch);
      if (m.metrics.testError1 !== null) setCell(tr, "oneShot", pct(m.metrics.testError1), m.metrics.testError1);
      break;
    }
    case "evaluated": {
      const tr = resultRow(m.run);
      if (!history.has(m.run)) settingOf.set(m.run, "loaded file");
      setCell(tr, "setting", settingOf.get(m.run) ?? "");
      setCell(tr, "epochs", String(m.epochs), m.epochs);
      setCell(tr, "oneShot", `${pct(m.result.oneShot)} ± ${pct(m.result.oneShotStderr)}`, m.result.oneShot);
      setCell(tr, "kShot", `${pct(m.result.kShot)} ± ${pct(m.result.kShotStderr)} (k = ${m.result.shots})`, m.result.kShot);
      setCell(tr, "hash", m.weightsHash.slice(0, 16) + "…", m.weightsHash);
      tr.dataset.done = "true";
      if (m.run === "chosen") $<HTMLButtonElement>("download").disabled = false;
      break;
    }
    case "paused":
      break;
    case "finished":
      setRunning(false);
      $("progress-text").textContent = m.stopped ? "stopped" : "done";
      document.body.dataset.state = m.stopped ? "stopped" : "done";
      break;
    case "inspection":
      drawInspection(m);
      break;
    case "weights": {
      const url = URL.createObjectURL(new Blob([m.text], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = "weights.json";
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      break;
    }
    case "bench":
      $("progress-text").textContent = `bench: one epoch of 784-512-512-512-10 on ${m.trainSize} images in ${m.epochSeconds.toFixed(3)} s (${m.threads} threads)`;
      $("progress-text").dataset.benchSeconds = String(m.epochSeconds);
      break;
    case "error":
      showError(m.message);
      if (running) setRunning(false);
      break;
  }
}

function drawInspection(m: Extract<FromWorker, { kind: "inspection" }>): void {
  const canvas = $<HTMLCanvasElement>("digit");
  const side = Math.round(Math.sqrt(m.image.length));
  canvas.width = canvas.height = side;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = 255 - Math.round(255 * m.image[i]);
    img.data.set([v, v, v, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  const votes = Array.from(m.votes);
  barChart($<HTMLElement>("votes") as unknown as SVGSVGElement, `votes of ${votes.reduce((s, v) => s + v, 0)} shots (true: ${m.label}, green)`, votes, m.label);
  const shots = m.angle.length, cols = Math.min(64, m.width);
  // Angle in (-2pi, 2pi): |angle| folded to [0, pi], blue (0, |0>) to red (pi, |1>).
  const ramp = (t: number) => `rgb(${Math.round(40 + 200 * t)},${Math.round(80 + 40 * (1 - Math.abs(2 * t - 1)))},${Math.round(220 - 180 * t)})`;
  const angleColor = (v: number) => ramp(Math.min(1, Math.abs(Math.atan2(Math.sin(v), Math.cos(v))) / Math.PI));
  const angles: ColourScale = { kind: "gradient", color: ramp, stops: [[0, "0 (|0⟩)"], [0.5, "π/2"], [1, "π (|1⟩)"]] };
  const outcomes: ColourScale = { kind: "swatches", items: [["#1d2330", "+1"], ["#dfe3ee", "−1"]] };
  heatmap($<HTMLElement>("map-angle") as unknown as SVGSVGElement, `layer ${m.layer}: measurement angle`, shots, cols, (r, c) => angleColor(m.angle[r][c]), angles);
  heatmap($<HTMLElement>("map-outcome") as unknown as SVGSVGElement, "outcome", shots, cols, (r, c) => (m.outcome[r][c] > 0 ? "#1d2330" : "#dfe3ee"), outcomes);
  heatmap($<HTMLElement>("map-carried") as unknown as SVGSVGElement, m.projective ? "carried state (projective layer: 0 or π)" : "carried state (partially collapsed, Model 2)", shots, cols, (r, c) => angleColor(m.carried[r][c]), angles);
  $("inspection").dataset.ready = "true";
}

worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
worker.onerror = (e) => showError(`training worker failed: ${e.message}`);

for (const b of document.querySelectorAll<HTMLButtonElement>("[data-preset]")) {
  b.addEventListener("click", () => {
    const p = PRESETS[b.dataset.preset!];
    input("a").value = String(p.a);
    input("g").value = formatAngle(p.g);
  });
}

$("train").addEventListener("click", () => {
  showError("");
  let s: RunSettings;
  try {
    s = readSettings();
  } catch (e) {
    showError((e as Error).message);
    return;
  }
  const compare = input("compare").checked;
  history.clear();
  settingOf.clear();
  settingOf.set("chosen", describe("chosen", s));
  if (compare) settingOf.set("classical", describe("classical", s));
  epochsPlanned = s.epochs;
  $("epoch-table").querySelector("tbody")!.replaceChildren();
  for (const tr of $("results").querySelectorAll('tbody tr:not([data-run="loaded"])')) tr.remove();
  for (const run of settingOf.keys()) setCell(resultRow(run as RunId), "setting", settingOf.get(run as RunId)!);
  redrawCharts();
  setControl(CONTROL_RUN);
  setRunning(true);
  send({ kind: "train", settings: s, compare });
});

$("pause").addEventListener("click", () => {
  // The page's state changes at once: a worker held between batches cannot answer until resumed.
  paused = !paused;
  $("pause").textContent = paused ? "Resume" : "Pause";
  setControl(paused ? CONTROL_PAUSE : CONTROL_RUN);
  send({ kind: paused ? "pause" : "resume" });
});

$("stop").addEventListener("click", () => {
  setControl(CONTROL_STOP);
  send({ kind: "stop" });
});

$("inspect").addEventListener("click", () => {
  showError("");
  try {
    const s = readSettings();
    send({
      kind: "inspect",
      run: $<HTMLSelectElement>("inspect-run").value as RunId,
      image: Number(input("inspect-image").value),
      layer: Number(input("inspect-layer").value),
      shots: s.shots,
      seed: s.seed,
    });
  } catch (e) {
    showError((e as Error).message);
  }
});

$("download").addEventListener("click", () => send({ kind: "exportWeights", run: "chosen" }));

input("upload").addEventListener("change", async () => {
  const file = input("upload").files?.[0];
  if (!file) return;
  showError("");
  try {
    send({ kind: "loadWeights", name: file.name, text: await file.text(), settings: readSettings() });
  } catch (e) {
    showError((e as Error).message);
  }
});

$("bundled").addEventListener("click", () => send({ kind: "bundled" }));

const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const files: IdxFile[] = [];
  for (const f of Array.from(e.dataTransfer?.files ?? [])) files.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  send({ kind: "idx", files });
});

// For scripted use (the speed measurement): one epoch of nq bench's network.
(window as unknown as { nqBench: (trainSize: number) => void }).nqBench = (trainSize: number) => send({ kind: "bench", trainSize });

send({ kind: "init", control: control ? (control.buffer as SharedArrayBuffer) : null, digitsUrl: new URL("digits.bin", document.baseURI).href });
redrawCharts();
