// WebAssembly kernels of sim-wasm (AssemblyScript, SIMD): the entry that asc compiles into one
// module (dist/kernels.wasm). Each concern lives in a file of its own; this file only chooses
// what the module exports.
//
// Memory is owned by the JavaScript side (src/heap.ts): every pointer is a byte address into the
// shared linear memory, every stride is in floats. Matrices are row-major with rows padded to a
// multiple of 4 floats; the padding is always zero, so a row is a whole number of f32x4 vectors.
//
// Every kernel that runs on several threads takes a half-open range [r0, r1) of the rows (or
// output columns, or elements) it computes and a scratch area private to the calling thread. The
// value of each output element never depends on that range, so results are the same for every
// thread count and every split (src/pool.ts).

// Products: sparse inputs, +1/-1 inputs (row lists and look-up tables).
export { gemmSparse } from "./sparse";
export { gemmSign } from "./sign";
export { signMasksT } from "./signbits";
export { gemmSignTable, signTables } from "./sign-table";
// Layout changes, sums, elementwise training steps.
export { colSums, rowSums, sgd, straightThrough, transpose } from "./matrix";
// Neurons.
export { NeuronMode, neuronLayer, resetQubits, storeBasisStates } from "./neuron";
// Test hooks.
export { philoxWords } from "./philox";
export { cosHalfPi, fastProb } from "./math64";
export { fastProb32 } from "./math32";

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
