import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinTarget, loadTarget, resolveTarget, targetFromIbm, writeTarget, type Target } from "../src/index.js";
import { loadFixtureBackend } from "./providers/ibm-test-server.js";

const dir = mkdtempSync(join(tmpdir(), "nq-targets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
