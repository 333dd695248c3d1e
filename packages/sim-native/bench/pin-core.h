// Shared by the C probes of this folder: pins the calling thread to one core, or exits with a
// message (a probe on the wrong core would measure something else). Include after _GNU_SOURCE.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static void pinToCore(int core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0) {
    fprintf(stderr, "cannot pin a thread to core %d\n", core);
    exit(1);
  }
}
