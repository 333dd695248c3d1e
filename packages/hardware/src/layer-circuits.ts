import { ConfigError, DataError, HALF_PI, isProjective, qubitNeuron, type NeuronModel } from "@natural-quantization/core";
import type { Angle, Circuit, Operation } from "./circuit.js";
import type { Target } from "./target.js";
import { couplerError, deviceHealth, isAvoidedCoupler, readoutError, usableQubits, type DeviceHealth } from "./device-health.js";

/**
 * The circuits of one hidden layer on a device.
 *
 * A *unit* is one (sample, neuron) of the layer; units come in row-major (sample, neuron) order,
 * each with its rotation angle alpha + theta. A *block* is one circuit holding as many units side
 * by side as the target has room for; slot i of a block is the i-th unit in it.
 *
 * Bit order, stated once: in a block, classical bit c[i] is the outcome of slot i (the neuron
 * qubit for g = pi/2, the ancilla for g < pi/2), and outcome 0 means m' = +1, outcome 1 m' = -1.
 *
 * The gates of each unit are the neuron model's (NeuronModel.gates), placed on the unit's
 * physical qubits; for the built-in model:
 * - g = pi/2 (Model 1 and every last hidden layer): neuron `ry(angle)`, `c[i] = measure neuron`.
 * - g < pi/2 (Model 2): neuron `ry(angle)`, then the weak measurement through an ancilla on a
 *   coupled qubit: ancilla `ry(pi/2 - g)`, `cry(2g)` neuron -> ancilla, `c[i] = measure ancilla`.
 * The weak form "cz" (the default) rewrites an ancilla's `ry(a)`, `cry(t)` into the equal
 * `ry(-t/2)`, `cz`, `ry(a + t/2)` (one two-qubit gate instead of two after compilation).
 */
export type WeakForm = "cz" | "cry";

export interface LayerLayout {
  readonly target: string;
  /** Width of every block circuit: the target's qubit count (physical indices). */
  readonly numQubits: number;
  /** Entanglement angle of the layer's read-out. */
  readonly g: number;
  /** True for g = pi/2: the neuron itself is measured and no ancilla is used. */
  readonly projective: boolean;
  readonly weakForm: WeakForm;
  /** neuronQubits[i]: physical qubit of slot i's neuron. Its length is the units per block. */
  readonly neuronQubits: readonly number[];
  /** ancillaQubits[i]: physical qubit of slot i's ancilla (coupled to its neuron); empty when projective. */
  readonly ancillaQubits: readonly number[];
  /** The target's qubits and couplers this layout does not use because they are faulty or read out poorly, with the reasons. */
  readonly avoided: DeviceHealth;
}

export interface LayoutOptions {
  /** At most this many units per block (the authors used 96 qubits of 127). */
  readonly maxUnitsPerBlock?: number;
  /** Use only these physical qubits (e.g. to avoid bad ones); default all. */
  readonly qubits?: readonly number[];
  /** Circuit form of the weak measurement; default "cz". */
  readonly weakForm?: WeakForm;
  /** Qubits whose readout error is above this are not used (default DEFAULT_MAX_READOUT_ERROR, 0.1; see device-health.ts). */
  readonly maxReadoutError?: number;
}

/**
 * Places a block's units on a target: one qubit per unit, or a coupled neuron/ancilla pair per unit.
 * Faulty qubits and couplers, and qubits that read out poorly, are left out (see `avoided`). Slots
 * come best first: slot 0 is the qubit with the smallest readout error, or the pair with the
 * smallest two-qubit error plus ancilla readout error, so a block with fewer units than slots (and
 * `maxUnitsPerBlock` below the device's room) uses the best ones.
 */
