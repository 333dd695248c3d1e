/**
 * The part of the `quantum-circuit` npm package (a JavaScript state-vector simulator with an
 * OpenQASM 2 importer; it ships no types) that the local provider and the tests use.
 */
declare module "quantum-circuit" {
  interface QcComplex {
    readonly re: number;
    readonly im: number;
  }
  interface QcGateOptions {
    params?: Record<string, string | number>;
    creg?: { name: string; bit: number };
    condition?: { creg?: string; value?: number };
  }
  interface QcGate {
    readonly name: string;
    readonly connector: number;
    readonly wires: readonly number[];
    readonly options?: QcGateOptions;
  }
  interface QcImportError {
    readonly line: number;
    readonly col: number;
    readonly msg: string;
  }
  class QuantumCircuit {
    constructor(numQubits?: number);
    readonly numQubits: number;
    readonly cregs: Record<string, number[]>;
    readonly basicGates: Record<string, unknown>;
    readonly customGates: Record<string, unknown>;
    importQASM(input: string, errorCallback: (errors: QcImportError[]) => void): void;
    /** The circuit as a plain object; with `decompose`, gates defined in the program (`gate ... { }`) are expanded. */
    save(decompose?: boolean): unknown;
    load(saved: unknown): void;
    numCols(): number;
    getGateAt(column: number, wire: number): QcGate | null;
    appendGate(name: string, wires: number | number[], options?: QcGateOptions): void;
    run(): void;
    stateAsSimpleArray(): QcComplex[];
    /** Amplitudes after run(), keyed by basis index as a decimal string (absent: 0). */
    readonly state: Record<string, QcComplex>;
    /** Placed gates by column, then wire. */
    readonly gates: (QcGate | null)[][];
    /** A classical register's value after run() with measurements (bit i = c[i]). */
    getCregValue(name: string): number;
  }
  export default QuantumCircuit;
}
