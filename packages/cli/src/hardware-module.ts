// The hardware package is reached by name at run time, like every backend: the CLI resolves and
// imports it only when a command needs a device, a target or simulated noise, so no static import
// ties the CLI to it. Its types come from a type-only import, which the build erases.
import { resolve as resolveModule } from "import-meta-resolve";
import { UserError } from "@natural-quantization/core";
import type * as HardwarePackage from "@natural-quantization/hardware";
import { isModuleNotFound } from "@natural-quantization/core/node";
import { KNOWN_BACKENDS } from "./backends.js";

/** What the hardware package exports: targets, providers, circuits, costs and noise. */
export type Hardware = typeof HardwarePackage;

let loaded: Promise<Hardware> | undefined;

/** The hardware package (`--backend hardware`'s), imported on first use. */
export function loadHardware(): Promise<Hardware> {
  return (loaded ??= importHardware());
}

async function importHardware(): Promise<Hardware> {
  const name = KNOWN_BACKENDS.hardware!;
  let url: string;
  try {
    url = resolveModule(name, import.meta.url);
  } catch (e) {
    if (isModuleNotFound(e)) throw new UserError(`devices, targets and simulated noise need the package ${name}; install it with npm install ${name}`);
    throw e;
  }
  return (await import(url)) as Hardware;
}