export function planLayer(target: Target, g: number, options: LayoutOptions = {}): LayerLayout {
  if (!Number.isFinite(g) || g < 0 || g > HALF_PI) throw new ConfigError("g", g, "0 <= g <= pi/2");
  const max = options.maxUnitsPerBlock ?? Number.POSITIVE_INFINITY;
  if (!(max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1))) throw new ConfigError("maxUnitsPerBlock", max, "an integer >= 1");
  const allowed = options.qubits ?? Array.from({ length: target.numQubits }, (_, i) => i);
  for (const q of allowed) {
    if (!Number.isInteger(q) || q < 0 || q >= target.numQubits) {
      throw new ConfigError("qubits", q, `integers 0..${target.numQubits - 1} (target ${target.name})`);
    }
  }
  const avoided = deviceHealth(target, options.maxReadoutError);
  const usable = usableQubits(target, avoided, allowed);
  const projective = isProjective(g);
  const base = { target: target.name, numQubits: target.numQubits, g, projective, weakForm: options.weakForm ?? "cz", avoided };
  const readout = (q: number) => readoutError(target, q);
  if (projective) {
    const neuronQubits = [...usable].sort((a, b) => readout(a) - readout(b) || a - b).slice(0, max);
    if (neuronQubits.length === 0) {
      throw new ConfigError("target", target.name, `at least one usable qubit (all ${avoided.avoidedQubits.length} avoided: faulty or readout error above ${avoided.maxReadoutError})`);
    }
    return { ...base, neuronQubits, ancillaQubits: [] };
  }
  const pairs = coupledPairs(target, usable, isAvoidedCoupler(avoided), max);
  if (pairs.length === 0) {
    throw new ConfigError("target", target.name, "a coupling map with at least one pair of usable coupled qubits (g < pi/2 needs an ancilla)");
  }
  return { ...base, neuronQubits: pairs.map((p) => p[0]), ancillaQubits: pairs.map((p) => p[1]) };
}

/**
 * [neuron, ancilla] pairs on working couplers between usable qubits, no qubit in two pairs, best first.
 *
 * As many pairs as possible: a maximum matching of the usable coupling graph. Greedy first: the
 * qubit with the fewest free neighbours is matched to its neighbour with the fewest free
 * neighbours; when the graph is bipartite (heavy-hex lattices are), augmenting paths then grow it
 * to a maximum matching (Kuhn's algorithm). When `max` is below that size, the pairs are instead
 * picked cheapest first (two-qubit error plus ancilla readout error), falling back to the best of
 * the maximum matching if that greedy pick runs short. The ancilla (the measured qubit) is the
 * pair's qubit with the smaller readout error; the one-CZ form is symmetric and the compiler
 * orients directed native gates (ecr, cx) along the coupling map.
 */
function coupledPairs(target: Target, usable: ReadonlySet<number>, deadCoupler: (a: number, b: number) => boolean, max: number): [number, number][] {
  const neighbours = new Map<number, number[]>();
  const listed = new Set<string>();
  for (const [a, b] of target.couplingMap) {
    if (a === b || !usable.has(a) || !usable.has(b) || deadCoupler(a, b)) continue;
    listed.add(`${a},${b}`);
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const list = neighbours.get(x) ?? [];
      if (!list.includes(y)) list.push(y);
      neighbours.set(x, list);
    }
  }
  for (const list of neighbours.values()) list.sort((x, y) => x - y);
  const readout = (q: number) => readoutError(target, q);
  const gateError = couplerError(target);
  // Orientation [neuron, ancilla]: the better reader measures; on a tie, the direction the map lists.
  const orient = (a: number, b: number): [number, number] => {
    if (readout(a) !== readout(b)) return readout(a) < readout(b) ? [b, a] : [a, b];
    return listed.has(`${a},${b}`) ? [a, b] : [b, a];
  };
  const cost = ([n, anc]: readonly [number, number]) => gateError(n, anc) + readout(anc);
  const bestFirst = (pairs: [number, number][]) => pairs.sort((x, y) => cost(x) - cost(y) || x[0] - y[0] || x[1] - y[1]);

  const maximum = bestFirst(pairsOf(maximumMatching(neighbours)).map(([a, b]) => orient(a, b)));
  if (max >= maximum.length) return maximum;
  const cheapest = bestFirst(pairsOf(cheapestFirstMatching(neighbours, (a, b) => cost(orient(a, b)))).map(([a, b]) => orient(a, b)));
  return (cheapest.length >= max ? cheapest : maximum).slice(0, max);
}

