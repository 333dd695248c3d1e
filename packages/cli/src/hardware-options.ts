import { readFileLimited } from "@natural-quantization/core/node";
import { join } from "node:path";
import type { Command } from "commander";
import { UserError } from "@natural-quantization/core";
import type { HardwareSettings, JobGate, NoiseModel } from "@natural-quantization/hardware";
import type { NetworkSpec, QubitLayer } from "@natural-quantization/core";
import { loadHardware } from "./hardware-module.js";
import { parseInteger } from "@natural-quantization/core";

/** Options of the device path and of simulated noise, as commander hands them over. */
export interface DeviceCliOptions {
  readonly provider?: string;
  readonly target?: string;
  readonly device?: string;
  readonly noise?: string;
  readonly yes?: boolean;
  /** The run's directory: a device keeps every job id and raw result in DIR/jobs. */
  readonly out?: string;
  /** Where a device keeps every job id and raw result, for a command whose --out is a file. */
  readonly jobs?: string;
  readonly resume?: boolean;
}

/**
 * Adds the device and noise options to a command. Every command that runs a network takes them
 * (train: the noise ones only, since a device cannot train). A device keeps its jobs in a run
 * directory: `--out DIR` (DIR/jobs) where the command's --out is a directory, else `--jobs DIR`.
 */
export function deviceOptions(cmd: Command, { hardware, jobs = "out" }: { hardware: boolean; jobs?: "out" | "jobs" }): Command {
  if (hardware) {
    cmd
      .option("--provider <name>", "with --backend hardware: local, ibm-runtime, ionq, a package installed in the current directory, or a path to a module (./my-provider.mjs), exporting `provider`", "local")
      .option("--device <name>", "with --provider ibm-runtime or ionq: the backend, e.g. ibm_torino or qpu.forte-1")
      .option("--yes", "submit to a paid device even when the run's estimated cost passes its provider's confirmation threshold (the cost is printed before each job)");
    if (jobs === "out") {
      cmd.option("--out <dir>", "write result.json here; with --backend hardware every device job id and raw result is kept in DIR/jobs before it is used (needed for a paid provider)");
    } else {
      cmd.option("--jobs <dir>", "with --backend hardware: keep every device job id and raw result here before it is used (needed for a paid provider)");
    }
    cmd.option("--resume", `with --${jobs}: fetch the results of device jobs already kept there instead of submitting them again`);
  }
  return cmd
    .option("--target <name|file>", "heron, eagle, aria (IonQ Aria-like trapped ions), a target JSON file or an IBM snapshot directory: the layout and gates for --provider local (a --device run uses the device's own), or the noise on a simulator")
    .option("--noise <file>", "simulate device noise from a noise JSON file (simulator backends)");
}

/**
 * What composeMachine needs for these options: hardware settings for `--backend hardware`, or a
 * noise model for a simulator (from --noise FILE or --target).
 */
export async function deviceConfig(backend: string, o: DeviceCliOptions, log: (line: string) => void, jobsIn: "out" | "jobs" = "out"): Promise<{ hardware?: HardwareSettings; noise?: NoiseModel }> {
  if (backend === "hardware") {
    if (o.noise) throw new UserError("--noise simulates noise on a simulator backend; a device has its own (drop --noise, or use --backend sim-wasm)");
    return { hardware: await hardwareSettings(o, log, jobsIn) };
  }
  for (const opt of ["provider", "device", "yes", "jobs"] as const) {
    if (o[opt] !== undefined && !(opt === "provider" && o.provider === "local")) throw new UserError(`--${opt} applies to --backend hardware only`);
  }
  if (o.noise && o.target) throw new UserError("give either --noise FILE or --target (noise taken from a device's properties), not both");
  return o.noise || o.target ? { noise: await simulatedNoise(o) } : {};
}

