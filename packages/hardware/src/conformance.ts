/**
 * The provider conformance suite: what any device provider must do for the network to run on it.
 * A provider package runs it from its own tests (vitest), as backends run core's:
 *
 *   import { providerConformance } from "@natural-quantization/hardware/conformance";
 *   providerConformance("my-provider", () => new MyProvider(), { plugin: provider });
 *
 * Every check runs the real device path (DeviceRunner: the layer layouts on the provider's own
 * target, its gate-set compiler, its format, job packing under its limits, the run, the unpacking):
 *
 * - declarations: capabilities within sense, a valid target whose gate set has a compiler, and,
 *   given the plugin, options, targets and cost model that agree with the provider.
 * - probabilities: an ideal device reproduces core's P(m' = +1) = (1 + sin g cos alpha) / 2 for
 *   Model 1 (g = pi/2, the neuron measured) and Model 2 (g < pi/2, an ancilla measured), per angle
 *   over `shots` units of one shot each. Tolerance: |k - nP| <= z sqrt(nP(1-P)) + n * systematic,
 *   z = 4.89 (a false alarm of 1e-6 per check), systematic = 0 for an ideal device (options.systematic
 *   allows a noisy one a bias).
 * - bit order: units turned by 0 or pi (outcome certain) in an asymmetric pattern over several
 *   blocks come back in unit order: c[i] is slot i, rows and Pubs in block order.
 * - resume (paid providers, which must keep a JobLedger): a rerun over the ledger of a finished run
 *   returns the very same bits and submits nothing (options.resume.submissions counts submissions).
 * - errors: bad input (shots out of range, no Pubs, a program that is not OpenQASM) is refused
 *   with an Error whose message is one line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HALF_PI, probPlus } from "@natural-quantization/core";
import { gateSetCompiler } from "./compile.js";
import { DeviceRunner } from "./device/device-runner.js";
import { JobLedger } from "./job-ledger.js";
import { BUILTIN_GATES } from "./layer-circuits.js";
import type { ProviderPlugin } from "./plugin.js";
import type { CircuitJob, JobResult, QuantumProvider } from "./provider.js";
import { validateTarget } from "./targets.js";

/** Two-sided standard-normal quantile of a 1e-6 false alarm per check. */
export const PROVIDER_Z = 4.89;

/** What the suite hands the factory: a ledger when it checks resume (paid providers keep one). */
export interface ProviderConformanceContext {
  readonly ledger?: JobLedger;
}

export type ProviderFactory = (context: ProviderConformanceContext) => QuantumProvider | Promise<QuantumProvider>;

export interface ProviderConformanceOptions {
  /** The plugin the provider comes from: its declarations are checked against the provider. */
  readonly plugin?: ProviderPlugin;
  /** Units (one shot each) per angle in the probability checks (default 600). */
  readonly shots?: number;
  /** Allowed bias of each probability for a noisy device (default 0: an ideal device). */
  readonly systematic?: number;
  /** At most this many units per block circuit (default 6, which every check fits). */
  readonly maxUnitsPerBlock?: number;
  /** Model 2's entanglement angle (default 0.7). */
  readonly g?: number;
  /** The resume tier, for a provider that keeps a JobLedger: counts the jobs its service accepted so far. */
  readonly resume?: { readonly submissions: () => number };
  /** Per-test timeout in milliseconds (default 120000). */
  readonly timeoutMs?: number;
}

const MODEL1_ANGLES = [0, 0.4, 1.1, HALF_PI, 2.3, 2.9, Math.PI];
const MODEL2_ANGLES = [0, 0.8, HALF_PI, 2.2, Math.PI];

