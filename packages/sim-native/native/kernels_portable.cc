// The kernels compiled for portable (build flags in scripts/build-native.mjs and binding.gyp).
#define NQ_ISA portable
#define NQ_LANES 4
#include "kernels.inc.cc"
