import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "@natural-quantization/core";
import { writeFileAtomic, writeJsonAtomic } from "@natural-quantization/core/node";
import { computeFindings, type Advantage, type CriticalG, type CurveFindings, type Findings, type Metric, type PointStat } from "./findings.js";
import { expandCells, formatG } from "./grid.js";
import { buildPlots, describeSettings, svgToPng, writePlots, type Plot } from "./plots.js";
import { readManifest, readRecords, readTiming, type CellRecord, type SweepManifest, type TimingRun } from "./runner.js";
import { summarize, type SummaryRow } from "./summary.js";

export interface SoftwareInfo {
  readonly name: string;
  readonly version: string;
  readonly commit: string | null;
  readonly node: string;
}

/** The sweep package's name and version, and the git commit of its checkout when there is one. */
export function softwareInfo(): SoftwareInfo {
  const pkgPath = fileURLToPath(new URL("../package.json", import.meta.url));
  let name = "@natural-quantization/sweep";
  let version = "unknown";
  try {
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { name?: string; version?: string };
    name = pkg.name ?? name;
    version = pkg.version ?? version;
  } catch {
    // an unusual install layout: report the version as unknown rather than fail the report
  }
  let commit: string | null = null;
  try {
    const opts = { cwd: dirname(pkgPath), encoding: "utf8" as const, stdio: ["ignore", "pipe", "ignore"] as ["ignore", "pipe", "ignore"], timeout: 5000 };
    commit = execFileSync("git", ["rev-parse", "HEAD"], opts).trim();
    if (execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], opts).trim() !== "") commit += " (with uncommitted changes)";
  } catch {
    commit = null; // not a git checkout, or no git
  }
  return { name, version, commit, node: process.version };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pc = (v: number, digits = 2) => `${(100 * v).toFixed(digits)}%`;
const pp = (v: number) => `${(100 * v).toFixed(2)}`;
const gText = (g: number) => formatG(g).replace("pi/2", "π/2");
const metricName = (m: Metric, shots: number) => (m === "oneShot" ? "one-shot" : `${shots}-shot`);
const where = (p: { a: number; g: number }, along: "a" | "g") => (along === "a" ? `a = ${p.a}` : `g = ${gText(p.g)}`);
const stat = (p: PointStat) => `${pc(p.mean)} ± ${pc(p.std)} (std over ${p.n} seed${p.n === 1 ? "" : "s"}; standard error ${pc(p.se)})`;
const adv = (d: Advantage) => `${pp(d.difference)} ± ${pp(d.se)} percentage points (${Number.isFinite(d.z) ? `${d.z.toFixed(1)} standard errors` : "no spread"})`;

/** The paper's claim for a curve, judged at two standard errors. */
function verdict(f: CurveFindings, regime: string): string {
  if (!f.advantage || !f.bestQuantum) return "cannot be judged: the curve lacks the classical point or a quantum point";
  if (f.advantage.difference <= 0) return `not observed: no setting with ${regime} beats the classical network`;
  if (f.advantage.z < 2) return `inconclusive: the best setting with ${regime} is lower, but by less than two standard errors`;
  return `observed: the minimum lies at ${regime}, below the classical error by more than two standard errors`;
}

function gcText(gc: CriticalG, chance: number): string {
  if (gc.value === null) {
    return `not observed: scanning down in g from the minimum, the error does not reach the halfway threshold ${pc(gc.threshold)} (between the minimum and chance ${pc(chance, 0)}) within the grid`;
  }
  const bs = Number.isNaN(gc.bootstrapStd) ? "bootstrap spread not available" : `bootstrap std ${gc.bootstrapStd.toFixed(3)}, crossing present in ${(100 * gc.bootstrapObserved).toFixed(0)}% of resamples`;
  return `g_c ≈ ${gc.value.toFixed(3)} ± ${gc.uncertainty.toFixed(3)} rad: the error crosses ${pc(gc.threshold)} between g = ${gText(gc.bracket![0])} and g = ${gText(gc.bracket![1])} (grid resolution ± ${gc.resolution.toFixed(3)}, ${bs})`;
}