function pairsOf(mate: ReadonlyMap<number, number>): [number, number][] {
  const pairs: [number, number][] = [];
  for (const [a, b] of mate) if (a < b) pairs.push([a, b]);
  return pairs;
}

/** Greedy by cost: the cheapest edge whose ends are both free, repeatedly (a maximal matching). */
function cheapestFirstMatching(neighbours: ReadonlyMap<number, readonly number[]>, cost: (a: number, b: number) => number): Map<number, number> {
  const edges: [number, number, number][] = [];
  for (const [a, list] of neighbours) for (const b of list) if (a < b) edges.push([a, b, cost(a, b)]);
  edges.sort((x, y) => x[2] - y[2] || x[0] - y[0] || x[1] - y[1]);
  const mate = new Map<number, number>();
  for (const [a, b] of edges) {
    if (mate.has(a) || mate.has(b)) continue;
    mate.set(a, b);
    mate.set(b, a);
  }
  return mate;
}

/** Greedy fewest-free-neighbours matching, grown to a maximum one by augmenting paths when the graph is bipartite. */
function maximumMatching(neighbours: ReadonlyMap<number, readonly number[]>): Map<number, number> {
  const mate = new Map<number, number>();
  const free = (q: number): boolean => !mate.has(q);
  const freeDegree = (q: number): number => neighbours.get(q)!.filter(free).length;
  for (;;) {
    let best = -1;
    let bestDegree = Number.POSITIVE_INFINITY;
    for (const q of [...neighbours.keys()].sort((x, y) => x - y)) {
      if (!free(q)) continue;
      const d = freeDegree(q);
      if (d > 0 && d < bestDegree) [best, bestDegree] = [q, d];
    }
    if (best < 0) break;
    let partner = -1;
    let partnerDegree = Number.POSITIVE_INFINITY;
    for (const n of neighbours.get(best)!) {
      if (!free(n)) continue;
      const d = freeDegree(n);
      if (d < partnerDegree) [partner, partnerDegree] = [n, d];
    }
    mate.set(best, partner);
    mate.set(partner, best);
  }
  const colour = twoColouring(neighbours);
  if (colour) augmentToMaximum(neighbours, colour, mate);
  return mate;
}

/** A 2-colouring of the graph, or null when it has an odd cycle. */
function twoColouring(neighbours: ReadonlyMap<number, readonly number[]>): Map<number, 0 | 1> | null {
  const colour = new Map<number, 0 | 1>();
  for (const start of neighbours.keys()) {
    if (colour.has(start)) continue;
    colour.set(start, 0);
    const queue = [start];
    while (queue.length > 0) {
      const q = queue.shift()!;
      for (const n of neighbours.get(q)!) {
        if (!colour.has(n)) {
          colour.set(n, colour.get(q) === 0 ? 1 : 0);
          queue.push(n);
        } else if (colour.get(n) === colour.get(q)) return null;
      }
    }
  }
  return colour;
}

/** Kuhn's augmenting paths from each free colour-0 vertex: a maximum matching of a bipartite graph. */
function augmentToMaximum(neighbours: ReadonlyMap<number, readonly number[]>, colour: ReadonlyMap<number, 0 | 1>, mate: Map<number, number>): void {
  const tryAugment = (u: number, visited: Set<number>): boolean => {
    for (const v of neighbours.get(u)!) {
      if (visited.has(v)) continue;
      visited.add(v);
      const w = mate.get(v);
      if (w === undefined || tryAugment(w, visited)) {
        mate.set(u, v);
        mate.set(v, u);
        return true;
      }
    }
    return false;
  };
  for (const u of [...colour.keys()].sort((x, y) => x - y)) {
    if (colour.get(u) === 0 && !mate.has(u)) tryAugment(u, new Set());
  }
}

