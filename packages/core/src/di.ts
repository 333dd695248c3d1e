// Types only: core's main entry loads no DI library, so it has no global side effects. A user of
// the container loads tsyringe (and, before it, reflect-metadata) in their own code.
import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { Backend, BackendOptions, DenseEngine, PluginOption, QubitLayer } from "./backend.js";
import type { Dataset } from "./dataset.js";
import { qubitNeuron, type NeuronPlugin } from "./neuron.js";
import { SgdTrainer, silentProgress, systemClock, type Clock, type ProgressReporter, type Trainer } from "./trainer.js";

/**
 * Injection tokens of the framework. A simulator package binds `Backend` (and through it
 * `DenseEngine` and `QubitLayer`); a hardware package rebinds `QubitLayer`; a dense-only engine
 * rebinds `DenseEngine` and borrows a `QubitLayer`; the CLI binds the rest (`NeuronModel`: the
 * neuron plugin, the built-in one unless bound).
 */
export const Tokens = {
  Backend: Symbol.for("natural-quantization.Backend") as InjectionToken<Backend>,
  DenseEngine: Symbol.for("natural-quantization.DenseEngine") as InjectionToken<DenseEngine>,
  QubitLayer: Symbol.for("natural-quantization.QubitLayer") as InjectionToken<QubitLayer>,
  Dataset: Symbol.for("natural-quantization.Dataset") as InjectionToken<Dataset>,
  Trainer: Symbol.for("natural-quantization.Trainer") as InjectionToken<Trainer>,
  NeuronModel: Symbol.for("natural-quantization.NeuronModel") as InjectionToken<NeuronPlugin>,
  Clock: Symbol.for("natural-quantization.Clock") as InjectionToken<Clock>,
  ProgressReporter: Symbol.for("natural-quantization.ProgressReporter") as InjectionToken<ProgressReporter>,
} as const;

/**
 * What a backend package exports (as `backend`): its name, a description, what part of a machine
 * it brings, and one function that binds its implementation in a container.
 *
 * - "machine" (default): a simulator, dense engine and exact qubit layer in one (binds Backend,
 *   DenseEngine and QubitLayer; see registerBackend).
 * - "qubits": a qubit layer on borrowed dense math (a device). The composer registers a simulator
 *   first; `register` rebinds Tokens.QubitLayer over the registered Tokens.DenseEngine.
 * - "dense": a dense engine on a borrowed qubit layer. `register` binds Tokens.DenseEngine; the
 *   composer then asks the plugin named by `borrowsQubitsFrom` to `lendQubits` over it.
 */
export interface BackendPlugin {
  readonly name: string;
  readonly description: string;
  readonly provides?: "machine" | "qubits" | "dense";
  /**
   * Where several installed plugins could serve and none is named, the highest priority is
   * chosen (as TensorFlow.js picks a backend). Default 0.
   */
  readonly priority?: number;
  /** For provides "dense": the machine plugin whose qubit layer it borrows (e.g. "sim-cpu"). */
  readonly borrowsQubitsFrom?: string;
  /** Options of its own, which a front end offers beside the shared ones; `register` gets their values as options.settings. */
  readonly options?: readonly PluginOption[];
  /**
   * Options that depend on what the user chose (the hardware backend: those of the provider that
   * `--provider` names); `given(name)` is the value typed for an option, if any. Their values reach
   * `register` in options.settings too.
   */
  moreOptions?(given: (name: string) => string | undefined): Promise<readonly PluginOption[]>;
  /** Binds the implementation; may be asynchronous (kernels compiled, a device asked for its target). */
  register(container: DependencyContainer, options?: BackendOptions): void | Promise<void>;
  /**
   * A machine plugin whose qubit layer works over any dense engine: binds Tokens.QubitLayer over
   * the registered Tokens.DenseEngine (for a dense-only engine).
   */
  lendQubits?(container: DependencyContainer): void | Promise<void>;
}

/** Plugins from the highest priority to the lowest (stable for equal priorities). */
export function byPriority<P extends { readonly priority?: number }>(plugins: readonly P[]): P[] {
  return [...plugins].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0));
}

/** One value per container, made on first use. */
export function once<T>(create: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: create() }).value;
}

/** Binds a simulator backend, one instance per container made on first use, as Backend, DenseEngine and QubitLayer. */
export function registerBackend(container: DependencyContainer, create: () => Backend): void {
  const get = once(create);
  container.register(Tokens.Backend, { useFactory: get });
  container.register(Tokens.DenseEngine, { useFactory: get });
  container.register(Tokens.QubitLayer, { useFactory: get });
}

/** The same for an asynchronous factory (a browser compiles its kernels first): made now, bound once made. */
export async function registerBackendAsync(container: DependencyContainer, create: () => Promise<Backend>): Promise<void> {
  const backend = await create();
  registerBackend(container, () => backend);
}

/**
 * The core bindings: the Trainer (on whatever DenseEngine and QubitLayer are registered), and
 * default Clock and ProgressReporter unless already bound.
 */
export function registerCore(container: DependencyContainer): void {
  if (!container.isRegistered(Tokens.Clock)) container.register(Tokens.Clock, { useValue: systemClock });
  if (!container.isRegistered(Tokens.ProgressReporter)) container.register(Tokens.ProgressReporter, { useValue: silentProgress });
  container.register(Tokens.Trainer, {
    useFactory: (c) =>
      new SgdTrainer(
        { dense: c.resolve(Tokens.DenseEngine), qubits: c.resolve(Tokens.QubitLayer) },
        c.resolve(Tokens.ProgressReporter),
        c.resolve(Tokens.Clock),
        c.isRegistered(Tokens.NeuronModel, true) ? c.resolve(Tokens.NeuronModel) : qubitNeuron,
      ),
  });
}
