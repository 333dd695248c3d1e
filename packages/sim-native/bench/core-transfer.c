// Development probe: what it costs when one core writes a block and another core reads it, as the
// activations of a training step do between the pool's threads. 128 KB is one 64 x 512 float32
// activation of the paper network. Two threads pinned to cores `writer` and `reader` take turns
// 2,000 times: the writer fills the block, the reader reads it (an XOR of its words, vectorized). Each phase is timed on its own
// thread; with both on the same core the block never leaves that core's caches.
//   gcc -O3 -mavx2 -pthread packages/sim-native/bench/core-transfer.c -o /tmp/core-transfer
//   /tmp/core-transfer 0 1; /tmp/core-transfer 0 0
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

enum { BYTES = 128 * 1024, ROUNDS = 2000 };
static float* block;
static _Atomic int turn;
static double writeSeconds, readSeconds;
static volatile uint32_t sink;

static void* writer(void* arg) {
  pinToCore(*(int*)arg);
  for (int r = 0; r < ROUNDS; r++) {
    while (atomic_load(&turn) != 0) {
    }
    const long long t0 = nowNs();
    const float v = (float)r;
    for (size_t i = 0; i < BYTES / 4; i++) block[i] = v;
    writeSeconds += (nowNs() - t0) * 1e-9;
    atomic_store(&turn, 1);
  }
  return NULL;
}

static void* reader(void* arg) {
  pinToCore(*(int*)arg);
  for (int r = 0; r < ROUNDS; r++) {
    while (atomic_load(&turn) != 1) {
    }
    const long long t0 = nowNs();
    const uint32_t* words = (const uint32_t*)block;
    uint32_t x = 0;
    for (size_t i = 0; i < BYTES / 4; i++) x ^= words[i];
    sink = x;
    readSeconds += (nowNs() - t0) * 1e-9;
    atomic_store(&turn, 0);
  }
  return NULL;
}

int main(int argc, char** argv) {
  int cores[2] = {argc > 1 ? atoi(argv[1]) : 0, argc > 2 ? atoi(argv[2]) : 1};
  block = aligned_alloc(64, BYTES);
  memset(block, 0, BYTES);
  pthread_t w, r;
  pthread_create(&w, NULL, writer, &cores[0]);
  pthread_create(&r, NULL, reader, &cores[1]);
  pthread_join(w, NULL);
  pthread_join(r, NULL);
  printf("128 KB written on core %d and read on core %d: write %.1f us, read %.1f us\n", cores[0], cores[1], writeSeconds / ROUNDS * 1e6,
         readSeconds / ROUNDS * 1e6);
  return 0;
}
