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

/** Lines of y against x (epochs), y from 0, with a legend. */
export function lineChart(svg: SVGSVGElement, title: string, series: readonly Series[], xMax: number, yFormat: (y: number) => string): void {
  const W = 420, H = 220, L = 52, R = 12, T = 28, B = 30;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const yMax = niceMax(Math.max(0, ...ys));
  const x = (v: number) => L + ((W - L - R) * (v - 1)) / Math.max(1, xMax - 1);
  const y = (v: number) => H - B - ((H - T - B) * v) / yMax;
  svg.append(el("text", { x: L, y: 16, class: "chart-title" }, title));
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: L - 6, y: y(v) + 4, class: "tick", "text-anchor": "end" }, yFormat(v)));
  }
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let e = 1; e <= xMax; e += step) svg.append(el("text", { x: x(e), y: H - B + 16, class: "tick", "text-anchor": "middle" }, String(e)));
  svg.append(el("text", { x: W - R, y: H - 2, class: "tick", "text-anchor": "end" }, "epoch"));
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      svg.append(el("polyline", { points: s.points.map(([px, py]) => `${x(px)},${y(py)}`).join(" "), fill: "none", stroke: s.color, "stroke-width": 2 }));
      for (const [px, py] of s.points) svg.append(el("circle", { cx: x(px), cy: y(py), r: 3, fill: s.color }));
    }
    svg.append(el("rect", { x: W - R - 150, y: T + 2 + i * 16, width: 10, height: 10, fill: s.color }));
    svg.append(el("text", { x: W - R - 136, y: T + 11 + i * 16, class: "tick" }, s.label));
  });
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

/** A shots x qubits grid of colours: one row per shot. */
export function heatmap(svg: SVGSVGElement, title: string, rows: number, cols: number, color: (r: number, c: number) => string): void {
  const cell = Math.max(3, Math.min(12, Math.floor(560 / cols)));
  const T = 18;
  const W = cols * cell, H = T + rows * cell;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${Math.max(W, 200)} ${H}`);
  svg.setAttribute("width", String(Math.max(W, 200)));
  svg.append(el("text", { x: 0, y: 12, class: "chart-title" }, title));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) svg.append(el("rect", { x: c * cell, y: T + r * cell, width: cell, height: cell, fill: color(r, c) }));
  }
}
