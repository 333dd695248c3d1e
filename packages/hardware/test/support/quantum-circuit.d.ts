declare module "quantum-circuit" {
  interface Complex {
    re: number;
    im: number;
  }
  interface PlacedGate {
    name: string;
  }
  class QuantumCircuit {
    constructor(numQubits?: number);
    numQubits: number;
    state: Record<string, Complex>;
    gates: (PlacedGate | null)[][];
    basicGates: Record<string, unknown>;
    importQASM(input: string, errorCallback?: (errors: unknown[]) => void): void;
    run(): void;
    getCregValue(name: string): number;
  }
  export default QuantumCircuit;
}
