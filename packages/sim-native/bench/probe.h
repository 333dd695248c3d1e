// Shared by the C probes of this folder: pinning a thread to a core, and the clock they read.
// Include after _GNU_SOURCE.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/** Nanoseconds of the monotonic clock. */
static long long nowNs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/** Pins the calling thread to one core, or exits with a message (a probe on the wrong core would measure something else). */

static void pinToCore(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
    fprintf(stderr, "cannot pin a thread to core %d\n", core);
    exit(1);
  }
}
