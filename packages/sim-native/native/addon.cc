// The Node-API side of sim-native: memory blocks for tensors, a thread pool that runs the kernels
// of kernels.inc.cc in chunks, and the choice of instruction set at load time.

#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kernels.h"

namespace nq {
namespace {

// ---------------------------------------------------------------------------------------------
// Instruction set

const KernelTable* pickKernels(const char* wanted, const char** error) {
  *error = nullptr;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (wanted && *wanted) {
    if (!strcmp(wanted, "avx512")) {
      if (avx512) return kernels_avx512();
      *error = "this CPU has no AVX-512 (F, BW, DQ, VL)";
      return nullptr;
    }
    if (!strcmp(wanted, "avx2")) {
      if (avx2) return kernels_avx2();
      *error = "this CPU has no AVX2 with FMA";
      return nullptr;
    }
    if (!strcmp(wanted, "portable")) return kernels_portable();
    *error = "unknown instruction set (allowed: avx512, avx2, portable)";
    return nullptr;
  }
  if (avx512) return kernels_avx512();
  if (avx2) return kernels_avx2();
  return kernels_portable();
#else
  if (wanted && *wanted && strcmp(wanted, "portable") != 0) {
    *error = "only the portable kernels exist on this architecture";
    return nullptr;
  }
  return kernels_portable();
#endif
}

// ---------------------------------------------------------------------------------------------
// Thread pool

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/** Polls of an idle thread before it sleeps (a few tens of microseconds: kernels come microseconds apart). */
const int SPIN = 4000;
/**
 * A gap this long between two checks of a polling thread (256 polls, microseconds apart) means the
 * OS took its core away: other processes want the cores, and polling only takes time from the
 * thread it waits for. Every thread then sleeps at once instead, for CONTENDED_NS.
 */
const int64_t PREEMPTED_NS = 1'000'000;
const int64_t CONTENDED_NS = 1'000'000'000;

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
const int MAX_ARGS = 32;
const int64_t MAX_CHUNKS = 4095;

/**
 * The threads of a backend: the calling (main) thread plus `threads - 1` workers. A job's range
 * is cut into chunks that depend only on the job (never on the thread count). Each thread first
 * runs its own share of the chunks (thread t of T: chunks [t count / T, (t + 1) count / T)) from
 * the front, then takes what is left of the others' shares from their backs. So a thread computes
 * the same rows in every job of the same shape: a weight's rows are updated by the thread that
 * updated them the step before, and stay in that core's caches.
 * Between cores of different dies a cache line takes a quarter of a microsecond to move, so a
 * thread touches no shared line per chunk: its share is one word (job number, front, back) that
 * only thieves also touch, and it reports its chunks done and their results once per job.
 */
class Pool {
 public:
  explicit Pool(int threads) : threads_(threads), scratch_(threads), shares_(threads) {
    for (int t = 1; t < threads; t++) workers_.emplace_back([this, t] { workerMain(t); });
  }

