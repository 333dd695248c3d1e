import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARIA_CHARACTERIZATION, builtinTarget, depolarizingPart, loadTarget, noiseFromTarget, resolveTarget, targetFromIbm, writeTarget, type Target } from "../src/index.js";
import { loadFixtureBackend } from "./providers/ibm-test-server.js";

const dir = mkdtempSync(join(tmpdir(), "nq-targets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeAndPath(t: Target): string {
  const path = join(dir, `${t.name}.json`);
  writeTarget(path, t);
  return path;
}

function undirectedEdges(t: Target): Set<string> {
  return new Set(t.couplingMap.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)));
}

describe("built-in targets", () => {
  it("heron: 133 qubits, 150 couplings listed both ways, cz basis; eagle: 127 qubits, 144 couplings one way, ecr basis", () => {
    const heron = builtinTarget("heron");
    const eagle = builtinTarget("eagle");
    expect([heron.numQubits, undirectedEdges(heron).size, heron.couplingMap.length]).toEqual([133, 150, 300]);
    expect([eagle.numQubits, undirectedEdges(eagle).size, eagle.couplingMap.length]).toEqual([127, 144, 144]);
    expect(heron.basisGates).toEqual(["rz", "sx", "x", "cz"]);
    expect(eagle.basisGates).toEqual(["rz", "sx", "x", "ecr"]);
    expect(eagle.couplingMap.every(([a, b]) => a < b)).toBe(true);
  });

  for (const name of ["heron", "eagle"] as const) {
    it(`${name}: a heavy-hex lattice (connected, degree <= 3, degree-3 qubits only next to degree-2 ones)`, () => {
      const t = builtinTarget(name);
      const adj = Array.from({ length: t.numQubits }, () => new Set<number>());
      for (const [a, b] of t.couplingMap) {
        adj[a].add(b);
        adj[b].add(a);
      }
      expect(Math.max(...adj.map((s) => s.size))).toBe(3);
      expect(Math.min(...adj.map((s) => s.size))).toBeGreaterThanOrEqual(1);
      adj.forEach((s) => {
        if (s.size === 3) for (const n of s) expect(adj[n].size).toBeLessThanOrEqual(2);
      });
      const seen = new Set([0]);
      const queue = [0];
      while (queue.length) for (const n of adj[queue.shift()!]) if (!seen.has(n)) (seen.add(n), queue.push(n));
      expect(seen.size).toBe(t.numQubits);
      expect(t.qubits.length).toBe(t.numQubits);
      expect(t.instructions.filter((i) => i.qubits.length === 2).length).toBe(t.couplingMap.length);
    });
  }

  it("aria: 25 trapped ions, every pair coupled both ways, gpi / gpi2 / ms with IonQ's published Aria figures", () => {
    const aria = resolveTarget("aria");
    expect(aria.name).toBe("aria-like");
    expect([aria.numQubits, undirectedEdges(aria).size, aria.couplingMap.length]).toEqual([25, 300, 600]);
    expect(aria.basisGates).toEqual(["gpi", "gpi2", "ms"]);
    expect(aria.qubits.every((q) => q.t1 === 10 && q.t2 === 1 && Math.abs(q.readoutP01 - 0.0039) < 1e-12 && q.readoutP10 === q.readoutP01)).toBe(true);
    const ms = aria.instructions.filter((i) => i.gate === "ms");
    expect(ms).toHaveLength(600);
    expect(ms.every((i) => Math.abs(i.error - 0.004) < 1e-12 && i.duration === 600e-6)).toBe(true);
    expect(loadTarget(writeAndPath(aria))).toEqual(aria);
  });

  it("aria's noise: two gpi2 errors per rotation (Aer's split with T1 10 s, T2 1 s over 135 us), readout 1 - SPAM, ms error on the ancilla", () => {
    const t = ARIA_CHARACTERIZATION.timing;
    const noise = noiseFromTarget(builtinTarget("aria"));
    const lambdaGpi2 = depolarizingPart(1 - 0.9995, t["1q"], t.t1, t.t2);
    // About 2 x 5e-4 less the small share thermal relaxation takes over a 135 us pulse.
    expect(lambdaGpi2).toBeGreaterThan(0.0009);
    expect(lambdaGpi2).toBeLessThan(0.001);
    expect(noise.depolarizing).toBeCloseTo(1 - (1 - lambdaGpi2) ** 2, 15);
    expect(noise.readout.p01).toBeCloseTo(0.0039, 15);
    expect(noise.readout.p10).toBeCloseTo(0.0039, 15);
    expect(noise.thermalRelaxation).toEqual({ t1: 10, t2: 1, time: 2 * 135e-6 });
    expect(noise.ancillaDepolarizing).toBeCloseTo(1 - (1 - (4 * 0.004) / 3) * (1 - lambdaGpi2) ** 4, 15);
  });

  it("resolves names and files", () => {
    expect(resolveTarget("eagle").name).toBe("eagle-like");
    const path = join(dir, "h.json");
    writeTarget(path, builtinTarget("heron"));
    expect(resolveTarget(path)).toEqual(builtinTarget("heron"));
  });
});