/**
 * The advantage as report.html states it: classical minus the best quantum setting, naming both
 * settings, so that it is never read as measured against the overall best (which may be classical).
 */
function advantageText(c: CurveFindings, along: "a" | "g"): string {
  const classical = c.classical ? `classical ${pc(c.classical.mean)}` : "classical n/a";
  const quantum = c.bestQuantum ? `best quantum ${where(c.bestQuantum, along)} ${pc(c.bestQuantum.mean)}` : "best quantum n/a";
  return `${classical}; ${quantum}; advantage (classical − best quantum) ${c.advantage ? adv(c.advantage) : "n/a"}`;
}

/** Findings as plain-text lines (for the terminal), one block per curve and metric. */
export function findingsLines(f: Findings, shots: number): string[] {
  const lines: string[] = [];
  for (const m of ["kShot", "oneShot"] as const) {
    const name = metricName(m, shots);
    const mf = f[m];
    if (mf.model1) {
      const c = mf.model1;
      lines.push(`Model 1 (${name}): best ${where(c.best, "a")} ${pc(c.best.mean)}; ${advantageText(c, "a")}`);
    }
    if (mf.model2) {
      const c = mf.model2;
      lines.push(`Model 2 (${name}): best ${where(c.best, "g")} ${pc(c.best.mean)}; ${advantageText(c, "g")}; ${c.gc.value === null ? "g_c not observed" : `g_c ≈ ${c.gc.value.toFixed(3)} ± ${c.gc.uncertainty.toFixed(3)}`}`);
    }
  }
  return lines;
}

function curveHtml(c: CurveFindings, model: 1 | 2, m: Metric, shots: number, chance: number, gc?: CriticalG): string {
  const along = c.curve.along;
  const regime = model === 1 ? "a > 0" : "g < π/2";
  const items = [
    `<li>Best ${esc(where(c.best, along))}: ${esc(stat(c.best))}.</li>`,
    c.classical ? `<li>Classical (a = 0, g = π/2): ${esc(stat(c.classical))}.</li>` : "<li>Classical point (a = 0, g = π/2): not in this curve.</li>",
    c.bestQuantum ? `<li>Best quantum setting (${esc(regime)}): ${esc(where(c.bestQuantum, along))}, ${esc(stat(c.bestQuantum))}.</li>` : "",
    c.advantage ? `<li>Advantage, classical − best quantum: <b>${esc(adv(c.advantage))}</b>.</li>` : "",
    `<li>Paper's claim (minimum inside the quantum regime, below the classical error): <b>${esc(verdict(c, regime))}</b>.</li>`,
    gc ? `<li>Critical angle: <b>${esc(gcText(gc, chance))}</b>.</li>` : "",
  ];
  const fixed = along === "a" ? `g = ${gText(c.curve.fixed)}` : `a = ${c.curve.fixed}`;
  return `<h3>Model ${model}: error against ${along} at ${fixed}, ${metricName(m, shots)} error</h3>\n<ul>${items.filter(Boolean).join("\n")}</ul>`;
}

function findingsHtml(f: Findings, shots: number): string {
  const parts: string[] = [];
  for (const m of ["kShot", "oneShot"] as const) {
    const mf = f[m];
    if (mf.model1) parts.push(curveHtml(mf.model1, 1, m, shots, f.chance));
    if (mf.model2) parts.push(curveHtml(mf.model2, 2, m, shots, f.chance, mf.model2.gc));
  }
  if (parts.length === 0) parts.push("<p>No curve: a curve needs two or more values of a at one g, or of g at one a.</p>");
  const method = f.kShot.model2?.gc.method;
  return [
    ...parts,
    `<p class="note">Errors are test error rates; ± is the standard deviation over seeds unless marked as a standard error. The standard error of a setting is std/√n over n ≥ 2 seeds, else the binomial √(p(1−p)/N) of its one run; the advantage's is √(se_classical² + se_best²). The best point of a grid is biased low by the selection; read small advantages with that in mind. Chance error: ${pc(f.chance, 1)} (${f.numClasses} classes).${method ? ` g_c: ${esc(method)}.` : ""}</p>`,
  ].join("\n");
}

