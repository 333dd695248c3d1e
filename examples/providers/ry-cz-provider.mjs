// A contributed device provider, written as a third party would: one module, no change to the
// hardware package or the CLI, no dependency at all. It runs the network on
//
//   nq eval --backend hardware --provider ./examples/providers/ry-cz-provider.mjs --weights w.json
//
// "ry-cz" is a made-up device whose native gates are ry, rz and cz on 8 fully connected qubits.
// It brings its own gate set (a compiler named "ry-cz" that its target names, registered when the
// plugin is loaded) and runs the OpenQASM 2 it is sent on its own small state-vector simulator,
// shots drawn from a seeded generator. It passes the provider conformance suite
// (packages/hardware/test/conformance.test.ts loads it by this path).

const PI = Math.PI;
const NUM_QUBITS = 8;

/** An angle of a circuit: radians, or { param, scale, offset } in a parameterised template. */
const scale = (a, k) => (typeof a === "number" ? a * k : { param: a.param, scale: a.scale * k, offset: a.offset * k });

/**
 * The ry-cz gate set (each rule equal up to global phase; circuit order):
 *   h = rz(pi); ry(pi/2)        x = rz(pi); ry(pi)
 *   rx(t) = rz(pi/2); ry(t); rz(-pi/2)     sx = rx(pi/2)     sxdg = rx(-pi/2)
 *   cx c,t = h t; cz c,t; h t   cry(t) c,t = ry(t/2) t; cz c,t; ry(-t/2) t; cz c,t
 */
function rules(op) {
  const q = op.qubit;
  switch (op.op) {
    case "h":
      return [{ op: "rz", qubit: q, angle: PI }, { op: "ry", qubit: q, angle: PI / 2 }];
    case "x":
      return [{ op: "rz", qubit: q, angle: PI }, { op: "ry", qubit: q, angle: PI }];
    case "rx":
      return [{ op: "rz", qubit: q, angle: PI / 2 }, { op: "ry", qubit: q, angle: op.angle }, { op: "rz", qubit: q, angle: -PI / 2 }];
    case "sx":
      return rules({ op: "rx", qubit: q, angle: PI / 2 });
    case "sxdg":
      return rules({ op: "rx", qubit: q, angle: -PI / 2 });
    case "cx":
      return [{ op: "h", qubit: op.target }, { op: "cz", control: op.control, target: op.target }, { op: "h", qubit: op.target }];
    case "cry":
      return [
        { op: "ry", qubit: op.target, angle: scale(op.angle, 0.5) },
        { op: "cz", control: op.control, target: op.target },
        { op: "ry", qubit: op.target, angle: scale(op.angle, -0.5) },
        { op: "cz", control: op.control, target: op.target },
      ];
    default:
      throw new Error(`the ry-cz gate set cannot express ${op.op}`);
  }
}

const NATIVE = new Set(["ry", "rz", "cz", "measure", "barrier"]);

export const ryCzCompiler = {
  name: "ry-cz",
  description: "ry, rz and cz (any pair)",
  compile(circuit) {
    const ops = [];
    const emit = (op) => (NATIVE.has(op.op) ? ops.push(op) : rules(op).forEach(emit));
    circuit.ops.forEach(emit);
    return { ...circuit, ops };
  },
};

function target(numQubits = NUM_QUBITS) {
  const couplingMap = [];
  for (let a = 0; a < numQubits; a++) for (let b = 0; b < numQubits; b++) if (a !== b) couplingMap.push([a, b]);
  return {
    name: `ry-cz-${numQubits}`,
    numQubits,
    basisGates: ["ry", "rz", "cz"],
    gateSet: "ry-cz",
    repDelay: null,
    couplingMap,
    qubits: Array.from({ length: numQubits }, () => ({ t1: null, t2: null, readoutP01: 0, readoutP10: 0, readoutDuration: null })),
    instructions: [],
  };
}

const capabilities = {
  format: "qasm2",
  nativeGatesOnly: true,
  parameterBindings: false,
  maxPubsPerJob: 2000,
  maxExecutionsPerJob: 1_000_000,
  maxBytesPerJob: Number.POSITIVE_INFINITY,
  maxShots: 100_000,
  noise: false,
};

/** One OpenQASM 2 program of the ry-cz gate set, parsed: qubits, classical bits, gates, measurements. */
function parse(text, p) {
  const program = { qubits: 0, clbits: 0, gates: [], measures: [] };
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines[0] !== "OPENQASM 2.0;") throw new Error(`pubs[${p}]: not an OpenQASM 2.0 program (its first line must be "OPENQASM 2.0;")`);
  for (const [i, line] of lines.slice(1).entries()) {
    let m;
    if (line === 'include "qelib1.inc";' || line.startsWith("barrier ")) continue;
    if ((m = /^qreg q\[(\d+)\];$/.exec(line))) program.qubits = Number(m[1]);
    else if ((m = /^creg c\[(\d+)\];$/.exec(line))) program.clbits = Number(m[1]);
    else if ((m = /^(ry|rz)\(([-+0-9.e]+)\) q\[(\d+)\];$/.exec(line))) program.gates.push({ op: m[1], angle: Number(m[2]), qubit: Number(m[3]) });
    else if ((m = /^cz q\[(\d+)\],q\[(\d+)\];$/.exec(line))) program.gates.push({ op: "cz", control: Number(m[1]), target: Number(m[2]) });
    else if ((m = /^measure q\[(\d+)\] -> c\[(\d+)\];$/.exec(line))) program.measures.push({ qubit: Number(m[1]), clbit: Number(m[2]) });
    else throw new Error(`pubs[${p}] line ${i + 2}: "${line.slice(0, 40)}" is not in the ry-cz gate set (ry, rz, cz, measure, barrier)`);
  }
  if (program.qubits < 1 || program.qubits > NUM_QUBITS) throw new Error(`pubs[${p}]: qreg q[${program.qubits}] must have 1 to ${NUM_QUBITS} qubits`);
  return program;
}

