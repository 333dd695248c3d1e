// Types only: core's main entry loads no DI library, so it has no global side effects. A user of
// the container loads tsyringe (and, before it, reflect-metadata) in their own code.
import type { DependencyContainer, InjectionToken } from "tsyringe";
import type { Backend, BackendOptions, DenseEngine, QubitLayer } from "./backend.js";
import type { Dataset } from "./dataset.js";
import { SgdTrainer, silentProgress, systemClock, type Clock, type ProgressReporter, type Trainer } from "./trainer.js";

/**
 * Injection tokens of the framework. A simulator package binds `Backend` (and through it
 * `DenseEngine` and `QubitLayer`); a hardware package rebinds `QubitLayer`; the CLI binds the rest.
 */
export const Tokens = {
  Backend: Symbol.for("natural-quantization.Backend") as InjectionToken<Backend>,
  DenseEngine: Symbol.for("natural-quantization.DenseEngine") as InjectionToken<DenseEngine>,
  QubitLayer: Symbol.for("natural-quantization.QubitLayer") as InjectionToken<QubitLayer>,
  Dataset: Symbol.for("natural-quantization.Dataset") as InjectionToken<Dataset>,
  Trainer: Symbol.for("natural-quantization.Trainer") as InjectionToken<Trainer>,
  Clock: Symbol.for("natural-quantization.Clock") as InjectionToken<Clock>,
  ProgressReporter: Symbol.for("natural-quantization.ProgressReporter") as InjectionToken<ProgressReporter>,
} as const;

/**
 * What a backend package exports (as `backend`): its name, a description, and one function
 * that binds its implementation in a container.
 */
export interface BackendPlugin {
  readonly name: string;
  readonly description: string;
  /**
   * True for a backend that brings only a qubit layer (a device) and borrows a simulator's dense
   * math: the composer registers a simulator first, and `register` rebinds `Tokens.QubitLayer`.
   */
  readonly borrowsDense?: boolean;
  /** Binds the implementation; may be asynchronous (a device is asked for its target first). */
  register(container: DependencyContainer, options?: BackendOptions): void | Promise<void>;
}

/** One value per container, made on first use. */
export function once<T>(create: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: create() }).value;
}

/** Binds a simulator backend, one instance per container, as Backend, DenseEngine and QubitLayer. */
export function registerBackend(container: DependencyContainer, create: () => Backend): void {
  const get = once(create);
  container.register(Tokens.Backend, { useFactory: get });
  container.register(Tokens.DenseEngine, { useFactory: get });
  container.register(Tokens.QubitLayer, { useFactory: get });
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
      new SgdTrainer({ dense: c.resolve(Tokens.DenseEngine), qubits: c.resolve(Tokens.QubitLayer) }, c.resolve(Tokens.ProgressReporter), c.resolve(Tokens.Clock)),
  });
}
