// Development experiment: what the thread pool costs per job, apart from any work. A kernel that
// does almost nothing (resetQubits of a 64 x 64 register) is run 20,000 times in 2, 8 and 64
// chunks, on 1 and 2 threads.
//   node packages/sim-native/bench/pool.mjs
import { binding, Kernel } from "../dist/binding.js";

const lib = binding();
for (const threads of [1, 2]) {
  const pool = lib.createPool(threads);
  lib.ensureScratch(pool, 1 << 16);
  const register = lib.alloc(64 * 64);
  const args = new Float64Array(32);
  args[0] = lib.address(register);
  args[1] = 64;
  for (const chunks of [2, 8, 64]) {
    const N = 20000;
    for (let i = 0; i < 2000; i++) lib.run(pool, Kernel.resetQubits, 64, 1, chunks, args, 2);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) lib.run(pool, Kernel.resetQubits, 64, 1, chunks, args, 2);
    console.log(`threads ${threads}, ${chunks} chunks: ${(((performance.now() - t0) / N) * 1000).toFixed(2)} us per job`);
  }
  lib.closePool(pool);
  lib.free(lib.address(register), 64 * 64);
}
