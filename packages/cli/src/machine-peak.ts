import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** The float32 peak of this machine's cores, and the numbers it is the product of. */
export interface MachinePeak {
  readonly gflops: number;
  /** Physical cores the process may run on (SMT siblings share their core's FMA units). */
  readonly cores: number;
  /** Fused multiply-add units per core at the widest vector width. */
  readonly fmaUnits: number;
  /** float32 lanes of the widest vector the CPU has (AVX-512: 16, AVX2: 8, SSE / NEON: 4). */
  readonly lanes: number;
  readonly ghz: number;
  /** How it was computed, for the bench's output. */
  readonly how: string;
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(text)?.[1]?.trim();
}

/**
 * Peak float32 FLOP/s = cores x FMA units x lanes x 2 (an FMA is two FLOPs) x clock, from
 * /proc/cpuinfo: the widest vector extension in `flags` sets the lanes; FMA units are 2 per core
 * (Zen 5 and Intel server cores issue two full-width FMAs per cycle) except on Zen 4 (AMD family
 * 25), which splits a 512-bit FMA into two 256-bit halves (one 512-bit FMA per cycle); the clock is
 * cpufreq's maximum where the kernel exposes it, else "cpu MHz". Null where /proc/cpuinfo is missing.
 */
export function machinePeak(cpuinfo?: string, maxKHz?: number): MachinePeak | null {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      return null;
    }
  }
  const flags = new Set((field(text, "flags") ?? field(text, "Features") ?? "").split(/\s+/));
  const avx512 = flags.has("avx512f"), avx2 = flags.has("avx2") && flags.has("fma");
  const lanes = avx512 ? 16 : avx2 ? 8 : 4;
  const family = Number(field(text, "cpu family") ?? NaN);
  const amd = field(text, "vendor_id") === "AuthenticAMD";
  const fmaUnits = avx512 && amd && family === 25 ? 1 : 2;
  let khz = maxKHz;
  if (khz === undefined && cpuinfo === undefined) {
    try {
      khz = Number(readFileSync("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "utf8"));
    } catch {
      // not exposed (virtual machines): cpu MHz below
    }
  }
  const mhz = khz && khz > 0 ? khz / 1000 : Number(field(text, "cpu MHz") ?? NaN);
  if (!(mhz > 0)) return null;
  const siblings = Number(field(text, "siblings") ?? NaN), perSocket = Number(field(text, "cpu cores") ?? NaN);
  const smt = siblings > 0 && perSocket > 0 && siblings > perSocket ? siblings / perSocket : 1;
  const logical = cpuinfo === undefined ? availableParallelism() : (text.match(/^processor\s*:/gm) ?? []).length || 1;
  const cores = Math.max(1, Math.round(logical / smt));
  const ghz = mhz / 1000;
  const gflops = cores * fmaUnits * lanes * 2 * ghz;
  const isa = avx512 ? "AVX-512" : avx2 ? "AVX2+FMA" : "128-bit";
  const clock = khz && khz > 0 ? "cpufreq maximum" : "cpu MHz of /proc/cpuinfo";
  return {
    gflops, cores, fmaUnits, lanes, ghz,
    how: `${cores} core${cores === 1 ? "" : "s"} x ${fmaUnits} FMA unit${fmaUnits === 1 ? "" : "s"} x ${lanes} float32 lanes (${isa}) x 2 FLOP x ${ghz.toFixed(2)} GHz (${clock}) = ${gflops.toFixed(1)} GFLOP/s`,
  };
}