  ~Pool() { close(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    stop_.store(true);
    seq_.fetch_add(1);
    seq_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  int threads() const { return threads_; }

  /** Every thread's scratch area has at least `bytes` bytes (64-byte aligned). */
  void ensureScratch(size_t bytes) {
    if (bytes <= scratchSize_) return;
    size_t size = bytes > 2 * scratchSize_ ? bytes : 2 * scratchSize_;
    size = (size + 63) & ~size_t(63);
    for (auto& s : scratch_) {
      free(s);
      s = static_cast<char*>(aligned_alloc(64, size));
      memset(s, 0, size);
    }
    scratchSize_ = size;
  }

  /**
   * Runs kernel(args, scratch, start, end) over [0, total) in chunks whose bounds are multiples
   * of `granule`; returns the sum of the chunks' results. `chunks` is the job's chunk count
   * (the caller derives it from the job's size alone).
   */
  int64_t run(Kernel fn, const double* args, int argc, int64_t total, int64_t granule, int64_t chunks) {
    const int64_t units = (total + granule - 1) / granule;
    if (chunks > units) chunks = units;
    if (chunks > MAX_CHUNKS) chunks = MAX_CHUNKS;
    if (threads_ == 1 || chunks < 2) return fn(args, scratch_[0], 0, total);
    fn_ = fn;
    memcpy(args_, args, sizeof(double) * argc);
    total_ = total;
    chunk_ = ((units + chunks - 1) / chunks) * granule;
    const int64_t count = (total + chunk_ - 1) / chunk_;
    result_.store(0, std::memory_order_relaxed);
    pending_.store(count, std::memory_order_relaxed);
    // The shares are not reset here: a share tagged with an older job counts as untouched, so
    // each thread's share line is written only by itself and by thieves.
    job_.store((++jobs_ << 16) | uint64_t(count), std::memory_order_release);
    const uint32_t s = seq_.load(std::memory_order_relaxed) + 1;
    seq_.store(s, std::memory_order_release);
    seq_.notify_all();
    runChunks(0);
    int64_t last = 0;
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; spin++) {
      if (spin < SPIN && !contended(spin, last)) {
        cpuRelax();
        continue;
      }
      const int64_t v = pending_.load(std::memory_order_acquire);
      if (v != 0) pending_.wait(v, std::memory_order_acquire);
    }
    return result_.load(std::memory_order_relaxed);
  }

 private:
  void runChunks(int self) {
    // The job's number and chunk count come from one word, so a thread late for a job sees both of
    // the same job.
    const uint64_t packed = job_.load(std::memory_order_acquire);
    const uint64_t job = packed >> 16;
    const int64_t count = int64_t(packed & 0xffff);
    int64_t done = 0, sum = 0;
    for (int64_t i; (i = claim(self, job, count, true)) >= 0; done++) sum += runChunk(i, self);
    for (int o = 1; o < threads_; o++)
      for (int64_t i; (i = claim((self + o) % threads_, job, count, false)) >= 0; done++) sum += runChunk(i, self);
    if (done == 0) return;
    if (sum != 0) result_.fetch_add(sum, std::memory_order_relaxed);
    if (pending_.fetch_sub(done, std::memory_order_acq_rel) == done) pending_.notify_all();
  }

  /**
   * A chunk of thread t's share (its front, or its back for a thief), or -1: none left, or a
   * newer job began. A share word packs the job (40 bits) and the chunks taken from its front and
   * back (12 bits each); a word of an older job means none taken yet.
   */
  int64_t claim(int t, uint64_t job, int64_t count, bool front) {
    std::atomic<uint64_t>& share = shares_[t].taken;
    const int64_t lo = t * count / threads_, hi = (t + 1) * count / threads_;
    uint64_t v = share.load(std::memory_order_acquire);
    for (;;) {
      const uint64_t tag = v >> 24;
      if (tag > job) return -1;
      const uint64_t taken = tag == job ? v & 0xffffff : 0;
      const int64_t f = int64_t(taken >> 12), b = int64_t(taken & 0xfff);
      if (lo + f >= hi - b) return -1;
      const uint64_t next = (job << 24) | (front ? taken + (1 << 12) : taken + 1);
      if (share.compare_exchange_weak(v, next, std::memory_order_acq_rel)) return front ? lo + f : hi - b - 1;
    }
  }

  int64_t runChunk(int64_t i, int self) {
    const int64_t r0 = i * chunk_;
    const int64_t r1 = r0 + chunk_ < total_ ? r0 + chunk_ : total_;
    return fn_(args_, scratch_[self], r0, r1);
  }

  /** While polling: true if the cores are contended (see PREEMPTED_NS); checks the clock every 256 polls. */
  bool contended(int spin, int64_t& last) {
    if ((spin & 255) != 0) return false;
    const int64_t now = nowNs();
    if (last != 0 && now - last > PREEMPTED_NS) contendedUntil_.store(now + CONTENDED_NS, std::memory_order_relaxed);
    last = now;
    return now < contendedUntil_.load(std::memory_order_relaxed);
  }

  void workerMain(int self) {
    uint32_t seen = 0;
    for (;;) {
      uint32_t s;
      int64_t last = 0;
      for (int spin = 0; (s = seq_.load(std::memory_order_acquire)) == seen; spin++) {
        if (spin < SPIN && !contended(spin, last)) cpuRelax();
        else seq_.wait(seen, std::memory_order_acquire);
      }
      seen = s;
      if (stop_.load()) return;
      runChunks(self);
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::vector<char*> scratch_;
  size_t scratchSize_ = 0;
  bool closed_ = false;
  std::atomic<bool> stop_{false};
  alignas(64) std::atomic<uint32_t> seq_{0};
  alignas(64) std::atomic<uint64_t> job_{0};
  uint64_t jobs_ = 0;
  alignas(64) std::atomic<int64_t> pending_{0};
  alignas(64) std::atomic<int64_t> result_{0};
  std::atomic<int64_t> contendedUntil_{0};
  alignas(64) Kernel fn_ = nullptr;
  int64_t total_ = 0, chunk_ = 1;
  double args_[MAX_ARGS];
  /** Per thread: the chunks taken from its share (see claim). */
  struct alignas(64) Share {
    std::atomic<uint64_t> taken{0};
  };
  std::vector<Share> shares_;
};

// ---------------------------------------------------------------------------------------------
// Node-API glue

const KernelTable* g_kernels = nullptr;

#define CHECK(call)                                                 \
  do {                                                              \
    if ((call) != napi_ok) {                                        \
      napi_throw_error(env, nullptr, "sim-native: " #call " failed"); \
      return nullptr;                                               \
    }                                                               \
  } while (0)

napi_value throwError(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

template <int N>
bool getArgs(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < N) {
    napi_throw_type_error(env, nullptr, "sim-native: too few arguments");
    return false;
  }
  return true;
}

void finalizePool(napi_env, void* data, void*) { delete static_cast<Pool*>(data); }

/** createPool(threads) -> external pool. */
napi_value createPool(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!getArgs(env, info, argv)) return nullptr;
  int32_t threads;
  CHECK(napi_get_value_int32(env, argv[0], &threads));
  if (threads < 1 || threads > 1024) return throwError(env, "sim-native: threads must be an integer in 1..1024");
  Pool* pool = new Pool(threads);
  napi_value out;
  CHECK(napi_create_external(env, pool, finalizePool, nullptr, &out));
  return out;
}

Pool* getPool(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, nullptr, "sim-native: not a pool");
    return nullptr;
  }
  return static_cast<Pool*>(p);
}

/** closePool(pool): stops and joins the workers (the pool must not be used afterwards). */
napi_value closePool(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!getArgs(env, info, argv)) return nullptr;
  Pool* pool = getPool(env, argv[0]);
  if (!pool) return nullptr;
  pool->close();
  return nullptr;
}

/** ensureScratch(pool, bytes). */
napi_value ensureScratch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!getArgs(env, info, argv)) return nullptr;
  Pool* pool = getPool(env, argv[0]);
  if (!pool) return nullptr;
  double bytes;
  CHECK(napi_get_value_double(env, argv[1], &bytes));
  pool->ensureScratch(size_t(bytes));
  return nullptr;
}