function tableHtml(rows: readonly SummaryRow[], records: readonly CellRecord[], shots: number): string {
  const head = ["a", "g (rad)", "seeds", "one-shot error", `${shots}-shot error`, "train s / cell"];
  const body = rows.map((r) => {
    const recs = records.filter((x) => x.a === r.a && x.g === r.g);
    const secs = recs.reduce((s, x) => s + x.trainSeconds, 0) / Math.max(1, recs.length);
    const cls = r.a === 0 && r.g === Math.PI / 2 ? ' class="classical"' : "";
    return `<tr${cls}><td>${r.a}</td><td>${esc(gText(r.g))}</td><td>${r.n}</td><td>${pc(r.oneShot.mean)} ± ${pc(r.oneShot.std)}</td><td>${pc(r.kShot.mean)} ± ${pc(r.kShot.std)}</td><td>${secs.toFixed(1)}</td></tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>\n${body.join("\n")}\n</tbody></table>\n<p class="note">mean ± std over seeds; the classical row is highlighted. The same numbers as fractions: summary.csv; every run: results.json.</p>`;
}

function timeText(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${(s / 3600).toFixed(2)} h` : s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function runsHtml(runs: readonly TimingRun[], records: readonly CellRecord[]): string {
  const wall = runs.reduce((s, r) => s + r.wallSeconds, 0);
  const compute = records.reduce((s, r) => s + r.trainSeconds + r.evalSeconds, 0);
  const machines = [...new Set(runs.map((r) => `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, ${r.machine.os}, node ${r.machine.node}`))];
  const rows = runs.map(
    (r) => `<tr><td>${esc(r.started)}</td><td>${timeText(r.wallSeconds)}</td><td>${r.cellsRun}</td><td>${r.jobs} × ${r.threads}</td><td><code>${esc(["nq", ...r.argv].join(" "))}</code></td></tr>`,
  );
  return [
    `<p>Total wall time ${timeText(wall)} over ${runs.length} invocation${runs.length === 1 ? "" : "s"}; training and evaluation time summed over cells ${timeText(compute)}.</p>`,
    `<p>Machine${machines.length === 1 ? "" : "s"}: ${machines.map(esc).join("; ") || "not recorded"}.</p>`,
    runs.length > 0 ? `<table><thead><tr><th>started</th><th>wall time</th><th>cells run</th><th>jobs × threads</th><th>command</th></tr></thead><tbody>${rows.join("")}</tbody></table>` : "",
  ].join("\n");
}

function configHtml(m: SweepManifest): string {
  const s = m.settings;
  const rows: Array<[string, string]> = [
    ["backend", s.backend],
    ["dataset", `${m.datasetName} (${s.trainSize ?? "all"} training, ${s.testSize ?? "all"} test images, ${m.numClasses} classes)`],
    ["network", `${s.depth} linear layers, ${s.depth - 1} hidden qubit layers of ${s.width}, ${s.bias ? "with" : "no"} biases, target ${s.activation}`],
    ["training", `${s.epochs} epochs, SGD lr ${s.lr}, momentum ${s.momentum}, batch ${s.batch}`],
    ["evaluation", `one-shot and ${s.shots}-shot majority vote`],
    ["preset", m.preset ?? "none"],
    ...m.grids.map((g): [string, string] => [`grid "${g.name}"`, `a ∈ {${g.a.join(", ")}} × g ∈ {${g.g.map(gText).join(", ")}} × seeds {${g.seeds.join(", ")}}`]),
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>\n<details><summary>sweep.json</summary><pre>${esc(JSON.stringify(m, null, 2))}</pre></details>`;
}

const CSS = `body{font-family:"DejaVu Sans",Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;font-size:.92em}
tr.classical{background:#fff4d6}.note{color:#555;font-size:.9em}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}
pre{background:#f6f6f6;padding:.8em;overflow:auto;font-size:.85em}code{font-size:.9em}.warn{background:#fff0f0;border:1px solid #e0b0b0;padding:.5em}`;

export interface ReportInput {
  readonly manifest: SweepManifest;
  readonly records: readonly CellRecord[];
  readonly cellsTotal: number;
  readonly rows: readonly SummaryRow[];
  readonly findings: Findings;
  readonly plots: readonly Plot[];
  readonly svgs: ReadonlyMap<string, string>;
  readonly runs: readonly TimingRun[];
  readonly software: SoftwareInfo;
  readonly generated: Date;
}

/** The self-contained HTML report (SVG figures inline). */
export function reportHtml(r: ReportInput): string {
  const { manifest: m, records, findings } = r;
  const shots = m.settings.shots;
  const backends = [...new Set(records.map((x) => x.backend))].join(", ");
  const partial =
    records.length < r.cellsTotal
      ? `<p class="warn">Partial sweep: ${records.length} of ${r.cellsTotal} cells finished. Re-run the sweep command on this directory to finish it, then <code>nq report</code> again.</p>`
      : "";
  const figures = r.plots
    .map((p) => `<figure>${(r.svgs.get(p.name) ?? "").replace(/^<\?xml[^>]*>\s*/, "")}<figcaption>${esc(p.title)}: plots/${p.name}.svg, plots/${p.name}.png</figcaption></figure>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nq sweep report: ${esc(m.preset ?? describeSettings(m.settings))}</title><style>${CSS}</style></head>
<body>
<h1>Natural quantization: sweep report</h1>
<p>Test error of qubit-neuron networks (arXiv:2503.15482) against quantumness a (Model 1) and entanglement angle g (Model 2). ${esc(describeSettings(m.settings))}; ${records.length} runs.</p>
${partial}
<h2>Findings</h2>
${findingsHtml(findings, shots)}
<h2>Figures</h2>
${figures || "<p>No figure: the sweep has no curve along a or g.</p>"}
<h2>Results per setting</h2>
${tableHtml(r.rows, records, shots)}
<h2>Configuration</h2>
${configHtml(m)}
<h2>Software and machine</h2>
<p>${esc(r.software.name)} ${esc(r.software.version)}, commit ${esc(r.software.commit ?? "unknown (not a git checkout)")}; backend ${esc(backends || m.settings.backend)}; report made with node ${esc(r.software.node)} on ${esc(r.generated.toISOString())}.</p>
${runsHtml(r.runs, records)}
</body></html>
`;
}

export interface ReportResult {
  readonly path: string;
  readonly findings: Findings;
  readonly rows: readonly SummaryRow[];
  readonly records: readonly CellRecord[];
  readonly cellsTotal: number;
  readonly plots: readonly string[];
}

/**
 * Regenerates the figures (plots/*.svg, *.png) and report.html of a sweep directory from its
 * files, and findings.json with the numbers the report states.
 */
export async function writeReport(dir: string, options: { png?: boolean } = {}): Promise<ReportResult> {
  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`${dir} is not a sweep directory (no sweep.json); run nq sweep --out ${dir} first`);
  const cells = expandCells(manifest.grids);
  const records = readRecords(dir, cells);
  if (records.length === 0) throw new UserError(`${dir} has no finished cells yet; run or resume the sweep first`);
  const rows = summarize(records);
  const findings = computeFindings(rows, manifest.numClasses);
  const plots = buildPlots({ settings: manifest.settings, rows, records, findings });
  const svgs = await writePlots(dir, plots, { png: false });
  const html = reportHtml({ manifest, records, cellsTotal: cells.length, rows, findings, plots, svgs, runs: readTiming(dir), software: softwareInfo(), generated: new Date() });
  const path = join(dir, "report.html");
  writeFileAtomic(path, html);
  writeJsonAtomic(join(dir, "findings.json"), findings);
  // PNGs last: they need a font, and everything else is written whether or not there is one.
  if (options.png !== false) for (const p of plots) writeFileAtomic(join(dir, "plots", `${p.name}.png`), svgToPng(svgs.get(p.name)!));
  return { path, findings, rows, records, cellsTotal: cells.length, plots: plots.map((p) => p.name) };
}
