import type QuantumCircuit from "quantum-circuit";

let loaded: typeof QuantumCircuit | null = null;

/**
 * Loads the npm simulator quantum-circuit on first use, so only runs of the local provider pay
 * for it. Its bundled ANTLR parser reads a property of a module still loading, which makes Node
 * print a harmless "INVALID_ALT_NUMBER ... circular dependency" warning; that one warning is
 * dropped while it loads.
 */
export async function loadQuantumCircuit(): Promise<typeof QuantumCircuit> {
  if (!loaded) {
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
      if (String(warning).includes("INVALID_ALT_NUMBER")) return;
      (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      loaded = (await import("quantum-circuit")).default;
    } finally {
      process.emitWarning = emit;
    }
  }
  return loaded;
}

/** The simulator, once loadQuantumCircuit() has resolved. */
export function quantumCircuit(): typeof QuantumCircuit {
  if (!loaded) throw new Error("quantum-circuit is not loaded yet: await loadQuantumCircuit() first");
  return loaded;
}