/** run(pool, kernel, total, granule, chunks, args: Float64Array, argc) -> sum of the chunks' results. */
napi_value run(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!getArgs(env, info, argv)) return nullptr;
  Pool* pool = getPool(env, argv[0]);
  if (!pool) return nullptr;
  int32_t kernel, argc;
  int64_t total, granule, chunks;
  CHECK(napi_get_value_int32(env, argv[1], &kernel));
  CHECK(napi_get_value_int64(env, argv[2], &total));
  CHECK(napi_get_value_int64(env, argv[3], &granule));
  CHECK(napi_get_value_int64(env, argv[4], &chunks));
  CHECK(napi_get_value_int32(env, argv[6], &argc));
  napi_typedarray_type type;
  size_t length;
  void* data;
  CHECK(napi_get_typedarray_info(env, argv[5], &type, &length, &data, nullptr, nullptr));
  if (type != napi_float64_array || argc < 0 || size_t(argc) > length || argc > MAX_ARGS) return throwError(env, "sim-native: bad kernel arguments");
  if (kernel < 0 || kernel >= K_COUNT) return throwError(env, "sim-native: unknown kernel");
  if (total <= 0) return number(env, 0);
  if (granule < 1) granule = 1;
  return number(env, double(pool->run(g_kernels->kernels[kernel], static_cast<double*>(data), argc, total, granule, chunks)));
}

