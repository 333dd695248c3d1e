interface Row {
  backend: string;
  a: number;
  g: number;
  shots: number;
  testError1: number;
  testError1Stderr: number;
  testErrorK: number;
  testErrorKStderr: number;
  width: number;
  depth: number;
  epochs?: number;
  trainSeconds?: number;
  evalSeconds?: number;
}

const pct = (p: number, se: number) => `${(100 * p).toFixed(2)} ± ${(100 * se).toFixed(2)}%`;

/** The human result table of nq train / nq eval. */
export function formatTable(rows: readonly Row[]): string {
  const header = ["backend", "network", "a", "g", "epochs", "1-shot error", "k-shot error", "train s", "eval s"];
  const body = rows.map((r) => [
    r.backend,
    `${r.width}x${r.depth - 1} qubits`,
    String(r.a),
    r.g === Math.PI / 2 ? "pi/2" : r.g.toFixed(4),
    r.epochs === undefined ? "-" : String(r.epochs),
    pct(r.testError1, r.testError1Stderr),
    `${pct(r.testErrorK, r.testErrorKStderr)} (k=${r.shots})`,
    r.trainSeconds === undefined ? "-" : r.trainSeconds.toFixed(1),
    r.evalSeconds === undefined ? "-" : r.evalSeconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
