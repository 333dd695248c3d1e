// Development probe: whether the cores are equally fast at what the list products do most (loads
// and stores from L1), and whether that holds over time. Each sample pins itself to core 0, then
// core 1, and streams a 32 KB buffer (read, scale, write back) for about 0.1 s on each. FMA rate
// alone (fma-peak.c) does not show it: another virtual machine on the same physical core shares
// its load and store ports, and takes them when it runs.
//   gcc -O2 -mavx512f -pthread packages/sim-native/bench/load-rate.c -o /tmp/load-rate && /tmp/load-rate [samples]
#define _GNU_SOURCE
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "probe.h"

/** GB/s read and written on `cpu` over a 32 KB buffer. */
static double rate(int cpu, float* a, size_t floats) {
  pinToCore(cpu);
  const __m512 s = _mm512_set1_ps(0.999f);
  const int reps = 40000;
  const long long t0 = nowNs();
  for (int r = 0; r < reps; r++)
    for (size_t i = 0; i < floats; i += 16) _mm512_store_ps(a + i, _mm512_mul_ps(_mm512_load_ps(a + i), s));
  return 2.0 * floats * 4 * reps / ((nowNs() - t0) * 1e-9) / 1e9;
}

int main(int argc, char** argv) {
  const int samples = argc > 1 ? atoi(argv[1]) : 5;
  const size_t floats = 32768 / 4;
  float* a = aligned_alloc(64, floats * 4);
  for (size_t i = 0; i < floats; i++) a[i] = 1;
  for (int k = 0; k < samples; k++) {
    const double c0 = rate(0, a, floats), c1 = rate(1, a, floats);
    printf("sample %d: core 0 %.0f GB/s, core 1 %.0f GB/s (core 1 / core 0 = %.2f)\n", k + 1, c0, c1, c1 / c0);
    fflush(stdout);
    if (k + 1 < samples) sleep(5);
  }
  printf("checksum %g\n", a[0]);
  return 0;
}
