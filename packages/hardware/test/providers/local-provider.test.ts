import { describe, expect, it } from "vitest";
import { CapabilityError, ConfigError, DataError } from "@natural-quantization/core";
import { LocalProvider } from "../../src/providers/local-provider.js";
import { importQasm2, type ImportedProgram } from "../../src/providers/qasm2-import.js";
import { splitIntoComponents, wholeProgram, type QubitComponent } from "../../src/providers/qubit-components.js";
import { outcomeDistribution } from "../../src/providers/outcome-distribution.js";
import { countOnes, expectBinomial, expectChiSquare, outcomeIndex } from "./stats.js";

const header = (qubits: number, clbits: number) =>
  `OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[${qubits}];\ncreg c[${clbits}];\n`;

const SHOTS = 4000;

describe("local provider: outcome frequencies against closed forms (false-alarm rate 1e-6 per check)", () => {
  it("ry(theta) then measure: P(0) = cos^2(theta/2)", async () => {
    const provider = new LocalProvider({ seed: 11 });
    const thetas = [0, 0.4, Math.PI / 3, 1.9, Math.PI, 2.8];
    const pubs = thetas.map((t) => ({ program: `${header(1, 1)}ry(${t}) q[0];\nmeasure q[0] -> c[0];\n`, clbits: 1, bindings: null }));
    const result = await provider.run({ pubs, shots: SHOTS });
    thetas.forEach((t, i) => {
      const p1 = 1 - Math.cos(t / 2) ** 2;
      expectBinomial(countOnes(result[i][0], 0), SHOTS, p1, `ry(${t})`);
    });
  });

  it("weak measurement through an ancilla: P(ancilla 0) = (1 + sin g cos alpha) / 2", async () => {
    const provider = new LocalProvider({ seed: 12 });
    const cases = [
      { alpha: 0.3, g: 0.5 },
      { alpha: 2.2, g: 1.1 },
      { alpha: 1.0, g: Math.PI / 2 },
      { alpha: Math.PI, g: 0.2 },
    ];
    const pubs = cases.map(({ alpha, g }) => ({
      program: `${header(2, 1)}ry(${alpha}) q[0];\nry(${Math.PI / 2 - g}) q[1];\ncry(${2 * g}) q[0],q[1];\nmeasure q[1] -> c[0];\n`,
      clbits: 1,
      bindings: null,
    }));
    const result = await provider.run({ pubs, shots: SHOTS });
    cases.forEach(({ alpha, g }, i) => {
      const p0 = (1 + Math.sin(g) * Math.cos(alpha)) / 2;
      expectBinomial(countOnes(result[i][0], 0), SHOTS, 1 - p0, `alpha ${alpha}, g ${g}`);
    });
  });

  it("bit order: element i of a shot is c[i], whatever qubit is measured into it", async () => {
    const provider = new LocalProvider({ seed: 13 });
    const program = `${header(3, 4)}x q[1];\nry(1.2) q[0];\nmeasure q[1] -> c[0];\nmeasure q[2] -> c[1];\nmeasure q[0] -> c[3];\n`;
    const [[shots]] = await provider.run({ pubs: [{ program, clbits: 4, bindings: null }], shots: SHOTS });
    expect(countOnes(shots, 0)).toBe(SHOTS); // q[1] after x
    expect(countOnes(shots, 1)).toBe(0); // q[2] untouched
    expect(countOnes(shots, 2)).toBe(0); // nothing measured into c[2]
    expectBinomial(countOnes(shots, 3), SHOTS, Math.sin(0.6) ** 2, "ry(1.2) into c[3]");
  });
});

