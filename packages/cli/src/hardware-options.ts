import { readFileLimited } from "@natural-quantization/core/node";
import { join } from "node:path";
import type { Command } from "commander";
import { UserError } from "@natural-quantization/core";
import { describeCost, noiseFromTarget, parseNoiseModel, PROVIDERS, resolveTarget, type HardwareSettings, type JobGate, type NoiseModel } from "@natural-quantization/hardware";
import { parseInteger } from "@natural-quantization/core";

/** Circuit executions a run may submit to a provider other than `local` without --yes. */
export const CONFIRM_SHOTS = 10_000;

/** Options of the device path and of simulated noise, as commander hands them over. */
export interface DeviceCliOptions {
  readonly provider?: string;
  readonly target?: string;
  readonly device?: string;
  readonly identityPairs?: string;
  readonly noise?: string;
  readonly yes?: boolean;
  /** The run's directory: a device keeps every job id and raw result in DIR/jobs. */
  readonly out?: string;
  readonly resume?: boolean;
}

/** Adds the device and noise options to a command (eval and train share them). */
export function deviceOptions(cmd: Command, { hardware }: { hardware: boolean }): Command {
  if (hardware) {
    cmd
      .option("--provider <name>", `with --backend hardware: ${Object.keys(PROVIDERS).join(", ")}, or a package exporting \`provider\``, "local")
      .option("--device <name>", "with --provider ibm-runtime or ionq: the backend, e.g. ibm_torino or qpu.forte-1")
      .option("--identity-pairs <k>", "with --backend hardware: insert k identity pairs before each measurement (noise amplification)", "0")
      .option("--yes", `submit to a device even when the run needs more than ${CONFIRM_SHOTS} circuit executions`)
      .option("--out <dir>", "write result.json here; with --backend hardware every device job id and raw result is kept in DIR/jobs before it is used (needed for a paid provider)")
      .option("--resume", "with --out: fetch the results of device jobs already in DIR/jobs instead of submitting them again");
  }
  return cmd
    .option("--target <name|file>", "heron, eagle, a target JSON file or an IBM snapshot directory: the layout and gates for --provider local (a --device run uses the device's own), or the noise on a simulator")
    .option("--noise <file>", "simulate device noise from a noise JSON file (simulator backends)");
}

/**
 * What composeMachine needs for these options: hardware settings for `--backend hardware`, or a
 * noise model for a simulator (from --noise FILE or --target).
 */
export function deviceConfig(backend: string, o: DeviceCliOptions, log: (line: string) => void): { hardware?: HardwareSettings; noise?: NoiseModel } {
  if (backend === "hardware") {
    if (o.noise) throw new UserError("--noise simulates noise on a simulator backend; a device has its own (drop --noise, or use --backend sim-wasm)");
    return { hardware: hardwareSettings(o, log) };
  }
  for (const opt of ["provider", "device", "yes"] as const) {
    if (o[opt] !== undefined && !(opt === "provider" && o.provider === "local")) throw new UserError(`--${opt} applies to --backend hardware only`);
  }
  if (o.noise && o.target) throw new UserError("give either --noise FILE or --target (noise taken from a device's properties), not both");
  return o.noise || o.target ? { noise: simulatedNoise(o) } : {};
}

/** The noise of --noise FILE, else of --target T's properties (one of them must be given). */
export function simulatedNoise(o: { readonly noise?: string; readonly target?: string }): NoiseModel {
  return o.noise ? parseNoiseModel(readText(o.noise, "noise file"), o.noise) : noiseFromTarget(resolveTarget(o.target!));
}

function hardwareSettings(o: DeviceCliOptions, log: (line: string) => void): HardwareSettings {
  const provider = o.provider ?? "local";
  const identityPairs = parseInteger("identity-pairs", o.identityPairs ?? "0", 0, 1000);
  let submitted = 0;
  // Prints every job's cost; a paid device needs --yes once the run passes CONFIRM_SHOTS executions.
  const beforeJob: JobGate = ({ layer, units, cost }) => {
    submitted += cost.shots;
    log(`hidden layer ${layer + 1}: ${units} neuron units as ${describeCost(cost)} on ${provider}`);
    if (provider !== "local" && !o.yes && submitted > CONFIRM_SHOTS) {
      throw new UserError(`this run submits more than ${CONFIRM_SHOTS} circuit executions to ${provider} (${submitted} so far); check the cost above and rerun with --yes`);
    }
  };
  if (o.resume && !o.out) throw new UserError("--resume needs --out DIR (the directory whose jobs/ holds the device jobs of the run to continue)");
  if (provider !== "local" && !o.out) {
    throw new UserError(`--provider ${provider} runs on a paid device: give --out DIR, where every job id and raw result is kept before it is used (an interrupted run then continues with --resume)`);
  }
  const jobs = o.out ? { dir: join(o.out, "jobs"), resume: o.resume === true } : undefined;
  return { provider, target: o.target, device: o.device, identityPairs, beforeJob, log, ...(jobs ? { jobs } : {}) };
}

/** Noise and target files are small JSON; anything larger than this is the wrong file. */
const SETTINGS_FILE_MAX_BYTES = 16 * 2 ** 20;

function readText(path: string, what: string): string {
  return readFileLimited(path, what, SETTINGS_FILE_MAX_BYTES).toString("utf8");
}
