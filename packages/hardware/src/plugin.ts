import type { InjectionToken } from "tsyringe";
import { parseInteger, Tokens, UserError, type BackendPlugin, type DenseEngine, type PluginOption, type PluginOptionValues, type ProgressReporter } from "@natural-quantization/core";
import { importPlugin } from "@natural-quantization/core/node";
import { registerGateSetCompiler, type GateSetCompiler } from "./compile.js";
import { HardwareQubitLayer, type JobGate, type LayerCall } from "./device/hardware-qubit-layer.js";
import type { CostModel, JobStatus, ProviderCapabilities, QuantumProvider } from "./provider.js";
import { JobLedger } from "./job-ledger.js";
import { IbmRuntimeProvider, ibmRuntimeCapabilities } from "./providers/ibm-runtime-provider.js";
import { IBM_COST_MODEL } from "./providers/ibm-cost.js";
import { LOCAL_CAPABILITIES, LOCAL_COST_MODEL, LocalProvider } from "./providers/local-provider.js";
import { DEFAULT_GATE_SET, type Target } from "./target.js";
import { BUILTIN_TARGETS, resolveTarget, type BuiltinTargetName } from "./targets.js";
import { IONQ_COST_MODEL, IONQ_DEVICES, IONQ_SIMULATOR_MAX_QUBITS, ionqCapabilities, IonqProvider } from "./providers/ionq-provider.js";
import { TRAPPED_ION_GATE_SET } from "./compile.js";

/** What `--backend hardware` is configured with (the CLI binds it to HardwareTokens.Settings). */
export interface HardwareSettings {
  /** Provider by name: `local`, `ibm-runtime`, or a package / path exporting `provider: ProviderPlugin`. */
  readonly provider: string;
  /** Layout and native gates where no device is named: a built-in target (`heron`, `eagle`), a target file, or (unset) the provider's own. */
  readonly target?: string;
  /** The device to run on, for a provider that declares the `device` option (ibm-runtime: an IBM backend name). */
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
  /** Values of the options the provider declares beyond device, target and seed, by name, as given. */
  readonly options?: PluginOptionValues;
}

export const HardwareTokens = {
  Settings: Symbol.for("natural-quantization.HardwareSettings") as InjectionToken<HardwareSettings>,
} as const;

/** The settings a provider may ask the user for that are HardwareSettings fields (the CLI has their flags). */
export const SETTINGS_OPTION_NAMES = ["device", "target", "seed"] as const;

/**
 * One thing a provider needs from the user, in core's plugin-option shape (a front end offers it
 * as `--NAME <value>`), and whether the provider refuses to start without it. `device`, `target`
 * and `seed` are HardwareSettings fields; any other name is the provider's own, which a front end
 * offers too and hands over in HardwareSettings.options (by name, as given).
 */
export interface ProviderOption extends PluginOption {
  readonly required: boolean;
  /** The values it takes, where they are a fixed list (e.g. device names). */
  readonly choices?: readonly string[];
}

/** Where a provider's targets come from and which gate set they take. */
export interface ProviderTargets {
  /** "device": the named device's own description, fetched from the service; "builtin": targets the provider brings. */
  readonly source: "device" | "builtin";
  /** The gate set its targets take: a registered GateSetCompiler's name (see compile.ts). */
  readonly gateSet: string;
  /** Targets known without asking the service (built-in names, or example devices), each described. */
  readonly known: readonly { readonly name: string; readonly description: string }[];
  /** A built-in target that models the provider's devices, for estimates made offline (`nq cost`). */
  readonly offline?: BuiltinTargetName;
}

/**
 * What a provider package exports (as `provider`), so `--provider NAME` finds contributed
 * providers too. Everything but `create` is known without credentials: a front end lists the
 * options, and the cost of a run is estimated before any provider is created.
 */
export interface ProviderPlugin {
  readonly name: string;
  readonly description: string;
  /** What the provider needs from the user. */
  readonly options: readonly ProviderOption[];
  /** Its targets and their native gate set. */
  readonly targets: ProviderTargets;
  /** Format and limits (qubits come from the target; Pubs, executions and bytes per job; shots). */
  readonly capabilities: ProviderCapabilities;
  /** What a run costs, in the provider's unit, and from when the user must confirm it. */
  readonly costModel: CostModel;
  /** Compilers for gate sets this package brings (registered when the plugin is loaded), so its targets can name them. */
  readonly compilers?: readonly GateSetCompiler[];
  create(settings: HardwareSettings): QuantumProvider | Promise<QuantumProvider>;
}

