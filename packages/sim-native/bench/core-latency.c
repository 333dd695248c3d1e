// Development probe: how long a cache line takes to move from one core to another. Two threads,
// pinned to cores 0 and 1, hand a counter back and forth 200,000 times; half a round trip is the
// one-way latency. Tens of nanoseconds mean the cores share a cache; hundreds, that they sit on
// different dies (then every line one core writes and the other reads costs that much).
//   gcc -O2 -pthread packages/sim-native/bench/core-latency.c -o /tmp/core-latency && /tmp/core-latency
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>

#include "probe.h"

static _Atomic int flag __attribute__((aligned(64)));
static const int N = 200000;

static void* answer(void* unused) {
  (void)unused;
  pinToCore(1);
  for (int i = 0; i < N; i++) {
    while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 1) {
    }
    atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
  }
  return 0;
}

int main(void) {
  pthread_t other;
  pinToCore(0);
  pthread_create(&other, 0, answer, 0);
  const long long a = nowNs();
  for (int i = 0; i < N; i++) {
    atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
    while (atomic_load_explicit(&flag, memory_order_acquire) != 2 * i + 2) {
    }
  }
  const double ns = (double)(nowNs() - a);
  pthread_join(other, 0);
  printf("round trip %.1f ns, one way %.1f ns\n", ns / N, ns / N / 2);
  return 0;
}