export function providerConformance(name: string, create: ProviderFactory, options: ProviderConformanceOptions = {}): void {
  const shots = options.shots ?? 600;
  const systematic = options.systematic ?? 0;
  const timeout = options.timeoutMs ?? 120_000;
  const g = options.g ?? 0.7;

  const runner = async (context: ProviderConformanceContext = {}) => {
    const provider = await create(context);
    const target = await provider.target();
    return { provider, target, runner: new DeviceRunner({ provider, target, maxUnitsPerBlock: options.maxUnitsPerBlock ?? 6 }) };
  };

  describe(`provider conformance: ${name}`, () => {
    it("declares sane capabilities and a valid target whose gate set has a compiler", async () => {
      const { provider, target } = await runner();
      const caps = provider.capabilities;
      expect(["qasm2", "qasm3"]).toContain(caps.format);
      for (const limit of [caps.maxPubsPerJob, caps.maxExecutionsPerJob, caps.maxShots]) expect(Number.isInteger(limit) && limit >= 1).toBe(true);
      expect(caps.maxBytesPerJob).toBeGreaterThan(0);
      expect(validateTarget(JSON.parse(JSON.stringify(target)), `${name} target`)).toBeTruthy();
      expect(gateSetCompiler(target).name).toBeTruthy();
      const plugin = options.plugin;
      if (plugin) {
        expect(plugin.capabilities.format).toBe(caps.format);
        expect(plugin.capabilities.parameterBindings).toBe(caps.parameterBindings);
        expect(gateSetCompiler(target).name).toBe(plugin.targets.gateSet);
        for (const o of plugin.options) expect(o.description.length).toBeGreaterThan(0);
        expect(plugin.costModel.unit.length).toBeGreaterThan(0);
        // A paid provider must keep a ledger: a rerun must never pay twice.
        if (plugin.costModel.paid) expect(options.resume, `${name} is paid: run the resume tier (options.resume)`).toBeDefined();
      }
    }, timeout);

    it(`Model 1 (g = pi/2): P(m' = +1) per angle matches core within z = ${PROVIDER_Z} binomial sd${systematic ? ` + ${systematic}` : ""} over ${shots} shots`, async () => {
      const { provider, runner: r } = await runner();
      try {
        await checkProbabilities(r, HALF_PI, MODEL1_ANGLES, shots, systematic);
      } finally {
        await provider.close?.();
      }
    }, timeout);

    it(`Model 2 (g = ${g}): P(m' = +1) of the ancilla per angle matches core within z = ${PROVIDER_Z} binomial sd${systematic ? ` + ${systematic}` : ""} over ${shots} shots`, async () => {
      const { provider, runner: r } = await runner();
      try {
        await checkProbabilities(r, g, MODEL2_ANGLES, shots, systematic);
      } finally {
        await provider.close?.();
      }
    }, timeout);

    it("bit order: c[i] is slot i, binding rows and Pubs come in block order", async () => {
      const { provider, runner: r } = await runner();
      try {
        const layout = r.layout(HALF_PI);
        const units = layout.neuronQubits.length * 3 + 1; // three full blocks and one unit of a fourth
        // Asymmetric in each block and across blocks: a reversal of bits, rows or Pubs changes it.
        const flipped = (u: number) => (u * u + 3 * u) % 7 < 3;
        const angles = Float64Array.from({ length: units }, (_, u) => (flipped(u) ? Math.PI : 0));
        const outcomes = await r.sample(layout, angles, 0, BUILTIN_GATES, { seed: 11, stream: 0, firstPub: 0 });
        let wrong = 0;
        for (let u = 0; u < units; u++) if (outcomes[u] !== (flipped(u) ? -1 : 1)) wrong++;
        expect(wrong, `${wrong} of ${units} certain outcomes wrong`).toBeLessThanOrEqual(allowedMisses(units, systematic));
      } finally {
        await provider.close?.();
      }
    }, timeout);

    it("returns shots x clbits bits per binding row, each 0 or 1", async () => {
      const { provider, runner: r, target } = await runner();
      try {
        const job = { ...r.layerJob(r.layout(HALF_PI), Float64Array.from([0, Math.PI]), undefined, BUILTIN_GATES), shots: 3 };
        const result = await provider.run(job);
        expect(result.length).toBe(job.pubs.length);
        result.forEach((rows, p) => {
          expect(rows.length).toBe(job.pubs[p].bindings?.length ?? 1);
          for (const row of rows) {
            expect(row.length).toBe(3);
            for (const bits of row) {
              expect(bits.length).toBe(job.pubs[p].clbits);
              expect([...bits].every((b) => b === 0 || b === 1)).toBe(true);
            }
          }
        });
        expect(target.numQubits).toBeGreaterThanOrEqual(2);
      } finally {
        await provider.close?.();
      }
    }, timeout);

    if (options.resume) {
      const { submissions } = options.resume;
      it("resume: a rerun over the ledger of a finished run fetches the same bits and submits nothing", async () => {
        const dir = mkdtempSync(join(tmpdir(), "nq-provider-conformance-"));
        try {
          const first = await runner({ ledger: JobLedger.open(dir, { resume: false }) });
          const job = { ...first.runner.layerJob(first.runner.layout(HALF_PI), Float64Array.from([0.5, 1.5, 2.5]), undefined, BUILTIN_GATES), shots: 40 };
          const before = submissions();
          const bits = await first.provider.run(job);
          await first.provider.close?.();
          const paid = submissions() - before;
          expect(paid, "the first run submits its job").toBeGreaterThan(0);
          const again = await runner({ ledger: JobLedger.open(dir, { resume: true }) });
          const rerun = await again.provider.run(job);
          await again.provider.close?.();
          expect(submissions() - before, "the rerun submitted jobs again").toBe(paid);
          expect(flatBits(rerun)).toEqual(flatBits(bits));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }, timeout);
    }

    it("errors: bad input is refused with a one-line message", async () => {
      const { provider, runner: r } = await runner();
      try {
        const good = r.layerJob(r.layout(HALF_PI), Float64Array.from([0.3]), undefined, BUILTIN_GATES);
        const bad: [string, CircuitJob][] = [
          ["shots 0", { ...good, shots: 0 }],
          [`shots ${provider.capabilities.maxShots + 1}`, { ...good, shots: provider.capabilities.maxShots + 1 }],
          ["no Pubs", { pubs: [], shots: 1 }],
          ["a program that is not OpenQASM", { pubs: [{ program: "this is not a program", clbits: 1, bindings: null }], shots: 1 }],
        ];
        for (const [what, job] of bad) {
          const message = await rejection(provider.run(job), what);
          expect(message.length, `${what}: empty message`).toBeGreaterThan(0);
          expect(message, `${what}: the message spans lines`).not.toMatch(/\n/);
        }
      } finally {
        await provider.close?.();
      }
    }, timeout);
  });
}

/**
 * Units spread over the angles, `shots` units per angle in an interleaved order (unit u has angle
 * u mod K), one shot each; the +1 count per angle against n P(+1).
 */
async function checkProbabilities(r: DeviceRunner, g: number, list: readonly number[], shots: number, systematic: number): Promise<void> {
  const layout = r.layout(g);
  const angles = Float64Array.from({ length: list.length * shots }, (_, u) => list[u % list.length]);
  const outcomes = await r.sample(layout, angles, 0, BUILTIN_GATES, { seed: 5, stream: Math.round(g * 1000), firstPub: 0 });
  const plus = new Array<number>(list.length).fill(0);
  outcomes.forEach((m, u) => {
    if (m === 1) plus[u % list.length]++;
  });
  const failures: string[] = [];
  list.forEach((alpha, k) => {
    const p = probPlus(alpha, g);
    const sd = Math.sqrt(shots * p * (1 - p));
    const dev = Math.abs(plus[k] - shots * p);
    const allowed = PROVIDER_Z * sd + shots * systematic + 1e-9;
    if (dev > allowed) failures.push(`alpha ${alpha.toFixed(3)}: ${plus[k]}/${shots} outcomes +1, expected ${(shots * p).toFixed(1)} +- ${allowed.toFixed(1)}`);
  });
  expect(failures, `g = ${g.toFixed(3)}: ${failures.join("; ")}`).toEqual([]);
}

/** Misses allowed among n certain outcomes: none on an ideal device; with a bias b, n b + z sqrt(n b). */
function allowedMisses(n: number, systematic: number): number {
  return systematic === 0 ? 0 : Math.ceil(n * systematic + PROVIDER_Z * Math.sqrt(n * systematic));
}

function flatBits(result: JobResult): number[][] {
  return result.flatMap((rows) => rows.flatMap((row) => row.map((bits) => [...bits])));
}

async function rejection(p: Promise<unknown>, what: string): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e, `${what}: not an Error`).toBeInstanceOf(Error);
    return (e as Error).message;
  }
  throw new Error(`${what}: the provider accepted it`);
}