/** Exact joint distribution over the classical register (index bit i = c[i]) from components. */
function jointDistribution(program: ImportedProgram, components: readonly QubitComponent[]): Float64Array {
  let joint = new Float64Array(1 << program.numClbits);
  joint[0] = 1;
  for (const component of components) {
    const p = outcomeDistribution(component);
    const next = new Float64Array(joint.length);
    for (let base = 0; base < joint.length; base++) {
      if (joint[base] === 0) continue;
      for (let o = 0; o < p.length; o++) {
        let index = base;
        component.measured.forEach((q, k) => {
          for (const m of program.measurements) if (m.qubit === q) index = (index & ~(1 << m.clbit)) | (((o >> k) & 1) << m.clbit);
        });
        next[index] += joint[base] * p[o];
      }
    }
    joint = next;
  }
  return joint;
}

describe("local provider: simulating qubit groups separately", () => {
  const program = `${header(6, 6)}ry(0.7) q[0];\ncx q[0],q[3];\nry(1.3) q[1];\nry(2.1) q[4];\ncz q[1],q[4];\nsx q[4];\nrx(0.9) q[2];\nry(0.4) q[5];\ncry(1.7) q[5],q[2];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\nmeasure q[2] -> c[2];\nmeasure q[3] -> c[3];\nmeasure q[4] -> c[4];\nmeasure q[5] -> c[5];\n`;

  it("finds the connected components", () => {
    const components = splitIntoComponents(importQasm2(program));
    expect(components.map((c) => c.qubits)).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  it("gives exactly the distribution of the whole program simulated at once", () => {
    const imported = importQasm2(program);
    const split = jointDistribution(imported, splitIntoComponents(imported));
    const whole = jointDistribution(imported, wholeProgram(imported));
    for (let i = 0; i < whole.length; i++) expect(split[i]).toBeCloseTo(whole[i], 12);
  });

  it("draws shots whose frequencies match the whole program's distribution (chi-square)", async () => {
    const whole = jointDistribution(importQasm2(program), wholeProgram(importQasm2(program)));
    const [[shots]] = await new LocalProvider({ seed: 14 }).run({ pubs: [{ program, clbits: 6, bindings: null }], shots: 20_000 });
    const counts = new Array<number>(64).fill(0);
    for (const s of shots) counts[outcomeIndex(s)]++;
    expectChiSquare(counts, Array.from(whole), "split sampling vs whole program");
  });
});

describe("local provider: reproducibility and errors", () => {
  const pub = { program: `${header(2, 2)}ry(1.1) q[0];\nh q[1];\nmeasure q[0] -> c[0];\nmeasure q[1] -> c[1];\n`, clbits: 2, bindings: null };

  it("a seeded run is reproducible, another seed differs", async () => {
    const a = await new LocalProvider({ seed: 5 }).run({ pubs: [pub], shots: 200 });
    const b = await new LocalProvider({ seed: 5 }).run({ pubs: [pub], shots: 200 });
    const c = await new LocalProvider({ seed: 6 }).run({ pubs: [pub], shots: 200 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("rejects what it cannot run with one-line errors", async () => {
    const p = new LocalProvider();
    await expect(p.run({ pubs: [{ ...pub, program: `${header(1, 1)}ry(0.3 q[0];\n` }], shots: 1 })).rejects.toThrow(DataError);
    await expect(p.run({ pubs: [{ ...pub, program: `${header(1, 1)}foo q[0];\n` }], shots: 1 })).rejects.toThrow(/gate "foo"/);
    await expect(p.run({ pubs: [{ ...pub, bindings: [[0.1]] }], shots: 1 })).rejects.toThrow(CapabilityError);
    await expect(p.run({ pubs: [{ ...pub, clbits: 3 }], shots: 1 })).rejects.toThrow(ConfigError);
    await expect(p.run({ pubs: [pub], shots: 0 })).rejects.toThrow(/invalid shots: 0/);
    const midCircuit = `${header(1, 1)}measure q[0] -> c[0];\nx q[0];\n`;
    await expect(p.run({ pubs: [{ ...pub, program: midCircuit, clbits: 1 }], shots: 1 })).rejects.toThrow(/after it was measured/);
  });
});
