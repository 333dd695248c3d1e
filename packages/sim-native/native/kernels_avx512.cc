// The kernels compiled for avx512 (build flags in scripts/build-native.mjs and binding.gyp).
#define NQ_ISA avx512
#define NQ_LANES 16
#include "kernels.inc.cc"
