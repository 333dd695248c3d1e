// Small SVG charts (no charting library: a few lines and bars redrawn per epoch).
const NS = "http://www.w3.org/2000/svg";

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [x: number, y: number]>;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / p) * p;
}

/** A text whose label is squeezed to at most `max` user units when it would be wider (never clipped). */
function fitted(attrs: Record<string, string | number>, label: string, max: number): SVGTextElement {
  const t = el("text", attrs, label);
  // getComputedTextLength needs the element in a rendered document; callers append first.
  queueMicrotask(() => {
    if (t.isConnected && t.getComputedTextLength() > max) {
      t.setAttribute("textLength", String(max));
      t.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  });
  return t;
}

/**
 * Lines of y against x (epochs), y from 0. The legend sits between the title and the plot, one
 * row per series, so it never covers a line and is never cut off at the edge.
 */
export function lineChart(svg: SVGSVGElement, title: string, series: readonly Series[], xMax: number, yFormat: (y: number) => string): void {
  const W = 420, L = 52, R = 12, B = 30, ROW = 14;
  const T = 30 + ROW * series.length;
  const H = T + 170 + B;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const yMax = niceMax(Math.max(0, ...ys));
  const x = (v: number) => L + ((W - L - R) * (v - 1)) / Math.max(1, xMax - 1);
  const y = (v: number) => H - B - ((H - T - B) * v) / yMax;
  svg.append(el("text", { x: L, y: 16, class: "chart-title" }, title));
  series.forEach((s, i) => {
    const top = 24 + i * ROW;
    const g = el("g", { class: "legend-entry" });
    g.append(el("line", { x1: L, x2: L + 16, y1: top + 5, y2: top + 5, stroke: s.color, "stroke-width": 2 }));
    g.append(el("circle", { cx: L + 8, cy: top + 5, r: 3, fill: s.color }));
    g.append(fitted({ x: L + 22, y: top + 9, class: "tick" }, s.label, W - R - L - 22));
    svg.append(g);
  });
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: L - 6, y: y(v) + 4, class: "tick", "text-anchor": "end" }, yFormat(v)));
  }
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let e = 1; e <= xMax; e += step) svg.append(el("text", { x: x(e), y: H - B + 16, class: "tick", "text-anchor": "middle" }, String(e)));
  svg.append(el("text", { x: W - R, y: H - 2, class: "tick", "text-anchor": "end" }, "epoch"));
  for (const s of series) {
    if (s.points.length === 0) continue;
    svg.append(el("polyline", { points: s.points.map(([px, py]) => `${x(px)},${y(py)}`).join(" "), fill: "none", stroke: s.color, "stroke-width": 2 }));
    for (const [px, py] of s.points) svg.append(el("circle", { cx: x(px), cy: y(py), r: 3, fill: s.color }));
  }
}

/** Vertical bars, one per class. */
export function barChart(svg: SVGSVGElement, title: string, values: ArrayLike<number>, highlight: number): void {
  const W = 260, H = 160, L = 24, T = 34, B = 22;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.append(el("text", { x: 4, y: 14, class: "chart-title" }, title));
  const max = Math.max(1, ...Array.from(values));
  const bw = (W - L - 4) / values.length;
  for (let c = 0; c < values.length; c++) {
    const h = ((H - T - B) * values[c]) / max;
    svg.append(el("rect", { x: L + c * bw + 2, y: H - B - h, width: bw - 4, height: h, class: c === highlight ? "bar bar-true" : "bar" }));
    svg.append(el("text", { x: L + c * bw + bw / 2, y: H - 6, class: "tick", "text-anchor": "middle" }, String(c)));
    if (values[c] > 0) svg.append(el("text", { x: L + c * bw + bw / 2, y: H - B - h - 3, class: "tick", "text-anchor": "middle" }, String(values[c])));
  }
}

/** How a heat map's colours read: a continuous scale with labelled stops, or named swatches. */
export type ColourScale =
  | { readonly kind: "gradient"; readonly color: (t: number) => string; readonly stops: ReadonlyArray<readonly [t: number, label: string]> }
  | { readonly kind: "swatches"; readonly items: ReadonlyArray<readonly [color: string, label: string]> };

let gradients = 0;

/** A shots x qubits grid of colours (one row per shot), with its colour scale to the right. */
export function heatmap(svg: SVGSVGElement, title: string, rows: number, cols: number, color: (r: number, c: number) => string, scale: ColourScale): void {
  const cell = Math.max(3, Math.min(12, Math.floor(560 / cols)));
  const T = 18, GAP = 14, KEY = 120;
  const gridW = cols * cell;
  const W = Math.max(gridW + GAP + KEY, 200), H = Math.max(T + rows * cell, T + 40);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("width", String(W));
  svg.append(el("text", { x: 0, y: 12, class: "chart-title" }, title));
  const cells = el("g", { class: "cells" });
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) cells.append(el("rect", { x: c * cell, y: T + r * cell, width: cell, height: cell, fill: color(r, c) }));
  }
  svg.append(cells);
  const key = el("g", { class: "colour-scale", "data-role": "colour-scale", transform: `translate(${gridW + GAP},${T})` });
  if (scale.kind === "gradient") {
    const id = `scale-${++gradients}`;
    const gradient = el("linearGradient", { id, x1: 0, x2: 1, y1: 0, y2: 0 });
    for (let i = 0; i <= 10; i++) gradient.append(el("stop", { offset: i / 10, "stop-color": scale.color(i / 10) }));
    const defs = el("defs", {});
    defs.append(gradient);
    key.append(defs, el("rect", { x: 0, y: 0, width: KEY - 10, height: 10, fill: `url(#${id})` }));
    for (const [t, label] of scale.stops) {
      const x = t * (KEY - 10);
      key.append(el("line", { x1: x, x2: x, y1: 10, y2: 13, stroke: "#444" }));
      key.append(el("text", { x, y: 23, class: "tick", "text-anchor": t === 0 ? "start" : t === 1 ? "end" : "middle" }, label));
    }
  } else {
    scale.items.forEach(([fill, label], i) => {
      key.append(el("rect", { x: 0, y: i * 14, width: 10, height: 10, fill, stroke: "#999", "stroke-width": 0.5 }));
      key.append(el("text", { x: 14, y: i * 14 + 9, class: "tick" }, label));
    });
  }
  svg.append(key);
}