/** The providers this package brings. */
export const PROVIDERS: Readonly<Record<string, ProviderPlugin>> = {
  local: {
    name: "local",
    description: "the npm simulator quantum-circuit runs the emitted OpenQASM 2 (no device; seeded shots)",
    options: [
      { name: "target", value: "name|file", description: "layout and native gates to compile for (heron, eagle, a target file or an IBM snapshot directory); default an ideal fully connected device", required: false },
      { name: "seed", value: "n", description: "seed of the shots (an unsigned 32-bit integer)", required: false },
    ],
    targets: {
      source: "builtin",
      gateSet: DEFAULT_GATE_SET,
      known: [
        { name: "local-ideal-128", description: "128 noise-free, fully connected qubits (the default)" },
        ...BUILTIN_TARGETS.map((name) => ({ name, description: `the ${name}-like built-in layout and gates, run noise-free` })),
      ],
    },
    capabilities: LOCAL_CAPABILITIES,
    costModel: LOCAL_COST_MODEL,
    create: (s) => new LocalProvider({ numQubits: s.target ? resolveTarget(s.target).numQubits : undefined, seed: s.seed }),
  },
  "ibm-runtime": {
    name: "ibm-runtime",
    description: "IBM Quantum through the Qiskit Runtime REST API (Sampler V2); key and instance from IBM_CLOUD_API_KEY and IBM_QUANTUM_CRN",
    options: [{ name: "device", value: "name", description: "the IBM backend to run on, e.g. ibm_torino (its own configuration and properties are the target)", required: true }],
    targets: {
      source: "device",
      gateSet: DEFAULT_GATE_SET,
      known: [{ name: "ibm_*", description: "any IBM backend the instance may use: Heron (rz, sx, x, cz) or Eagle (rz, sx, x, ecr)" }],
      offline: "eagle",
    },
    capabilities: ibmRuntimeCapabilities(),
    costModel: IBM_COST_MODEL,
    create: (s) => {
      if (!s.device) throw new UserError("the ibm-runtime provider needs --device NAME (an IBM backend, e.g. ibm_torino)");
      return new IbmRuntimeProvider({ backend: s.device, log: s.log, ledger: s.jobs ? JobLedger.open(s.jobs.dir, { resume: s.jobs.resume }) : undefined });
    },
  },
  ionq: {
    name: "ionq",
    description: "IonQ trapped ions through the Quantum Cloud API v0.4 (native gpi/gpi2/ms, multi-circuit jobs); --device simulator, qpu.aria-1 or qpu.forte-1; key from IONQ_API_KEY",
    options: [{ name: "device", value: "name", description: `the IonQ backend: ${IONQ_DEVICES.join(", ")} (its characterization is the target)`, required: true }],
    targets: {
      source: "device",
      gateSet: TRAPPED_ION_GATE_SET,
      known: [
        { name: "simulator", description: `IonQ's ideal simulator (capped here at ${IONQ_SIMULATOR_MAX_QUBITS} qubits: it answers with whole distributions)` },
        { name: "qpu.aria-1", description: "trapped ions, all-to-all, from its latest characterization" },
        { name: "qpu.forte-1", description: "trapped ions, all-to-all, from its latest characterization" },
      ],
      offline: "aria",
    },
    capabilities: ionqCapabilities("qpu.forte-1"),
    costModel: IONQ_COST_MODEL,
    create: (s) => {
      if (!s.device) throw new UserError("the ionq provider needs --device NAME (simulator, qpu.aria-1 or qpu.forte-1)");
      return new IonqProvider({ device: s.device, log: s.log, seed: s.seed, ledger: s.jobs ? JobLedger.open(s.jobs.dir, { resume: s.jobs.resume }) : undefined });
    },
  },
};

const PROVIDER_ALLOWED = `${Object.keys(PROVIDERS).join(", ")}, an installed package or a module path (./my-provider.mjs) exporting \`provider\``;

/**
 * A provider by name: a built-in one, the name of a package installed in the current directory
 * (scoped or not), or a path relative to the current directory (or absolute) to a module that
 * exports `provider: ProviderPlugin`.
 */
export async function loadProvider(name: string, cwd: string = process.cwd()): Promise<ProviderPlugin> {
  const known = PROVIDERS[name];
  if (known) return known;
  const plugin = await importPlugin(name, { kind: "provider", exportName: "provider", isPlugin: isProviderModule, allowed: PROVIDER_ALLOWED, cwd, alsoFrom: [import.meta.url] });
  const missing = (["name", "options", "targets", "capabilities", "costModel"] as const).filter((k) => plugin[k] === undefined);
  if (missing.length > 0) throw new UserError(`provider plugin ${name} lacks ${missing.join(", ")}; a ProviderPlugin declares its options, targets, capabilities and cost model`);
  for (const compiler of plugin.compilers ?? []) registerGateSetCompiler(compiler);
  return plugin;
}

/** An export that can be a provider plugin: an object with `create` (its declarations are checked by name after). */
function isProviderModule(value: unknown): value is ProviderPlugin {
  return typeof value === "object" && value !== null && typeof (value as { create?: unknown }).create === "function";
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
  const plugin = await loadProvider(settings.provider);
  const provider = await plugin.create(settings);
  const target: Target = settings.target ? resolveTarget(settings.target) : await provider.target();
  return new HardwareQubitLayer(dense, {
    provider,
    target,
    costModel: plugin.costModel,
    log: settings.log,
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
  // The provider's own options (beyond device, target and seed, which the front end has already).
  async moreOptions(given) {
    const provider = await loadProvider(given("provider") ?? "local");
    return provider.options.filter((o) => !(SETTINGS_OPTION_NAMES as readonly string[]).includes(o.name));
  },
  async register(container, options) {
    if (!container.isRegistered(HardwareTokens.Settings)) throw new UserError("the hardware backend needs its settings (--provider ...)");
    // The run's progress reporter, where the caller bound one before the backend (the CLI does).
    const progress = container.isRegistered(Tokens.ProgressReporter, true) ? container.resolve(Tokens.ProgressReporter) : undefined;
    const settings = container.resolve(HardwareTokens.Settings);
    // The options this plugin declares, as the front end hands them over; they override the bound settings.
    const pairs = options?.settings?.["identity-pairs"];
    const identityPairs = typeof pairs === "string" ? parseInteger("identity-pairs", pairs, 0, 1000) : settings.identityPairs;
    const own = options?.settings;
    const layer = await createHardwareLayer(container.resolve(Tokens.DenseEngine), { ...settings, identityPairs, ...(own ? { options: own } : {}) }, progress);
    container.register(Tokens.QubitLayer, { useValue: layer });
  },
};
