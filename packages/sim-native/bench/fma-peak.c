// Development probe: the float32 FMA rate one core sustains (12 independent AVX-512 FMA chains,
// enough to keep two FMA units busy through their latency). Run one copy per core at once to see
// whether the cores are independent:
//   gcc -O2 -mavx512f -mfma packages/sim-native/bench/fma-peak.c -o /tmp/fma-peak
//   /tmp/fma-peak; taskset -c 0 /tmp/fma-peak & taskset -c 1 /tmp/fma-peak & wait
// GFLOP/s / 32 (16 lanes x 2 FLOP) / 2 (FMA units) is the clock the core sustains.
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  __m512 acc[12];
  const __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) acc[i] = _mm512_set1_ps((float)i);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const long n = 400000000L;
  for (long k = 0; k < n; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) acc[i] = _mm512_fmadd_ps(acc[i], b, c);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  const double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  float sum = 0;
  for (int i = 0; i < 12; i++) sum += _mm512_reduce_add_ps(acc[i]);
  printf("%.1f GFLOP/s (%.3f s; checksum %g)\n", (double)n * 12 * 32 / s / 1e9, s, sum);
  return 0;
}