export function unitsPerBlock(layout: LayerLayout): number {
  return layout.neuronQubits.length;
}

/** The part of a neuron model the circuits come from. */
export type NeuronGates = Pick<NeuronModel, "gates">;

/** The built-in model's gates (they depend only on the angle and g). */
export const BUILTIN_GATES: NeuronGates = qubitNeuron.create({ a: 0, g: HALF_PI, activation: "tanh" });

/** One block with the given slot angles (length <= units per block); slot i reads into c[i]. */
function blockCircuit(layout: LayerLayout, angles: readonly Angle[], numParams: number, model: NeuronGates): Circuit {
  const ops: Operation[] = [];
  const measures: Operation[] = [];
  angles.forEach((angle, i) => {
    const place = (q: "neuron" | "ancilla"): number => {
      if (q === "neuron") return layout.neuronQubits[i];
      if (layout.projective) throw new ConfigError("g", layout.g, "below pi/2 for a neuron model whose read-out uses an ancilla (a layout without ancillas was planned)");
      return layout.ancillaQubits[i];
    };
    const unit: Operation[] = [];
    for (const gate of model.gates<Angle>(angle, layout.g)) {
      if (gate.op === "measure") measures.push({ op: "measure", qubit: place(gate.qubit), clbit: i });
      else if (gate.op === "ry") unit.push({ op: "ry", qubit: place(gate.qubit), angle: gate.angle });
      else unit.push({ op: "cry", control: place(gate.control), target: place(gate.target), angle: gate.angle });
    }
    ops.push(...(layout.weakForm === "cz" ? czForm(unit) : unit));
  });
  return { numQubits: layout.numQubits, numClbits: angles.length, ops: [...ops, ...measures], ...(numParams > 0 ? { numParams } : {}) };
}

/**
 * A fresh qubit's `ry(a)` followed by `cry(t)` onto it becomes `ry(-t/2)`, `cz`, `ry(a + t/2)`: the same
 * state (control 0: ry(a); control 1: ry(a + t)) with one CZ instead of a controlled rotation.
 */
function czForm(unit: readonly Operation[]): Operation[] {
  const out: Operation[] = [];
  for (let k = 0; k < unit.length; k++) {
    const [a, b] = [unit[k], unit[k + 1]];
    const touched = (q: number) => unit.slice(0, k).some((op) => "qubit" in op ? op.qubit === q : "target" in op && (op.target === q || op.control === q));
    if (a.op === "ry" && b?.op === "cry" && b.target === a.qubit && typeof a.angle === "number" && typeof b.angle === "number" && !touched(a.qubit)) {
      out.push({ op: "ry", qubit: a.qubit, angle: -b.angle / 2 }, { op: "cz", control: b.control, target: b.target }, { op: "ry", qubit: a.qubit, angle: a.angle + b.angle / 2 });
      k++;
    } else out.push(a);
  }
  return out;
}

/** The parameterised block: slot i's neuron turns by ry(p[i]). Bind it with rows from {@link layerBindings}. */
export function layerTemplate(layout: LayerLayout, model: NeuronGates = BUILTIN_GATES): Circuit {
  const n = unitsPerBlock(layout);
  const angles: Angle[] = Array.from({ length: n }, (_, i) => ({ param: i, scale: 1, offset: 0 }));
  return blockCircuit(layout, angles, n, model);
}

/**
 * One binding row per block for {@link layerTemplate}: row b holds the angles of units
 * b*U .. b*U+U-1 (U = units per block). The last row is padded with 0 (|0>, outcome 0); those
 * slots' bits are ignored by {@link unpackOutcomes}.
 */
