// Development probe: how often the virtual machine's cores stop running our code for a while (the
// host runs something else on them). One thread per core reads the clock in a tight loop for a
// few seconds, both at once, and counts the gaps between two reads longer than 5 us. Threads that
// wait for each other at the end of every kernel call lose each such gap on either core.
//   gcc -O2 -pthread packages/sim-native/bench/vcpu-gaps.c -o /tmp/vcpu-gaps && /tmp/vcpu-gaps [seconds]
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "probe.h"

static double seconds = 3;

static void* watch(void* arg) {
  const int cpu = *(int*)arg;
  pinToCore(cpu);
  const long long start = nowNs(), end = start + (long long)(seconds * 1e9);
  long long prev = start, over5 = 0, over20 = 0, over100 = 0, lost = 0, longest = 0;
  for (long long t = start; t < end; prev = t) {
    t = nowNs();
    const long long gap = t - prev;
    if (gap <= 5000) continue;
    over5++;
    lost += gap;
    if (gap > 20000) over20++;
    if (gap > 100000) over100++;
    if (gap > longest) longest = gap;
  }
  printf("core %d: %.0f gaps > 5 us per second (%.0f > 20 us, %.1f > 100 us), %.2f%% of the time lost, longest %.0f us\n", cpu,
         over5 / seconds, over20 / seconds, over100 / seconds, 100.0 * lost / (seconds * 1e9), longest / 1e3);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc > 1) seconds = atof(argv[1]);
  int cores[2] = {0, 1};
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, watch, &cores[i]);
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  return 0;
}