/** Outcome probabilities over the 2^n basis states (bit k of the index is qubit k). */
function probabilities(program) {
  const size = 1 << program.qubits;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re[0] = 1;
  for (const g of program.gates) {
    if (g.op === "cz") {
      const both = (1 << g.control) | (1 << g.target);
      for (let i = 0; i < size; i++) if ((i & both) === both) (re[i] = -re[i]), (im[i] = -im[i]);
      continue;
    }
    const bit = 1 << g.qubit;
    const c = Math.cos(g.angle / 2);
    const s = Math.sin(g.angle / 2);
    for (let i = 0; i < size; i++) {
      if (i & bit) continue;
      const j = i | bit;
      if (g.op === "ry") {
        const [ar, ai, br, bi] = [re[i], im[i], re[j], im[j]];
        re[i] = c * ar - s * br;
        im[i] = c * ai - s * bi;
        re[j] = s * ar + c * br;
        im[j] = s * ai + c * bi;
      } else {
        // rz(t) = diag(e^{-it/2}, e^{it/2})
        const [ar, ai, br, bi] = [re[i], im[i], re[j], im[j]];
        re[i] = c * ar + s * ai;
        im[i] = c * ai - s * ar;
        re[j] = c * br - s * bi;
        im[j] = c * bi + s * br;
      }
    }
  }
  return Array.from(re, (r, i) => r * r + im[i] * im[i]);
}

/** A small seeded generator (mulberry32): the same seed, the same shots. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class RyCzProvider {
  name = "ry-cz";
  capabilities = capabilities;
  #random;
  #jobs = 0;

  #qubits;

  constructor(seed = 0, qubits = NUM_QUBITS) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed is ${seed}; give an integer from 0 to 4294967295`);
    if (!Number.isInteger(qubits) || qubits < 2 || qubits > NUM_QUBITS) throw new Error(`ry-cz-qubits is ${qubits}; give an integer from 2 to ${NUM_QUBITS}`);
    this.#random = generator(seed);
    this.#qubits = qubits;
  }

  async target() {
    return target(this.#qubits);
  }

  async run(job, options = {}) {
    if (!Number.isInteger(job.shots) || job.shots < 1 || job.shots > capabilities.maxShots) throw new Error(`shots is ${job.shots}; give an integer from 1 to ${capabilities.maxShots}`);
    if (job.pubs.length === 0) throw new Error("the job has no Pubs; give at least one");
    const jobId = `ry-cz-${this.#jobs++}`;
    options.onStatus?.({ jobId, status: "Running" });
    const results = job.pubs.map((pub, p) => {
      if (pub.bindings !== null) throw new Error(`pubs[${p}] has parameter bindings, which ry-cz does not take; bind the values into the program`);
      const program = parse(pub.program, p);
      if (program.clbits !== pub.clbits) throw new Error(`pubs[${p}].clbits is ${pub.clbits}; the program's creg has ${program.clbits}`);
      const cumulative = [];
      probabilities(program).reduce((sum, x, i) => (cumulative[i] = sum + x), 0);
      const total = cumulative[cumulative.length - 1];
      const shots = [];
      for (let s = 0; s < job.shots; s++) {
        const u = this.#random() * total;
        const state = Math.max(0, cumulative.findIndex((c) => u < c));
        const bits = new Uint8Array(pub.clbits);
        for (const m of program.measures) bits[m.clbit] = (state >> m.qubit) & 1;
        shots.push(bits);
      }
      return [shots];
    });
    options.onStatus?.({ jobId, status: "Completed" });
    return results;
  }
}

/** The plugin `--provider ./examples/providers/ry-cz-provider.mjs` loads. */
export const provider = {
  name: "ry-cz",
  description: "an example device with native ry, rz and cz, simulated in this file (noise-free, seeded shots)",
  options: [
    { name: "seed", value: "n", description: "seed of the shots (an unsigned 32-bit integer)", required: false },
    // An option of its own: the CLI offers it as --ry-cz-qubits and hands its value over in settings.options.
    { name: "ry-cz-qubits", value: "n", description: `qubits of the made-up device, 2 to ${NUM_QUBITS} (default ${NUM_QUBITS})`, required: false },
  ],
  targets: { source: "builtin", gateSet: "ry-cz", known: [{ name: "ry-cz-8", description: "8 fully connected, noise-free qubits" }] },
  capabilities,
  costModel: {
    unit: "circuit executions",
    paid: false,
    confirmAbove: Number.POSITIVE_INFINITY,
    description: "free: executions are counted for the record",
    estimate: ({ job }) => job.pubs.length * job.shots,
  },
  compilers: [ryCzCompiler],
  create: (settings) => {
    const qubits = settings.options?.["ry-cz-qubits"];
    return new RyCzProvider(settings.seed ?? 0, qubits === undefined ? NUM_QUBITS : Number(qubits));
  },
};