/** alloc(bytes) -> ArrayBuffer over zeroed, 64-byte aligned native memory (freed by free()). */
napi_value alloc(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!getArgs(env, info, argv)) return nullptr;
  double bytes;
  CHECK(napi_get_value_double(env, argv[0], &bytes));
  if (!(bytes >= 0 && bytes < 1e12)) return throwError(env, "sim-native: bad allocation size");
  const size_t size = (size_t(bytes) + 63) & ~size_t(63);
  void* p = aligned_alloc(64, size ? size : 64);
  if (!p) return throwError(env, "sim-native: out of memory");
  memset(p, 0, size ? size : 64);
  napi_value out;
  if (napi_create_external_arraybuffer(env, p, size_t(bytes), nullptr, nullptr, &out) != napi_ok) {
    free(p);
    return throwError(env, "sim-native: napi_create_external_arraybuffer failed");
  }
  int64_t adjusted;
  napi_adjust_external_memory(env, int64_t(size), &adjusted);
  return out;
}

/** address(arrayBuffer) -> its first byte's address as a number (exact below 2^53). */
napi_value address(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!getArgs(env, info, argv)) return nullptr;
  void* data;
  size_t length;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &length));
  return number(env, double(uintptr_t(data)));
}

/** free(address, bytes): frees a block of alloc() (its ArrayBuffer must not be used again). */
napi_value freeBlock(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!getArgs(env, info, argv)) return nullptr;
  double at, bytes;
  CHECK(napi_get_value_double(env, argv[0], &at));
  CHECK(napi_get_value_double(env, argv[1], &bytes));
  free(reinterpret_cast<void*>(uintptr_t(at)));
  int64_t adjusted;
  napi_adjust_external_memory(env, -int64_t((size_t(bytes) + 63) & ~size_t(63)), &adjusted);
  return nullptr;
}

/** detach(arrayBuffer): later access through it sees an empty buffer instead of freed memory. */
napi_value detach(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!getArgs(env, info, argv)) return nullptr;
  CHECK(napi_detach_arraybuffer(env, argv[0]));
  return nullptr;
}

napi_value exportFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn));
  CHECK(napi_set_named_property(env, exports, name, fn));
  return exports;
}

napi_value init(napi_env env, napi_value exports) {
  const char* error = nullptr;
  const char* wanted = getenv("NQ_NATIVE_ISA");
  g_kernels = pickKernels(wanted, &error);
  if (!g_kernels) {
    char message[256];
    snprintf(message, sizeof message, "sim-native: NQ_NATIVE_ISA=%s: %s", wanted, error);
    return throwError(env, message);
  }
  napi_value isa, lanes;
  CHECK(napi_create_string_utf8(env, g_kernels->isa, NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_create_int32(env, g_kernels->lanes, &lanes));
  CHECK(napi_set_named_property(env, exports, "isa", isa));
  CHECK(napi_set_named_property(env, exports, "lanes", lanes));
  exportFunction(env, exports, "createPool", createPool);
  exportFunction(env, exports, "closePool", closePool);
  exportFunction(env, exports, "ensureScratch", ensureScratch);
  exportFunction(env, exports, "run", run);
  exportFunction(env, exports, "alloc", alloc);
  exportFunction(env, exports, "address", address);
  exportFunction(env, exports, "free", freeBlock);
  exportFunction(env, exports, "detach", detach);
  return exports;
}

}  // namespace
}  // namespace nq

NAPI_MODULE(NODE_GYP_MODULE_NAME, nq::init)
