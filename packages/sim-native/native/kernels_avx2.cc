// The kernels compiled for avx2 (build flags in scripts/build-native.mjs and binding.gyp).
#define NQ_ISA avx2
#define NQ_LANES 8
#include "kernels.inc.cc"