export function layerBindings(layout: LayerLayout, angles: Float64Array): number[][] {
  checkAngles(angles);
  const u = unitsPerBlock(layout);
  const rows: number[][] = [];
  for (let start = 0; start < angles.length; start += u) {
    const row = Array.from(angles.subarray(start, Math.min(start + u, angles.length)));
    while (row.length < u) row.push(0);
    rows.push(row);
  }
  return rows;
}

/** Concrete block circuits (for providers without parameter bindings); the last holds only the remaining units. */
export function layerCircuits(layout: LayerLayout, angles: Float64Array, model: NeuronGates = BUILTIN_GATES): Circuit[] {
  checkAngles(angles);
  const u = unitsPerBlock(layout);
  const circuits: Circuit[] = [];
  for (let start = 0; start < angles.length; start += u) {
    circuits.push(blockCircuit(layout, Array.from(angles.subarray(start, Math.min(start + u, angles.length))), 0, model));
  }
  return circuits;
}

/**
 * Per-unit outcomes m' (+1 or -1) in unit order, from one shot's classical bits per block
 * (blockBits[b][i] = c[i] of block b; longer registers, e.g. a padded last row, are cut).
 */
export function unpackOutcomes(layout: LayerLayout, numUnits: number, blockBits: readonly ArrayLike<number>[]): Int8Array {
  const u = unitsPerBlock(layout);
  const blocks = Math.ceil(numUnits / u);
  if (blockBits.length !== blocks) throw new DataError(`expected the bits of ${blocks} blocks for ${numUnits} units, got ${blockBits.length}`);
  const out = new Int8Array(numUnits);
  for (let b = 0; b < blocks; b++) {
    const bits = blockBits[b];
    const inBlock = Math.min(u, numUnits - b * u);
    if (bits.length < inBlock) throw new DataError(`block ${b} has ${bits.length} bits, needs ${inBlock}`);
    for (let i = 0; i < inBlock; i++) {
      const bit = bits[i];
      if (bit !== 0 && bit !== 1) throw new DataError(`block ${b} bit ${i} is ${bit}, expected 0 or 1`);
      out[b * u + i] = bit === 0 ? 1 : -1;
    }
  }
  return out;
}

export interface LayerCost {
  readonly units: number;
  readonly unitsPerBlock: number;
  /** Block circuits to run (= binding rows of the one template, or concrete circuits). */
  readonly blocks: number;
  /** Physical qubits a block touches (1 per unit, 2 with an ancilla). */
  readonly qubitsPerBlock: number;
  /** Native two-qubit gates per full block after compilation: 1 per unit in the cz form, 2 in the cry form. */
  readonly twoQubitGatesPerBlock: number;
  /** Distinct programs: 1 template with bindings, or `blocks` concrete circuits. */
  readonly programsWithBindings: number;
  readonly programsWithoutBindings: number;
}

export function layerCost(layout: LayerLayout, numUnits: number): LayerCost {
  if (!Number.isInteger(numUnits) || numUnits < 0) throw new ConfigError("numUnits", numUnits, "an integer >= 0");
  const u = unitsPerBlock(layout);
  const blocks = Math.ceil(numUnits / u);
  return {
    units: numUnits,
    unitsPerBlock: u,
    blocks,
    qubitsPerBlock: layout.projective ? u : 2 * u,
    twoQubitGatesPerBlock: layout.projective ? 0 : (layout.weakForm === "cry" ? 2 : 1) * u,
    programsWithBindings: blocks > 0 ? 1 : 0,
    programsWithoutBindings: blocks,
  };
}

function checkAngles(angles: Float64Array): void {
  for (let i = 0; i < angles.length; i++) {
    if (!Number.isFinite(angles[i])) throw new ConfigError(`angles[${i}]`, angles[i], "a finite number of radians");
  }
}