describe("target files", () => {
  it("round-trip: write then load gives the same target", () => {
    for (const name of ["heron", "eagle"] as const) {
      const path = join(dir, `${name}.json`);
      writeTarget(path, builtinTarget(name));
      expect(loadTarget(path)).toEqual(builtinTarget(name));
    }
  });

  const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(builtinTarget("eagle")));
  const cases: [string, (t: Record<string, unknown>) => void, RegExp][] = [
    ["name", (t) => (t.name = ""), /invalid .*: name: "" \(allowed: a non-empty string\)/],
    ["numQubits", (t) => (t.numQubits = 2.5), /invalid .*: numQubits: 2.5 \(allowed: an integer 1..100000\)/],
    ["basisGates", (t) => (t.basisGates = ["rz", 7]), /invalid .*: basisGates\[1\]: 7 \(allowed: a gate name/],
    ["couplingMap range", (t) => ((t.couplingMap as number[][])[3] = [0, 127]), /invalid .*: couplingMap\[3\]\[1\]: 127 \(allowed: a qubit index 0..126\)/],
    ["couplingMap self", (t) => ((t.couplingMap as number[][])[0] = [5, 5]), /couplingMap\[0\]: "\[5,5\]" \(allowed: two different qubits\)/],
    ["qubits length", (t) => (t.qubits as unknown[]).pop(), /qubits: "126 entries" \(allowed: exactly numQubits = 127 entries\)/],
    ["t1", (t) => (((t.qubits as Record<string, unknown>[])[4].t1 = -1)), /qubits\[4\]\.t1: -1 \(allowed: null or a positive number of seconds\)/],
    ["readout", (t) => (((t.qubits as Record<string, unknown>[])[2].readoutP10 = 1.5)), /qubits\[2\]\.readoutP10: 1.5 \(allowed: a probability 0..1\)/],
    ["instruction error", (t) => (((t.instructions as Record<string, unknown>[])[0].error = "x")), /instructions\[0\]\.error: "x" \(allowed: a probability 0..1\)/],
  ];
  for (const [what, mutate, message] of cases) {
    it(`names the field, value and range: ${what}`, () => {
      const t = base();
      mutate(t);
      const path = join(dir, `bad-${what.replace(/ /g, "-")}.json`);
      writeFileSync(path, JSON.stringify(t));
      expect(() => loadTarget(path)).toThrow(message);
      try {
        loadTarget(path);
      } catch (e) {
        expect((e as Error).message).not.toContain("\n");
        expect((e as Error).message).toContain(path);
      }
    });
  }

  it("reports a missing or broken file", () => {
    expect(() => loadTarget(join(dir, "nope.json"))).toThrow(/cannot read target file .*nope.json/);
    const path = join(dir, "broken.json");
    writeFileSync(path, "{");
    expect(() => loadTarget(path)).toThrow(/is not valid JSON/);
  });
});

describe("IBM snapshot directories", () => {
  const fixtures = new URL("./providers/fixtures/", import.meta.url);
  const eagle = loadFixtureBackend("test_eagle5");
  const expected = targetFromIbm(eagle.configuration, eagle.properties as Parameters<typeof targetFromIbm>[1]);

  it("reads conf_NAME.json + props_NAME.json (qiskit-ibm-runtime's fake provider layout) as the device's target, with its calibration date", () => {
    const snap = join(dir, "fake-eagle5");
    mkdirSync(snap);
    copyFileSync(new URL("test_eagle5.configuration.json", fixtures), join(snap, "conf_eagle5.json"));
    copyFileSync(new URL("test_eagle5.properties.json", fixtures), join(snap, "props_eagle5.json"));
    const t = resolveTarget(snap);
    expect(t).toEqual(expected);
    expect(t.name).toBe("test_eagle5");
    expect(t.calibrationDate).toBe("2026-11-20T07:12:31-05:00");
    // Its directions are the device's, not lower -> higher.
    expect(t.couplingMap).toEqual([[1, 0], [1, 2], [3, 2], [3, 4]]);
    // Written as a target file and read back, the same target.
    writeTarget(join(dir, "eagle5.json"), t);
    expect(loadTarget(join(dir, "eagle5.json"))).toEqual(t);
  });

  it("reads configuration.json + properties.json (saved REST answers), and names what a directory lacks", () => {
    const snap = join(dir, "rest-eagle5");
    mkdirSync(snap);
    copyFileSync(new URL("test_eagle5.configuration.json", fixtures), join(snap, "configuration.json"));
    expect(() => resolveTarget(snap)).toThrow(/rest-eagle5 is not an IBM snapshot directory: it needs conf_NAME.json and props_NAME.json, or configuration.json and properties.json/);
    copyFileSync(new URL("test_eagle5.properties.json", fixtures), join(snap, "properties.json"));
    expect(resolveTarget(snap)).toEqual(expected);
  });
});
