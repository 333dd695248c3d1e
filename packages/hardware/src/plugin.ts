import type { InjectionToken } from "tsyringe";
import { ConfigError, parseInteger, Tokens, UserError, type BackendPlugin, type DenseEngine, type ProgressReporter } from "@natural-quantization/core";
import { HardwareQubitLayer, type JobGate, type LayerCall } from "./device/hardware-qubit-layer.js";
import type { JobStatus, QuantumProvider } from "./provider.js";
import { JobLedger } from "./job-ledger.js";
import { IbmRuntimeProvider } from "./providers/ibm-runtime-provider.js";
import { LocalProvider } from "./providers/local-provider.js";
import { IonqProvider } from "./providers/ionq-provider.js";
import type { Target } from "./target.js";
import { resolveTarget } from "./targets.js";

/** What `--backend hardware` is configured with (the CLI binds it to HardwareTokens.Settings). */
export interface HardwareSettings {
  /** Provider by name: `local`, `ibm-runtime`, or a package / path exporting `provider: ProviderPlugin`. */
  readonly provider: string;
  /** Layout and native gates where no device is named: a built-in target (`heron`, `eagle`), a target file, or (unset) the provider's own. */
  readonly target?: string;
  /** IBM backend (device) name, for `ibm-runtime`. */
  readonly device?: string;
  /** Identity pairs before each measurement (noise amplification). */
  readonly identityPairs?: number;
  /** At most this many units per block circuit. */
  readonly maxUnitsPerBlock?: number;
  /** Seed of a simulating provider's shots. */
  readonly seed?: number;
  /** Sees each job's cost before it is submitted; throws to refuse. */
  readonly beforeJob?: JobGate;
  readonly onStatus?: (s: JobStatus) => void;
  readonly onLayer?: (call: LayerCall) => void;
  /** Progress lines of the provider (never the key or a token). */
  readonly log?: (line: string) => void;
  /**
   * Where a paid provider keeps every job id and raw result (a JobLedger directory). With `resume`,
   * jobs already there are fetched, not submitted again.
   */
  readonly jobs?: { readonly dir: string; readonly resume: boolean };
}

export const HardwareTokens = {
  Settings: Symbol.for("natural-quantization.HardwareSettings") as InjectionToken<HardwareSettings>,
} as const;

/** What a provider package exports (as `provider`), so `--provider NAME` finds contributed providers too. */
export interface ProviderPlugin {
  readonly name: string;
  readonly description: string;
  create(settings: HardwareSettings): QuantumProvider | Promise<QuantumProvider>;
}

/** The providers this package brings. */
export const PROVIDERS: Readonly<Record<string, ProviderPlugin>> = {
  local: {
    name: "local",
    description: "the npm simulator quantum-circuit runs the emitted OpenQASM 2 (no device; seeded shots)",
    create: (s) => new LocalProvider({ numQubits: s.target ? resolveTarget(s.target).numQubits : undefined, seed: s.seed }),
  },
  "ibm-runtime": {
    name: "ibm-runtime",
    description: "IBM Quantum through the Qiskit Runtime REST API (Sampler V2); key and instance from IBM_CLOUD_API_KEY and IBM_QUANTUM_CRN",
    create: (s) => {
      if (!s.device) throw new UserError("the ibm-runtime provider needs --device NAME (an IBM backend, e.g. ibm_torino)");
      return new IbmRuntimeProvider({ backend: s.device, log: s.log, ledger: s.jobs ? JobLedger.open(s.jobs.dir, { resume: s.jobs.resume }) : undefined });
    },
  },
  ionq: {
    name: "ionq",
    description: "IonQ trapped ions through the Quantum Cloud API v0.4 (native gpi/gpi2/ms, multi-circuit jobs); --device simulator, qpu.aria-1 or qpu.forte-1; key from IONQ_API_KEY",
    create: (s) => {
      if (!s.device) throw new UserError("the ionq provider needs --device NAME (simulator, qpu.aria-1 or qpu.forte-1)");
      return new IonqProvider({ device: s.device, log: s.log, seed: s.seed, ledger: s.jobs ? JobLedger.open(s.jobs.dir, { resume: s.jobs.resume }) : undefined });
    },
  },
};

/** A provider by name, or from a package / module path that exports `provider`. */
export async function loadProvider(name: string): Promise<ProviderPlugin> {
  const known = PROVIDERS[name];
  if (known) return known;
  if (!(name.includes("/") || name.startsWith("."))) {
    throw new ConfigError("provider", name, `${Object.keys(PROVIDERS).join(", ")}, or a package or path exporting \`provider\``);
  }
  const mod = (await import(name)) as { provider?: ProviderPlugin };
  if (!mod.provider || typeof mod.provider.create !== "function") throw new UserError(`${name} does not export a provider plugin (\`export const provider: ProviderPlugin\`)`);
  return mod.provider;
}

/**
 * The device qubit layer over a dense engine: provider by name; the target is the named device's
 * own (its configuration and properties: coupling directions, errors, faulty elements), or, where
 * no device is named, the settings' target or the provider's; `progress` is told of every job's state.
 */
export async function createHardwareLayer(dense: DenseEngine, settings: HardwareSettings, progress?: ProgressReporter): Promise<HardwareQubitLayer> {
  if (settings.device !== undefined && settings.target !== undefined) {
    // A stand-in layout on a real device sends gates against its couplers and onto its faulty qubits.
    throw new UserError(
      `--target ${settings.target} cannot replace the layout of device ${settings.device}: a device run uses the device's own configuration and properties (drop --target)`,
    );
  }
  const provider = await (await loadProvider(settings.provider)).create(settings);
  const target: Target = settings.target ? resolveTarget(settings.target) : await provider.target();
  return new HardwareQubitLayer(dense, {
    provider,
    target,
    identityPairs: settings.identityPairs,
    maxUnitsPerBlock: settings.maxUnitsPerBlock,
    beforeJob: settings.beforeJob,
    onStatus: settings.onStatus,
    onLayer: settings.onLayer,
    progress,
  });
}

/** The plugin the CLI loads for `--backend hardware`: a device qubit layer on a simulator's dense math. */
export const backend: BackendPlugin = {
  name: "hardware",
  description: "quantum hardware: each hidden layer runs as circuits on a provider (local simulator or IBM Quantum); dense math on a simulator",
  provides: "qubits",
  options: [
    { name: "identity-pairs", value: "k", description: "insert k identity pairs before each measurement (noise amplification)", default: "0" },
  ],
  async register(container, options) {
    if (!container.isRegistered(HardwareTokens.Settings)) throw new UserError("the hardware backend needs its settings (--provider ...)");
    // The run's progress reporter, where the caller bound one before the backend (the CLI does).
    const progress = container.isRegistered(Tokens.ProgressReporter, true) ? container.resolve(Tokens.ProgressReporter) : undefined;
    const settings = container.resolve(HardwareTokens.Settings);
    // The options this plugin declares, as the front end hands them over; they override the bound settings.
    const pairs = options?.settings?.["identity-pairs"];
    const identityPairs = typeof pairs === "string" ? parseInteger("identity-pairs", pairs, 0, 1000) : settings.identityPairs;
    const layer = await createHardwareLayer(container.resolve(Tokens.DenseEngine), { ...settings, identityPairs }, progress);
    container.register(Tokens.QubitLayer, { useValue: layer });
  },
};