/** The noise of --noise FILE, else of --target T's properties (one of them must be given). */
export async function simulatedNoise(o: { readonly noise?: string; readonly target?: string }): Promise<NoiseModel> {
  const { noiseFromTarget, parseNoiseModel, resolveTarget } = await loadHardware();
  return o.noise ? parseNoiseModel(readText(o.noise, "noise file"), o.noise) : noiseFromTarget(resolveTarget(o.target!));
}

async function hardwareSettings(o: DeviceCliOptions, log: (line: string) => void, jobsIn: "out" | "jobs"): Promise<HardwareSettings> {
  const { describeCost, loadProvider } = await loadHardware();
  const provider = o.provider ?? "local";
  let charged = 0;
  // Prints every job's cost; a paid device needs --yes once the run's estimate, in its provider's
  // cost unit (IBM: QPU seconds), passes the provider's threshold.
  const beforeJob: JobGate = ({ layer, units, cost }) => {
    const charge = cost.charge;
    charged += charge?.amount ?? 0;
    const priced = charge?.paid ? `, about ${formatAmount(charge.amount)} ${charge.unit}` : "";
    log(`hidden layer ${layer + 1}: ${units} neuron units as ${describeCost(cost)}${priced} on ${provider}`);
    if (charge?.paid && !o.yes && charged > charge.confirmAbove) {
      throw new UserError(
        `this run's estimated cost passes ${charge.confirmAbove} ${charge.unit} on ${provider} (${formatAmount(charged)} so far); check the cost above and rerun with --yes`,
      );
    }
  };
  const jobsDir = jobsIn === "jobs" ? o.jobs : o.out === undefined ? undefined : join(o.out, "jobs");
  const jobsFlag = `--${jobsIn} DIR`;
  if (o.resume && !jobsDir) throw new UserError(`--resume needs ${jobsFlag} (where the device jobs of the run to continue are kept)`);
  // A paid provider (by its own cost model) keeps every job on disk before it is used.
  const paid = (await loadProvider(provider)).costModel.paid;
  if (paid && !jobsDir) {
    throw new UserError(`--provider ${provider} runs on a paid device: give ${jobsFlag}, where every job id and raw result is kept before it is used (an interrupted run then continues with --resume)`);
  }
  const jobs = jobsDir ? { dir: jobsDir, resume: o.resume === true } : undefined;
  return { provider, target: o.target, device: o.device, beforeJob, log, ...(jobs ? { jobs } : {}) };
}

/** Noise and target files are small JSON; anything larger than this is the wrong file. */
const SETTINGS_FILE_MAX_BYTES = 16 * 2 ** 20;

function readText(path: string, what: string): string {
  return readFileLimited(path, what, SETTINGS_FILE_MAX_BYTES).toString("utf8");
}

/** A few significant digits: "0.0254", "12.3", "4810". */
function formatAmount(x: number): string {
  return x >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}

/**
 * Before the first job of a device run: the whole run's estimate (jobs, circuits, executions and,
 * for a paid provider, its cost unit) is printed, and a paid run whose estimate passes its
 * provider's threshold is refused without --yes, so that nothing is submitted. The job-by-job
 * gate of hardwareSettings stays behind it for what an estimate cannot foresee.
 */
export async function confirmDeviceRun(
  layer: QubitLayer,
  run: { readonly network: NetworkSpec; readonly images: number; readonly shots: number; readonly provider: string; readonly yes?: boolean },
  log: (line: string) => void,
): Promise<void> {
  const { HardwareQubitLayer, describeCost } = await loadHardware();
  if (!(layer instanceof HardwareQubitLayer)) return;
  const { total } = layer.estimateEvaluation(run.network, run.images, run.shots);
  const charge = total.charge;
  log(`the whole run: ${describeCost(total)}${charge?.paid ? `, about ${formatAmount(charge.amount)} ${charge.unit}` : ""} on ${run.provider}`);
  if (charge?.paid && !run.yes && charge.amount > charge.confirmAbove) {
    throw new UserError(`this run's estimated cost is ${formatAmount(charge.amount)} ${charge.unit} on ${run.provider}, above ${charge.confirmAbove}; nothing was submitted; check the cost above and rerun with --yes`);
  }
}
