// The noise study's figure: its legend must show a line sample for each readout, one-shot solid
// and k-shot dashed, like the lines; `--replot` redraws it from results.json alone.
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { plotSpec, type NoiseStudyRow } from "../src/noise-study.js";
import { renderSvg } from "@natural-quantization/sweep";
import { nq } from "./helpers.js";

const docs = fileURLToPath(new URL("../../../docs/hardware-16/noise-study/", import.meta.url));

/** The strokeDash legend's entries: label, stroke and dash array of each symbol. */
function dashLegend(svg: string): Array<{ label: string; stroke: string | null; dash: string | null }> {
  const legend = svg.split('aria-label="Symbol legend for strokeDash')[1];
  expect(legend, "the figure has a legend for the line styles").toBeDefined();
  const entries = [...legend.matchAll(/role-legend-symbol"[^>]*><path ([^>]*)\/>[\s\S]*?role-legend-label"[^>]*><text[^>]*>([^<]+)</g)];
  return entries.map((m) => ({ label: m[2], stroke: /stroke="([^"]+)"/.exec(m[1])?.[1] ?? null, dash: /stroke-dasharray="([^"]+)"/.exec(m[1])?.[1] ?? null }));
}

const solid = (dash: string | null) => dash === null || dash === "1,0";

describe("the noise study's plot", () => {
  const work = mkdtempSync(join(tmpdir(), "nq-noise-plot-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("has a stroked line sample in the legend for one-shot (solid) and 15-shot (dashed)", async () => {
    const rows = (JSON.parse(readFileSync(join(docs, "results.json"), "utf8")) as { rows: NoiseStudyRow[] }).rows;
    const legend = dashLegend(await renderSvg(plotSpec(rows, "eagle-like device noise", 15)));
    expect(legend.map((e) => e.label)).toEqual(["one-shot", "15-shot"]);
    for (const e of legend) expect(e.stroke, `${e.label} has a visible line sample`).not.toBeNull();
    expect(solid(legend[0].dash)).toBe(true);
    expect(solid(legend[1].dash)).toBe(false);
  });

  it("nq noise-study --replot redraws the figure from results.json (no cells needed), with that legend", () => {
    const dir = join(work, "sweep");
    cpSync(docs, join(dir, "noise-study"), { recursive: true });
    rmSync(join(dir, "noise-study", "plots"), { recursive: true });
    const r = nq(["noise-study", dir, "--replot"]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(join(dir, "noise-study", "plots", "error-vs-a-noise.svg"), "utf8");
    expect(svg).toContain("eagle-like device noise");
    expect(dashLegend(svg).map((e) => [e.label, e.stroke !== null, solid(e.dash)])).toEqual([["one-shot", true, true], ["15-shot", true, false]]);
    expect(readFileSync(join(dir, "noise-study", "plots", "error-vs-a-noise.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("the README's figure is the current plot of docs/hardware-16's data", async () => {
    const svg = readFileSync(join(docs, "plots", "error-vs-a-noise.svg"), "utf8");
    expect(dashLegend(svg).every((e) => e.stroke !== null)).toBe(true);
  });
});
