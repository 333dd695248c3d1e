/**
 * IBM's heavy-hex lattice: long rows of qubits coupled in a line, joined by short rows of
 * "bridge" qubits, each coupled to one qubit of the row above and one of the row below, at
 * columns 0, 4, 8, 12 and 2, 6, 10, 14 alternately. Qubits are numbered row by row: a long row,
 * then the bridges below it (IBM's numbering for Eagle and Heron r1).
 */
export interface HeavyHexSpec {
  /** Columns [first, last] of each long row (at most 15 columns, 0..14). */
  readonly rows: readonly (readonly [number, number])[];
  /** Whether a short row of bridges hangs below the last long row (Heron r1 has one). */
  readonly trailingBridges: boolean;
}

/** Undirected edges [a, b], a < b, of the lattice, and its qubit count. */
export function heavyHexEdges(spec: HeavyHexSpec): { numQubits: number; edges: [number, number][] } {
  const edges: [number, number][] = [];
  const rowIndex: Map<number, number>[] = [];
  let next = 0;
  const pendingBridges: { qubit: number; column: number }[] = [];
  spec.rows.forEach(([first, last], r) => {
    const index = new Map<number, number>();
    for (let col = first; col <= last; col++) {
      index.set(col, next);
      if (col > first) edges.push([next - 1, next]);
      next++;
    }
    rowIndex.push(index);
    // Bridges from the row above land on this row.
    for (const b of pendingBridges.splice(0)) {
      const q = index.get(b.column);
      if (q === undefined) throw new Error(`heavy-hex: no qubit at column ${b.column} of row ${r}`);
      edges.push([b.qubit, q].sort((x, y) => x - y) as [number, number]);
    }
    if (r < spec.rows.length - 1 || spec.trailingBridges) {
      const anchors = r % 2 === 0 ? [0, 4, 8, 12] : [2, 6, 10, 14];
      for (const column of anchors) {
        const above = index.get(column);
        if (above === undefined) throw new Error(`heavy-hex: no qubit at column ${column} of row ${r}`);
        edges.push([above, next]);
        pendingBridges.push({ qubit: next, column });
        next++;
      }
      if (r === spec.rows.length - 1) pendingBridges.length = 0;
    }
  });
  return { numQubits: next, edges: edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]) };
}

/** Eagle (127 qubits): seven long rows, the first without column 14, the last without column 0. */
export const EAGLE_LATTICE: HeavyHexSpec = {
  rows: [[0, 13], [0, 14], [0, 14], [0, 14], [0, 14], [0, 14], [1, 14]],
  trailingBridges: false,
};

/** Heron r1 (133 qubits): seven full long rows and a short row of four bridges below the last. */
export const HERON_R1_LATTICE: HeavyHexSpec = {
  rows: [[0, 14], [0, 14], [0, 14], [0, 14], [0, 14], [0, 14], [0, 14]],
  trailingBridges: true,
};
