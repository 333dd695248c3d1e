// The kernels of sim-native as one table per instruction set (kernels.inc.cc is compiled once
// per ISA; addon.cc picks a table at load time).
//
// Every kernel takes its arguments as float64 slots (pointers are byte addresses as numbers, as
// the JavaScript side keeps them), the calling thread's scratch area, and a half-open range
// [r0, r1) of the rows (or output columns, or elements) it computes. The value of each output
// element never depends on that range, so results are the same for every thread count.
#pragma once
#include <stdint.h>

namespace nq {

typedef int64_t (*Kernel)(const double* args, char* scratch, int64_t r0, int64_t r1);

enum KernelId {
  K_GEMM_SPARSE = 0,
  K_GEMM_SIGN,
  K_SIGN_MASKS_T,
  K_TRANSPOSE,
  K_COL_SUMS,
  K_STRAIGHT_THROUGH,
  K_SGD,
  K_NEURON_LAYER,
  K_STORE_BASIS_STATES,
  K_RESET_QUBITS,
  K_PHILOX_WORDS,
  K_PROB64,
  K_PROB32,
  K_GEMM_NT,
  K_GRADIENT_STEP,
  K_SUM_GROUPS,
  K_COUNT
};

struct KernelTable {
  const char* isa;
  /** Floats per vector register of this instruction set. */
  int lanes;
  Kernel kernels[K_COUNT];
};

const KernelTable* kernels_avx512();
const KernelTable* kernels_avx2();
const KernelTable* kernels_portable();

}  // namespace nq
