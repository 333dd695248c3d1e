// tsyringe checks for the Reflect metadata API when it loads.
import "reflect-metadata";
import type { DependencyContainer, InjectionToken } from "tsyringe";
import { instanceCachingFactory } from "tsyringe";
import type { Backend, BackendOptions } from "./backend.js";
import type { Dataset } from "./dataset.js";
import { QubitNeuronModel, type NeuronModel, type NeuronParams } from "./neuron.js";
import { SgdTrainer, silentProgress, systemClock, type Clock, type ProgressReporter, type Trainer } from "./trainer.js";

/** Injection tokens of the framework. A backend package binds `Tokens.Backend`; the CLI binds the rest. */
export const Tokens = {
  Backend: Symbol.for("natural-quantization.Backend") as InjectionToken<Backend>,
  Dataset: Symbol.for("natural-quantization.Dataset") as InjectionToken<Dataset>,
  NeuronParams: Symbol.for("natural-quantization.NeuronParams") as InjectionToken<NeuronParams>,
  NeuronModel: Symbol.for("natural-quantization.NeuronModel") as InjectionToken<NeuronModel>,
  Trainer: Symbol.for("natural-quantization.Trainer") as InjectionToken<Trainer>,
  Clock: Symbol.for("natural-quantization.Clock") as InjectionToken<Clock>,
  ProgressReporter: Symbol.for("natural-quantization.ProgressReporter") as InjectionToken<ProgressReporter>,
} as const;

/**
 * What a backend package exports (as `backend`): its name, a description, and one function
 * that binds its implementation to `Tokens.Backend` in a container.
 */
export interface BackendPlugin {
  readonly name: string;
  readonly description: string;
  register(container: DependencyContainer, options?: BackendOptions): void;
}

/** Binds a backend factory to Tokens.Backend, one instance per container. */
export function registerBackend(container: DependencyContainer, create: () => Backend): void {
  container.register(Tokens.Backend, { useFactory: instanceCachingFactory(() => create()) });
}

/**
 * The core bindings: the Trainer (built on whatever Backend is registered), the NeuronModel
 * (from the registered NeuronParams), and default Clock and ProgressReporter unless already bound.
 */
export function registerCore(container: DependencyContainer): void {
  if (!container.isRegistered(Tokens.Clock)) container.register(Tokens.Clock, { useValue: systemClock });
  if (!container.isRegistered(Tokens.ProgressReporter)) container.register(Tokens.ProgressReporter, { useValue: silentProgress });
  container.register(Tokens.NeuronModel, { useFactory: (c) => new QubitNeuronModel(c.resolve(Tokens.NeuronParams)) });
  container.register(Tokens.Trainer, {
    useFactory: (c) => new SgdTrainer(c.resolve(Tokens.Backend), c.resolve(Tokens.ProgressReporter), c.resolve(Tokens.Clock)),
  });
}
