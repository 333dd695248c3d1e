import { describe, expect, it } from "vitest";
import { DataError } from "@natural-quantization/core";
import { decodeSamplerResults, hexToBits } from "../../src/providers/sampler-results.js";
import { describeCost, estimateCost, packJobs } from "../../src/job-packing.js";
import type { Pub, ProviderCapabilities } from "../../src/provider.js";

describe("Sampler V2 result decoding", () => {
  it("hex sample -> bits with element i = 2^i place, for wide registers too", () => {
    expect(Array.from(hexToBits("0x5", 4))).toEqual([1, 0, 1, 0]);
    expect(Array.from(hexToBits("0x0", 3))).toEqual([0, 0, 0]);
    const wide = hexToBits("0x800000000000000000000001", 96); // bits 0 and 95
    expect(wide[0]).toBe(1);
    expect(wide[95]).toBe(1);
    expect(wide.reduce((a, b) => a + b, 0)).toBe(2);
    expect(() => hexToBits("0x10", 4)).toThrow(/more than 4 bits/);
    expect(() => hexToBits("0xZ", 4)).toThrow(DataError);
  });

  it("reads samples[shot] for a plain PUB and samples[row][shot] for a PUB with parameter rows", () => {
    const pubs: Pub[] = [
      { program: "p", clbits: 2, bindings: null },
      { program: "q", clbits: 3, bindings: [[0.1], [0.2]] },
    ];
    const json = {
      results: [
        { data: { c: { samples: ["0x1", "0x2", "0x3"], num_bits: 2 } }, metadata: {} },
        { data: { c: { samples: [["0x4", "0x0", "0x1"], ["0x7", "0x7", "0x6"]], num_bits: 3 } }, metadata: {} },
      ],
      metadata: { version: 2 },
    };
    const r = decodeSamplerResults(json, pubs, 3);
    expect(r[0].length).toBe(1);
    expect(r[0][0].map((s) => Array.from(s))).toEqual([[1, 0], [0, 1], [1, 1]]);
    expect(r[1].length).toBe(2);
    expect(Array.from(r[1][0][0])).toEqual([0, 0, 1]);
    expect(Array.from(r[1][1][2])).toEqual([0, 1, 1]);
    expect(() => decodeSamplerResults(json, pubs, 4)).toThrow(/expected 4 hex strings/);
    expect(() => decodeSamplerResults({ results: [] }, pubs, 3)).toThrow(/2 PUBs/);
  });
});

describe("packing PUBs into jobs and the cost estimate", () => {
  const caps: ProviderCapabilities = { format: "qasm3", nativeGatesOnly: true, parameterBindings: true, maxPubsPerJob: 3, maxExecutionsPerJob: 1000, maxBytesPerJob: Number.POSITIVE_INFINITY, maxShots: 1000, noise: false };
  const pub = (rows: number): Pub => ({ program: "x", clbits: 1, bindings: rows === 0 ? null : Array.from({ length: rows }, () => [0]) });

  it("keeps order and respects PUBs per job and executions per job", () => {
    const pubs = [pub(0), pub(0), pub(0), pub(0), pub(4), pub(5), pub(1), pub(6)];
    const parts = packJobs({ pubs, shots: 100 }, caps);
    // 3 PUBs max; then 100 + 400 + 500 = 1000 executions fill a job; 100 + 600 fit the next.
    expect(parts.map((p) => p.pubs.length)).toEqual([3, 3, 2]);
    expect(parts.flatMap((p) => p.pubs)).toEqual(pubs);
    expect(() => packJobs({ pubs: [pub(11)], shots: 100 }, caps)).toThrow(/alone needs 1100 executions/);
  });

  it("counts jobs, PUBs, circuits and shots", () => {
    const cost = estimateCost({ pubs: [pub(0), pub(4), pub(2)], shots: 10 }, caps);
    expect(cost).toEqual({ jobs: 1, pubs: 3, circuits: 7, shots: 70 });
    expect(describeCost(cost)).toBe("1 job, 3 PUBs, 7 circuits, 70 shots");
  });
});
