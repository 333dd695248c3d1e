// The kernels of sim-native, written once with GCC vector extensions and compiled once per
// instruction set (kernels_avx512.cc, kernels_avx2.cc, kernels_portable.cc define NQ_ISA and
// NQ_LANES and include this file). Everything lives in a namespace of its own and is static, so
// no function compiled for one instruction set can be picked by the linker for another.
//
// Memory belongs to the JavaScript side: pointers are byte addresses, strides are in floats.
// Rows are padded to a multiple of 16 floats (one AVX-512 vector) and the padding is always zero,
// so a row is a whole number of vectors on every instruction set.
//
// The algorithms are those of sim-wasm (packages/sim-wasm/assembly): products with sparse or
// +1/-1 left operands as lists of rows of the right operand, incremental updates of +1/-1 products
// from the flips of their input, the float32 screen of Model 1's neurons with float64 decisions
// near the boundary, and the float64 general path of Model 2.

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include "kernels.h"

namespace nq {
namespace NQ_ISA {

static const int V = NQ_LANES;       // floats per vector
static const int VD = NQ_LANES / 2;  // doubles per vector
typedef float vf __attribute__((vector_size(V * 4)));
typedef int32_t vi __attribute__((vector_size(V * 4)));
typedef uint32_t vu __attribute__((vector_size(V * 4)));
typedef uint64_t vu64 __attribute__((vector_size(V * 8)));
typedef uint64_t vh __attribute__((vector_size(V * 4)));  // the lanes of a vu, in pairs
typedef int8_t vb __attribute__((vector_size(V)));
typedef float vfh __attribute__((vector_size(VD * 4)));  // VD floats (half a vf)
typedef int8_t vbh __attribute__((vector_size(VD)));
typedef uint32_t vuh __attribute__((vector_size(VD * 4)));
typedef double vd __attribute__((vector_size(VD * 8)));
typedef int64_t vl __attribute__((vector_size(VD * 8)));

/** Accumulator vectors of one column tile (kept in registers). */
static const int TILE = 8;
/**
 * Rows of a list product computed together: their lists are built first, then each column tile of
 * B is summed for all of them, slab by slab (see SLAB_ROWS), so each slab of B is read from L1 by
 * every row of the block instead of streaming all of B once per row.
 */
static const int ROW_BLOCK = 32;

struct Entry {
  int32_t off;  // float offset of a row of B
  float coef;
};

static inline vf ld(const float* p) { vf v; memcpy(&v, p, sizeof v); return v; }
static inline void st(float* p, vf v) { memcpy(p, &v, sizeof v); }
static inline vd ldd(const double* p) { vd v; memcpy(&v, p, sizeof v); return v; }
static inline void std_(double* p, vd v) { memcpy(p, &v, sizeof v); }
static inline vf splat(float x) { return vf{} + x; }
static inline vd splatd(double x) { return vd{} + x; }

/** Bit l set where lane l of a comparison result is true (its sign bit). */
static inline uint32_t movemask(vi m) {
#if NQ_LANES == 16
  return (uint32_t)_mm512_movepi32_mask((__m512i)m);
#elif NQ_LANES == 8 && defined(__AVX2__)
  return (uint32_t)_mm256_movemask_ps((__m256)m);
#elif NQ_LANES == 4 && defined(__SSE2__)
  return (uint32_t)_mm_movemask_ps((__m128)m);
#else
  uint32_t bits = 0;
  for (int l = 0; l < V; l++) bits |= (uint32_t)(m[l] < 0) << l;
  return bits;
#endif
}

static inline vd sqrtV(vd x) {
#if NQ_LANES == 16
  return (vd)_mm512_sqrt_pd((__m512d)x);
#elif NQ_LANES == 8 && defined(__AVX2__)
  return (vd)_mm256_sqrt_pd((__m256d)x);
#elif NQ_LANES == 4 && defined(__SSE2__)
  return (vd)_mm_sqrt_pd((__m128d)x);
#else
  for (int l = 0; l < VD; l++) x[l] = __builtin_sqrt(x[l]);
  return x;
#endif
}

#if NQ_LANES == 16
static const vl EVEN = {0, 2, 4, 6, 8, 10, 12, 14}, ODD = {1, 3, 5, 7, 9, 11, 13, 15};
static const vl LOW = {0, 8, 1, 9, 2, 10, 3, 11}, HIGH = {4, 12, 5, 13, 6, 14, 7, 15};
#elif NQ_LANES == 8
static const vl EVEN = {0, 2, 4, 6}, ODD = {1, 3, 5, 7};
static const vl LOW = {0, 4, 1, 5}, HIGH = {2, 6, 3, 7};
#else
static const vl EVEN = {0, 2}, ODD = {1, 3};
static const vl LOW = {0, 2}, HIGH = {1, 3};
#endif

template <typename T>
static inline T* P(double a) { return reinterpret_cast<T*>(static_cast<uintptr_t>(a)); }
static inline int64_t I(double a) { return static_cast<int64_t>(a); }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// ---------------------------------------------------------------------------------------------
// Transposes of V x V blocks in registers

/** Lane j of the two rows of a butterfly stage of distance H (see transposeBlock). */
template <int H>
static constexpr int lowLane(int j) { return (j & H) == 0 ? j : V + j - H; }
template <int H>
static constexpr int highLane(int j) { return (j & H) == 0 ? j + H : V + j; }

/** One butterfly stage: rows r and r + H (bit H of r clear) swap their off-diagonal H x H blocks. */
template <int H>
static inline void butterfly(vf* rows) {
  static_assert(V == 4 || V == 8 || V == 16, "vectors of 4, 8 or 16 floats");
#if NQ_LANES == 16
  const vi lo = {lowLane<H>(0), lowLane<H>(1), lowLane<H>(2), lowLane<H>(3), lowLane<H>(4), lowLane<H>(5), lowLane<H>(6), lowLane<H>(7),
                 lowLane<H>(8), lowLane<H>(9), lowLane<H>(10), lowLane<H>(11), lowLane<H>(12), lowLane<H>(13), lowLane<H>(14), lowLane<H>(15)};
  const vi hi = {highLane<H>(0), highLane<H>(1), highLane<H>(2), highLane<H>(3), highLane<H>(4), highLane<H>(5), highLane<H>(6), highLane<H>(7),
                 highLane<H>(8), highLane<H>(9), highLane<H>(10), highLane<H>(11), highLane<H>(12), highLane<H>(13), highLane<H>(14), highLane<H>(15)};
#elif NQ_LANES == 8
  const vi lo = {lowLane<H>(0), lowLane<H>(1), lowLane<H>(2), lowLane<H>(3), lowLane<H>(4), lowLane<H>(5), lowLane<H>(6), lowLane<H>(7)};
  const vi hi = {highLane<H>(0), highLane<H>(1), highLane<H>(2), highLane<H>(3), highLane<H>(4), highLane<H>(5), highLane<H>(6), highLane<H>(7)};
#else
  const vi lo = {lowLane<H>(0), lowLane<H>(1), lowLane<H>(2), lowLane<H>(3)};
  const vi hi = {highLane<H>(0), highLane<H>(1), highLane<H>(2), highLane<H>(3)};
#endif
  for (int r = 0; r < V; r++) {
    if (r & H) continue;
    const vf a = rows[r], b = rows[r + H];
    rows[r] = __builtin_shuffle(a, b, lo);
    rows[r + H] = __builtin_shuffle(a, b, hi);
  }
}

/** A V x V block in registers, transposed by log2(V) butterfly stages (no lane is read twice from memory). */
static inline void transposeBlock(vf* rows) {
  if (V >= 16) butterfly<(V >= 16 ? 8 : 1)>(rows);
  if (V >= 8) butterfly<(V >= 8 ? 4 : 1)>(rows);
  butterfly<2>(rows);
  butterfly<1>(rows);
}

// ---------------------------------------------------------------------------------------------
// List products: each output row is a sum of listed rows of B with coefficients.

/** How one output row of a block is made from its list (see listProduct). */
struct RowPlan {
  float* out;
  /** Start from these values (a bias row, or the row itself for an update); null: zero. */
  const float* init;
  const Entry* list;
  int count;
  /** Sign products: out = bias + s colsum + t acc (else out = acc). */
  bool sign;
  float s, t;
  const float* colsum;
};

/**
 * Rows of B in a slab of one tile summed before moving to the next: 32 KB of B (64 rows of a
 * 512-byte AVX-512 tile), which stays in L1 while every row of the block takes its entries from it.
 */
static const int SLAB_ROWS = 32768 / (TILE * V * 4);

/**
 * One tile (N vectors from float offset o) of every planned row: out = init + sum coef B[off],
 * then the sign form. The lists are walked in slabs of SLAB_ROWS rows of B (lists are in
 * ascending row order): each row adds its entries of one slab, parks its sums in its output row
 * and takes them up again at the next slab where it has entries. Parking is exact, so the sums
 * are those of walking each list at once.
 */
template <int N>
static inline void tileRows(const RowPlan* plans, int rows, const float* b, int64_t bs, int o, const float* bias) {
  int pos[ROW_BLOCK];
  bool started[ROW_BLOCK];
  int left = 0;
  for (int p = 0; p < rows; p++) {
    pos[p] = 0;
    started[p] = false;
    left++;
  }
  const int64_t step = (int64_t)SLAB_ROWS * bs;
  for (int64_t limit = step; left > 0; limit += step) {
    for (int p = 0; p < rows; p++) {
      const RowPlan& r = plans[p];
      const Entry* e = r.list;
      int i = pos[p];
      // Done, or no entries in this slab (a row without entries is finished at the first slab).
      if (i > r.count || (i < r.count && e[i].off >= limit)) continue;
      vf acc[N];
#pragma GCC unroll 8
      for (int q = 0; q < N; q++) acc[q] = started[p] ? ld(r.out + o + q * V) : r.init ? ld(r.init + o + q * V) : vf{};
      for (; i < r.count && e[i].off < limit; i++) {
        const float* row = b + e[i].off + o;
        const vf c = splat(e[i].coef);
#pragma GCC unroll 8
        for (int q = 0; q < N; q++) acc[q] += c * ld(row + q * V);
      }
      started[p] = true;
      if (i == r.count) {
        i = r.count + 1;  // finished
        left--;
        if (r.sign) {
          const vf sv = splat(r.s), tv = splat(r.t);
#pragma GCC unroll 8
          for (int q = 0; q < N; q++) {
            vf y = sv * ld(r.colsum + o + q * V) + tv * acc[q];
            if (bias) y = ld(bias + o + q * V) + y;
            acc[q] = y;
          }
        }
      }
      pos[p] = i;
#pragma GCC unroll 8
      for (int q = 0; q < N; q++) st(r.out + o + q * V, acc[q]);
    }
  }
}

/** Every planned row over nv vectors, tile by tile (the slab of B of a tile serves all rows). */
static inline void listProduct(const RowPlan* plans, int rows, const float* b, int64_t bs, int nv, const float* bias) {
  int t = 0;
  for (; t + TILE <= nv; t += TILE) tileRows<TILE>(plans, rows, b, bs, t * V, bias);
  for (; t < nv; t++) tileRows<1>(plans, rows, b, bs, t * V, bias);
}

// ---------------------------------------------------------------------------------------------
// Products

/**
 * Groups of a product split over k (args from `at`: G, then the G + 1 bounds of k). Output row r of
 * a split product is row r % n of the left operand summed over the k of group r / n; the groups'
 * outputs are added afterwards (sumGroups). Each thread then reads only the rows of B of its own
 * group: the rows of the weight that it updates itself (see the pool in addon.cc).
 */
struct Groups {
  int count = 1;
  int64_t n = 0;
  int64_t bound[5] = {0, 0, 0, 0, 0};
  Groups(const double* g, int64_t K, int64_t rows) : n(rows) {
    const int G = (int)I(g[0]);
    bound[1] = K;
    if (G < 2) return;
    count = G;
    for (int q = 0; q <= G; q++) bound[q] = I(g[1 + q]);
  }
  int of(int64_t r) const { return count == 1 ? 0 : (int)(r / n); }
  int64_t row(int64_t r) const { return count == 1 ? r : r % n; }
};

/**
 * C[r, :] = bias + sum_k A[r, k] B[k, :] for rows [r0, r1), skipping A[r, k] == 0 (MNIST pixels,
 * straight-through gradients). A[r, k] is at a[r ars + k acs], so A may be read transposed.
 * args: a, ars, acs, K, b, bs, width (floats, a multiple of 16), bias (0: none), c, cs, n, then
 * the groups (G < 2: none; see Groups).
 * Scratch: ROW_BLOCK lists of K entries.
 */
static int64_t gemmSparse(const double* g, char* scratch, int64_t r0, int64_t r1) {
  const float* a = P<float>(g[0]);
  const int64_t ars = I(g[1]), acs = I(g[2]);
  const int K = (int)I(g[3]);
  const float* b = P<float>(g[4]);
  const int64_t bs = I(g[5]);
  const int nv = (int)(I(g[6]) / V);
  const float* bias = P<float>(g[7]);
  float* c = P<float>(g[8]);
  const int64_t cs = I(g[9]);
  const Groups groups(g + 11, K, I(g[10]));
  RowPlan plans[ROW_BLOCK];
  Entry* lists = reinterpret_cast<Entry*>(scratch);
  for (int64_t rb = r0; rb < r1; rb += ROW_BLOCK) {
    const int rows = (int)min64(ROW_BLOCK, r1 - rb);
    for (int p = 0; p < rows; p++) {
      const int64_t r = rb + p;
      const int q = groups.of(r);
      const float* row = a + groups.row(r) * ars;
      Entry* list = lists + (int64_t)p * K;
      int count = 0;
      for (int k = (int)groups.bound[q], end = (int)groups.bound[q + 1]; k < end; k++) {
        const float x = row[k * acs];
        if (x != 0) {
          list[count].off = (int32_t)(k * bs);
          list[count].coef = x;
          count++;
        }
      }
      plans[p] = RowPlan{c + r * cs, bias, list, count, false, 0, 0};
    }
    listProduct(plans, rows, b, bs, nv, nullptr);
  }
  return 0;
}

/**
 * C[i, :] = bias + sum over the groups q (ascending) of P[q n + i, :], for rows [r0, r1) of C:
 * the outputs of a product split over k (see Groups) added up.
 * args: p, ps, n, G, width, bias (0: none), c, cs.
 */
static int64_t sumGroups(const double* g, char*, int64_t r0, int64_t r1) {
  const float* p = P<float>(g[0]);
  const int64_t ps = I(g[1]), n = I(g[2]);
  const int G = (int)I(g[3]);
  const int64_t width = I(g[4]);
  const float* bias = P<float>(g[5]);
  float* c = P<float>(g[6]);
  const int64_t cs = I(g[7]);
  for (int64_t i = r0; i < r1; i++) {
    for (int64_t e = 0; e < width; e += V) {
      vf acc = ld(p + i * ps + e);
      for (int q = 1; q < G; q++) acc += ld(p + (q * n + i) * ps + e);
      if (bias) acc = ld(bias + e) + acc;
      st(c + i * cs + e, acc);
    }
  }
  return 0;
}

/**
 * Sums of each of `count` (a multiple of V) accumulators' lanes: lane r of acc[j] summed over r
 * ascending lands in out[j]. Blocks of V accumulators are transposed in registers, then added row
 * by row, so the order of the sum is fixed by the instruction set alone.
 */
static inline void laneSums(vf* acc, int count, float* out) {
  for (int g = 0; g < count; g += V) {
    transposeBlock(acc + g);
    vf s = acc[g];
    for (int r = 1; r < V; r++) s += acc[g + r];
    st(out + g, s);
  }
}

/** Rows of A and of B in a block of gemmNT (16 accumulators, a multiple of every V). */
static const int NT_ROWS = 4;

/**
 * C[i, k] = sum_o A[i, o] B[k, o] for all n rows i and the columns k in [k0, k1): dot products of
 * rows. A weight stored as W^T ([K, out], the layout of its gradients) gives dX = dY W this way
 * without a transposed copy, and with every loaded vector used in four products (register blocks
 * of 4 rows of A x 4 rows of B), where the list product of a copy loads one per product.
 * Lane partial sums run over o ascending, then laneSums adds the lanes: the order depends on the
 * instruction set, never on the thread count.
 * args: a, as, n, b, bs, width (floats of o: a multiple of 16, padding zero in A and B), c, cs.
 */
static int64_t gemmNT(const double* g, char*, int64_t k0, int64_t k1) {
  const float* a = P<float>(g[0]);
  const int64_t as = I(g[1]), n = I(g[2]);
  const float* b = P<float>(g[3]);
  const int64_t bs = I(g[4]);
  const int nv = (int)(I(g[5]) / V);
  float* c = P<float>(g[6]);
  const int64_t cs = I(g[7]);
  const int R = NT_ROWS;
  for (int64_t kb = k0; kb < k1; kb += R) {
    const int kn = (int)min64(R, k1 - kb);
    for (int64_t ib = 0; ib < n; ib += R) {
      const int in = (int)min64(R, n - ib);
      vf acc[R * R];
      for (int q = 0; q < R * R; q++) acc[q] = vf{};
      // Rows past the edge repeat the last row: their sums are computed and dropped.
      const float* ar[R];
      const float* br[R];
      for (int q = 0; q < R; q++) {
        ar[q] = a + (ib + (q < in ? q : in - 1)) * as;
        br[q] = b + (kb + (q < kn ? q : kn - 1)) * bs;
      }
      for (int v = 0; v < nv; v++) {
        const int o = v * V;
        const vf a0 = ld(ar[0] + o), a1 = ld(ar[1] + o), a2 = ld(ar[2] + o), a3 = ld(ar[3] + o);
        const vf b0 = ld(br[0] + o), b1 = ld(br[1] + o), b2 = ld(br[2] + o), b3 = ld(br[3] + o);
        acc[0] += a0 * b0; acc[1] += a0 * b1; acc[2] += a0 * b2; acc[3] += a0 * b3;
        acc[4] += a1 * b0; acc[5] += a1 * b1; acc[6] += a1 * b2; acc[7] += a1 * b3;
        acc[8] += a2 * b0; acc[9] += a2 * b1; acc[10] += a2 * b2; acc[11] += a2 * b3;
        acc[12] += a3 * b0; acc[13] += a3 * b1; acc[14] += a3 * b2; acc[15] += a3 * b3;
      }
      float sums[R * R];
      laneSums(acc, R * R, sums);
      for (int ii = 0; ii < in; ii++)
        for (int kk = 0; kk < kn; kk++) c[(ib + ii) * cs + kb + kk] = sums[ii * R + kk];
    }
  }
  return 0;
}

/** Sign bits of a row of +1/-1 floats: bit k is 1 where row[k] < 0 (padding gives 0). */
static inline void signMask(const float* row, int K, uint32_t* mask) {
  const int words = (K + 31) >> 5;
  const uint32_t* bits = reinterpret_cast<const uint32_t*>(row);
  for (int w = 0; w < words; w++) {
    uint32_t m = 0;
    const int end = K - (w << 5) < 32 ? K - (w << 5) : 32;
    for (int q = 0; q < end; q++) m |= (bits[(w << 5) + q] >> 31) << q;
    mask[w] = m;
  }
}

static inline int countFlips(const uint32_t* mask, const uint32_t* save, int words) {
  int flips = 0;
  for (int w = 0; w < words; w++) flips += __builtin_popcount(mask[w] ^ save[w]);
  return flips;
}

/**
 * A product whose left operand is +1/-1: additions only.
 *   C[r, :] = bias + colsum(B) - 2 sum_{k: A[r,k]=-1} B[k, :]   or   bias - colsum(B) + 2 sum_{k: A[r,k]=+1} B[k, :]
 * whichever sums fewer rows. Signs come from A (as > 0) or, with as == 0, from sign masks at a
 * (words uint32 per row). Rows r < incRows whose input flipped in few entries since the mask saved
 * at `saved` are updated instead: C[r, :] += sum over the flipped k of 2 A_new[r, k] B[k, :].
 * With saved != 0 every row's mask is saved for the next call.
 * A split product (see Groups; group bounds multiples of 32, incRows 0) sums each group's rows of
 * B against its own column sums, at colsum + q width.
 * args: a, as, K, b, bs, width, colsum, bias, c, cs, saved, incRows, n, then the groups.
 * Returns the rows updated.
 * Scratch: ROW_BLOCK masks of words uint32, then ROW_BLOCK lists of K entries.
 */
static int64_t gemmSign(const double* g, char* scratch, int64_t r0, int64_t r1) {
  const char* a = P<char>(g[0]);
  const int64_t as = I(g[1]);
  const int K = (int)I(g[2]);
  const float* b = P<float>(g[3]);
  const int64_t bs = I(g[4]);
  const int nv = (int)(I(g[5]) / V);
  const float* colsums = P<float>(g[6]);
  const float* bias = P<float>(g[7]);
  float* c = P<float>(g[8]);
  const int64_t cs = I(g[9]);
  uint32_t* saved = P<uint32_t>(g[10]);
  const int64_t incRows = I(g[11]);
  const Groups groups(g + 13, K, I(g[12]));
  const int words = (K + 31) >> 5;
  uint32_t* masks = reinterpret_cast<uint32_t*>(scratch);
  Entry* lists = reinterpret_cast<Entry*>(scratch + (((int64_t)ROW_BLOCK * words * 4 + 63) & ~63));
  RowPlan plans[ROW_BLOCK];
  int64_t updated = 0;
  for (int64_t rb = r0; rb < r1; rb += ROW_BLOCK) {
    const int rows = (int)min64(ROW_BLOCK, r1 - rb);
    for (int p = 0; p < rows; p++) {
      const int64_t r = rb + p, i = groups.row(r);
      const int q = groups.of(r);
      const int w0 = (int)(groups.bound[q] >> 5), w1 = (int)((groups.bound[q + 1] + 31) >> 5);
      const int Kq = (int)(groups.bound[q + 1] - groups.bound[q]);
      const float* colsum = colsums + (int64_t)q * nv * V;
      float* out = c + r * cs;
      uint32_t* save = saved ? saved + i * words : nullptr;
      const uint32_t* mask;
      if (as == 0) mask = reinterpret_cast<const uint32_t*>(a) + i * words;
      else {
        signMask(reinterpret_cast<const float*>(a) + i * as, K, masks + (int64_t)p * words);
        mask = masks + (int64_t)p * words;
      }
      Entry* list = lists + (int64_t)p * K;
      int neg = 0;
      for (int w = w0; w < w1; w++) neg += __builtin_popcount(mask[w]);
      const int fewer = neg < Kq - neg ? neg : Kq - neg;
      int count = 0;
      // An update costs about 1.5x a summed row per entry (it also reads the row).
      if (r < incRows && 3 * countFlips(mask, save, words) < 2 * fewer) {
        for (int w = 0; w < words; w++) {
          const uint32_t now = mask[w];
          uint32_t diff = now ^ save[w];
          while (diff != 0) {
            const int bit = __builtin_ctz(diff);
            diff &= diff - 1;
            list[count].off = (int32_t)(((w << 5) + bit) * bs);
            list[count].coef = ((now >> bit) & 1) ? -2.0f : 2.0f;
            count++;
          }
          save[w] = now;
        }
        plans[p] = RowPlan{out, out, list, count, false, 0, 0};
        updated++;
        continue;
      }
      const bool wantNeg = neg <= Kq - neg;
      for (int w = w0; w < w1; w++) {
        const uint32_t now = mask[w];
        if (save) save[w] = now;
        uint32_t sel = wantNeg ? now : ~now;
        if (!wantNeg && (w << 5) + 32 > K) sel &= (1u << (K - (w << 5))) - 1;
        while (sel != 0) {
          const int bit = __builtin_ctz(sel);
          sel &= sel - 1;
          list[count].off = (int32_t)(((w << 5) + bit) * bs);
          list[count].coef = 1.0f;
          count++;
        }
      }
      plans[p] = RowPlan{out, nullptr, list, count, true, wantNeg ? 1.0f : -1.0f, wantNeg ? -2.0f : 2.0f, colsum};
    }
    listProduct(plans, rows, b, bs, nv, bias);
  }
  return updated;
}

/**
 * Sign masks of the columns of a +1/-1 matrix D [n, K]: for k in [k0, k1), bit i of the words at
 * out + k words is 1 where D[i, k] < 0. Feeds gemmSign with D^T.
 * args: d, ds, n, K, out.
 */
static int64_t signMasksT(const double* g, char*, int64_t k0, int64_t k1) {
  const uint32_t* d = P<uint32_t>(g[0]);
  const int64_t ds = I(g[1]);
  const int n = (int)I(g[2]);
  uint32_t* out = P<uint32_t>(g[4]);
  const int words = (n + 31) >> 5;
  // Sixteen columns at a time: each row of D is read once per 16 columns.
  for (int64_t kb = k0; kb < k1; kb += 16) {
    const int64_t ke = min64(kb + 16, k1);
    for (int w = 0; w < words; w++) {
      uint32_t bits[16] = {0};
      const int iEnd = n - (w << 5) < 32 ? n - (w << 5) : 32;
      for (int b = 0; b < iEnd; b++) {
        const uint32_t* row = d + ((int64_t)((w << 5) + b)) * ds;
        for (int64_t k = kb; k < ke; k++) bits[k - kb] |= (row[k] >> 31) << b;
      }
      for (int64_t k = kb; k < ke; k++) out[k * words + w] = bits[k - kb];
    }
  }
  return 0;
}

/**
 * dst = src^T for the rows [j0, j1) of dst. src is [rows, cols] with stride ss, dst [cols, rows]
 * with stride ds (its padding is left as it is: zero). Whole V x V blocks are transposed in
 * registers; the edges (fewer than V rows or columns left) element by element.
 * args: src, ss, rows, cols, dst, ds.
 */
static int64_t transpose(const double* g, char*, int64_t j0, int64_t j1) {
  const float* src = P<float>(g[0]);
  const int64_t ss = I(g[1]);
  const int64_t rows = I(g[2]), cols = I(g[3]);
  float* dst = P<float>(g[4]);
  const int64_t ds = I(g[5]);
  if (j1 > cols) j1 = cols;
  const int64_t fullRows = rows - rows % V;
  int64_t jb = j0;
  // j0 is a multiple of 16 (the job's granule), so blocks start at vector boundaries of src rows.
  for (; jb + V <= j1; jb += V) {
    for (int64_t i0 = 0; i0 < fullRows; i0 += V) {
      vf block[V];
      for (int q = 0; q < V; q++) block[q] = ld(src + (i0 + q) * ss + jb);
      transposeBlock(block);
      for (int q = 0; q < V; q++) st(dst + (jb + q) * ds + i0, block[q]);
    }
    for (int64_t j = jb; j < jb + V; j++)
      for (int64_t i = fullRows; i < rows; i++) dst[j * ds + i] = src[i * ss + j];
  }
  for (int64_t j = jb; j < j1; j++)
    for (int64_t i = 0; i < rows; i++) dst[j * ds + i] = src[i * ss + j];
  return 0;
}

/** out[e] = sum_{k0 <= k < k1} B[k, e] (k ascending) for floats [e, e1) (multiples of 16). */
static inline void columnSums(const float* b, int64_t bs, int64_t k0, int64_t k1, float* out, int64_t e, int64_t e1) {
  for (; e + 4 * V <= e1; e += 4 * V) {
    vf a0 = vf{}, a1 = vf{}, a2 = vf{}, a3 = vf{};
    for (int64_t k = k0; k < k1; k++) {
      const float* p = b + k * bs + e;
      a0 += ld(p); a1 += ld(p + V); a2 += ld(p + 2 * V); a3 += ld(p + 3 * V);
    }
    st(out + e, a0); st(out + e + V, a1); st(out + e + 2 * V, a2); st(out + e + 3 * V, a3);
  }
  for (; e < e1; e += V) {
    vf acc = vf{};
    for (int64_t k = k0; k < k1; k++) acc += ld(b + k * bs + e);
    st(out + e, acc);
  }
}

/**
 * out[v] = sum_{k < K} B[k, v] (k ascending) for the 16-float blocks [v0, v1) of a row. Split
 * over k (see Groups), block v sums the rows of group v / blocks into out + (v / blocks) 16 blocks.
 * args: b, bs, K, out, blocks, then the groups.
 */
static int64_t colSums(const double* g, char*, int64_t v0, int64_t v1) {
  const float* b = P<float>(g[0]);
  const int64_t bs = I(g[1]);
  const int64_t K = I(g[2]);
  float* out = P<float>(g[3]);
  const int64_t blocks = I(g[4]);
  const Groups groups(g + 5, K, blocks);
  for (int64_t v = v0; v < v1;) {
    const int q = groups.of(v);
    const int64_t end = min64(v1, groups.count == 1 ? v1 : (q + 1) * blocks);
    const int64_t base = groups.count == 1 ? 0 : q * blocks;
    columnSums(b, bs, groups.bound[q], groups.bound[q + 1], out + base * 16, (v - base) * 16, (end - base) * 16);
    v = end;
  }
  return 0;
}

/** dZ = dD where |z| < 1, else 0, over floats [e0, e1) (multiples of 16). args: z, dd, dz. */
static int64_t straightThrough(const double* g, char*, int64_t e0, int64_t e1) {
  const float* z = P<float>(g[0]);
  const float* dd = P<float>(g[1]);
  float* dz = P<float>(g[2]);
  for (int64_t e = e0; e < e1; e += V) {
    const vf zv = ld(z + e);
    const vi keep = (zv < 1.0f) & (zv > -1.0f);
    st(dz + e, (vf)((vi)ld(dd + e) & keep));
  }
  return 0;
}

/** v = mu v + g; w -= lr v (float32) over floats [e0, e1) (multiples of 16). args: w, g, v, lr, mu. */
static int64_t sgd(const double* g, char*, int64_t e0, int64_t e1) {
  float* w = P<float>(g[0]);
  const float* gr = P<float>(g[1]);
  float* v = P<float>(g[2]);
  const vf lr = splat((float)g[3]), mu = splat((float)g[4]);
  for (int64_t e = e0; e < e1; e += V) {
    const vf vel = mu * ld(v + e) + ld(gr + e);
    st(v + e, vel);
    st(w + e, ld(w + e) - lr * vel);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Random numbers: Philox4x32-10, bit-identical to core/src/rng.ts.

static const uint32_t NEUR = 0x4e455552u;
static const uint32_t M0 = 0xd2511f53u, M1 = 0xcd9e8d57u;

/**
 * The neuron draws of one row as words: word j = philox([j >> 2, row, layer, pass], [seed, NEUR])[j & 3]
 * for j in [0, cols rounded up to 4 V). V blocks run side by side in the lanes.
 */
static inline void philoxRow(uint32_t* out, int cols, uint32_t row, uint32_t layer, uint32_t pass, uint32_t seed) {
  const int blocks = (cols + 3) >> 2;
  vu lane;
  for (int l = 0; l < V; l++) lane[l] = (uint32_t)l;
  for (int b0 = 0; b0 < blocks; b0 += V) {
    vu c0 = lane + (uint32_t)b0, c1 = vu{} + row, c2 = vu{} + layer, c3 = vu{} + pass;
    uint32_t k0 = seed, k1 = NEUR;
    for (int round = 0; round < 10; round++) {
      // 32 x 32 -> 64-bit products of the even and the odd lanes (one vpmuludq each on x86),
      // recombined into the high and low words of every lane.
      const vh LO = vh{} + 0xffffffffull, HI = vh{} + 0xffffffff00000000ull;
      const vh e0 = ((vh)c0 & LO) * (uint64_t)M0, o0 = ((vh)c0 >> 32) * (uint64_t)M0;
      const vh e1 = ((vh)c2 & LO) * (uint64_t)M1, o1 = ((vh)c2 >> 32) * (uint64_t)M1;
      const vu hi0 = (vu)((e0 >> 32) | (o0 & HI)), lo0 = (vu)((e0 & LO) | (o0 << 32));
      const vu hi1 = (vu)((e1 >> 32) | (o1 & HI)), lo1 = (vu)((e1 & LO) | (o1 << 32));
      c0 = hi1 ^ c1 ^ k0;
      c2 = hi0 ^ c3 ^ k1;
      c1 = lo1;
      c3 = lo0;
      k0 += 0x9e3779b9u;
      k1 += 0xbb67ae85u;
    }
    for (int l = 0; l < V; l++) {
      uint32_t* o = out + ((int64_t)(b0 + l) << 2);
      o[0] = c0[l]; o[1] = c1[l]; o[2] = c2[l]; o[3] = c3[l];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The neuron's functions in float64 (as sim-wasm's math64.ts: polynomials accurate to ~1e-15,
// enough for draws that are multiples of 2^-32).

static const double HALF_PI = 1.5707963267948966;
static const double QUARTER_PI = 0.7853981633974483;
static const double TWO_POW_M32 = 2.3283064365386963e-10;
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
/** 1.5 2^52: adding and subtracting it rounds a double of magnitude < 2^51 to the nearest integer (ties to even). */
static const double ROUND_D = 6755399441055744.0;

#define EXP_POLY(p, r)                       \
  p = decltype(r){} + 2.505210838544172e-8;  \
  p = p * r + 2.755731922398589e-7;          \
  p = p * r + 2.755731922398589e-6;          \
  p = p * r + 2.48015873015873e-5;           \
  p = p * r + 1.984126984126984e-4;          \
  p = p * r + 1.388888888888889e-3;          \
  p = p * r + 8.333333333333333e-3;          \
  p = p * r + 4.166666666666667e-2;          \
  p = p * r + 1.666666666666667e-1;          \
  p = p * r + 0.5;                           \
  p = p * r + 1.0;                           \
  p = p * r + 1.0;

#define SIN_POLY(p, y2)                      \
  p = decltype(y2){} + 8.22063524662433e-18; \
  p = p * y2 - 2.8114572543455206e-15;       \
  p = p * y2 + 7.647163731819816e-13;        \
  p = p * y2 - 1.6059043836821613e-10;       \
  p = p * y2 + 2.505210838544172e-8;         \
  p = p * y2 - 2.755731922398589e-6;         \
  p = p * y2 + 1.984126984126984e-4;         \
  p = p * y2 - 8.333333333333333e-3;         \
  p = p * y2 + 1.666666666666667e-1;

#define COS_POLY(p, y2)                      \
  p = decltype(y2){} + 4.110317623312165e-19; \
  p = p * y2 - 1.5619206968586225e-16;       \
  p = p * y2 + 4.779477332387385e-14;        \
  p = p * y2 - 1.1470745597729725e-11;       \
  p = p * y2 + 2.08767569878681e-9;          \
  p = p * y2 - 2.755731922398589e-7;         \
  p = p * y2 + 2.48015873015873e-5;          \
  p = p * y2 - 1.388888888888889e-3;         \
  p = p * y2 + 4.166666666666667e-2;         \
  p = p * y2 - 0.5;

static inline double tanh64(double x) {
  const double ax = x < 0 ? -x : x;
  if (ax > 22) return x < 0 ? -1.0 : 1.0;
  const double y = -2 * ax;
  const double k = (y * INV_LN2 + ROUND_D) - ROUND_D;
  const double r = (y - k * LN2_HI) - k * LN2_LO;
  double p;
  EXP_POLY(p, r)
  const uint64_t bits = (uint64_t)((int64_t)k + 1023) << 52;
  double scale;
  memcpy(&scale, &bits, 8);
  const double e = p * scale;
  const double t = (1 - e) / (1 + e);
  return x < 0 ? -t : t;
}

static inline double sin64(double y) {
  const double y2 = y * y;
  double p;
  SIN_POLY(p, y2)
  return y - y * y2 * p;
}

static inline double cos64(double y) {
  const double y2 = y * y;
  double p;
  COS_POLY(p, y2)
  return 1 + y2 * p;
}

static inline double target64(double z, double a, int act) {
  if (a == 0) return z > 0 ? 1.0 : -1.0;
  const double x = z / a;
  return act == 0 ? tanh64(x) : (x < -1.0 ? -1.0 : x > 1.0 ? 1.0 : x);
}

/** P(+1) of a qubit in a basis state measured projectively: (1 + sin(pi t / 2)) / 2. */
static inline double prob64(double z, double a, int act) { return 0.5 * (1 + sin64(HALF_PI * target64(z, a, act))); }

// The same functions on vectors of doubles (the general path of Model 2).

static inline vd tanhV(vd x) {
  const vl signBit = (vl){} + (int64_t)0x8000000000000000ull;
  vd ax = (vd)((vl)x & ~signBit);
  ax = ax < 22.0 ? ax : splatd(22.0);
  const vd y = ax * -2.0;
  const vd k = (y * INV_LN2 + ROUND_D) - ROUND_D;
  const vd r = (y - k * LN2_HI) - k * LN2_LO;
  vd p;
  EXP_POLY(p, r)
  const vl bits = (__builtin_convertvector(k, vl) + 1023) << 52;
  const vd e = p * (vd)bits;
  const vd t = (1.0 - e) / (1.0 + e);
  return (vd)((vl)t | ((vl)x & signBit));
}

static inline vd sinV(vd y) {
  const vd y2 = y * y;
  vd p;
  SIN_POLY(p, y2)
  return y - y * y2 * p;
}

static inline vd cosV(vd y) {
  const vd y2 = y * y;
  vd p;
  COS_POLY(p, y2)
  return 1.0 + y2 * p;
}

// P(+1) in float32 lanes (sim-wasm's math32.ts): within 2e-6 of prob64, so wherever the draw is
// more than SCREEN away from it the float64 comparison gives the same answer.
static const float SCREEN = 1e-5f;

static inline vf prob32(vf z, vf invA, int act) {
  const vf x = z * invA;
  const vi signBit = (vi){} + (int32_t)0x80000000u;
  vf t;
  if (act == 0) {
    const vf ax = (vf)((vi)x & ~signBit);
    vf y = ax * -2.8853900817779268f;
    y = y < -125.0f ? splat(-125.0f) : y;
    const vf k = (y + 12582912.0f) - 12582912.0f;  // nearest integer (|y| <= 125)
    const vf f = y - k;
    vf e = splat(0.00015403530393381606f);
    e = e * f + 0.0013333558146428443f;
    e = e * f + 0.009618129107628477f;
    e = e * f + 0.05550410866482158f;
    e = e * f + 0.2402265069591007f;
    e = e * f + 0.6931471805599453f;
    e = e * f + 1.0f;
    const vf q = e * (vf)((__builtin_convertvector(k, vi) + 127) << 23);
    const vf ta = (1.0f - q) / (1.0f + q);
    t = (vf)((vi)ta | ((vi)x & signBit));
  } else {
    t = x < -1.0f ? splat(-1.0f) : x;
    t = t > 1.0f ? splat(1.0f) : t;
  }
  const vf y = t * 1.5707963267948966f;
  const vf y2 = y * y;
  vf s = splat(-2.505210838544172e-08f);
  s = s * y2 + 2.755731922398589e-06f;
  s = s * y2 + -0.0001984126984126984f;
  s = s * y2 + 0.008333333333333333f;
  s = s * y2 + -0.1666666666666667f;
  s = s * y2 * y + y;
  return 0.5f + 0.5f * s;
}

/**
 * One hidden layer of qubit neurons for rows [r0, r1) (sim-wasm's neuron.ts).
 *   mode 0: a = 0 and g = pi/2 on a register in a basis state: d = sign(z), no draws.
 *   mode 1: g = pi/2 on a register in a basis state: P(+1) = (1 + sin(pi t / 2)) / 2, float32
 *           screen, float64 decision near the boundary.
 *   mode 2: the general update of core/src/neuron.ts (probPlus, backAction) from the state
 *           (cos(alpha/2), sin(alpha/2)) stored as float64 pairs.
 * args: z, zs, cols, d, ds, m, state, qs, mode, a, act, g, cleanRows, seed, pass, layer, rowOffset.
 */
static int64_t neuronLayer(const double* g, char* scratch, int64_t r0, int64_t r1) {
  const float* z = P<float>(g[0]);
  const int64_t zs = I(g[1]);
  const int cols = (int)I(g[2]);
  float* d = P<float>(g[3]);
  const int64_t ds = I(g[4]);
  int8_t* m = P<int8_t>(g[5]);
  double* state = P<double>(g[6]);
  const int64_t qs = I(g[7]);
  const int mode = (int)I(g[8]);
  const double a = g[9];
  const int act = (int)I(g[10]);
  const int64_t cleanRows = I(g[12]);
  const uint32_t seed = (uint32_t)I(g[13]), pass = (uint32_t)I(g[14]), layer = (uint32_t)I(g[15]), rowOffset = (uint32_t)I(g[16]);
  uint32_t* words = reinterpret_cast<uint32_t*>(scratch);
  // sin(g) as JavaScript's Math.sin computes it is passed in args[17] (the reference's value).
  const double sg = g[17];
  const double m0p = __builtin_sqrt((1 + sg) / 2 > 0 ? (1 + sg) / 2 : 0.0), m1p = __builtin_sqrt((1 - sg) / 2 > 0 ? (1 - sg) / 2 : 0.0);
  const double m0m = m1p, m1m = m0p;
  const vf invA = splat((float)(1 / a));
  const int full = cols - cols % V;
  for (int64_t r = r0; r < r1; r++) {
    const float* zr = z + r * zs;
    float* dr = d + r * ds;
    int8_t* mr = m + r * qs;
    if (mode == 0) {
      for (int j = 0; j < cols; j++) {
        const bool plus = zr[j] > 0;
        dr[j] = plus ? 1.0f : -1.0f;
        mr[j] = plus ? 1 : -1;
      }
      continue;
    }
    philoxRow(words, cols, rowOffset + (uint32_t)r, layer, pass, seed);
    if (mode == 1) {
      int j = 0;
      for (; j < full; j += V) {
        const vf p = prob32(ld(zr + j), invA, act);
        vu w;
        memcpy(&w, words + j, sizeof w);
        const vf u = __builtin_convertvector(w, vf) * 2.3283064365386963e-10f;
        const vf diff = p - u;
        vi plus = diff > 0.0f;
        uint32_t unsure = movemask((diff <= SCREEN) & (diff >= -SCREEN));
        while (unsure != 0) {
          // Rare: decide these lanes in float64.
          const int l = __builtin_ctz(unsure);
          unsure &= unsure - 1;
          plus[l] = (double)words[j + l] * TWO_POW_M32 < prob64((double)zr[j + l], a, act) ? -1 : 0;
        }
        const vi mv = -2 * plus - 1;  // +1 / -1
        st(dr + j, __builtin_convertvector(mv, vf));
        const vb mb = __builtin_convertvector(mv, vb);
        memcpy(mr + j, &mb, sizeof mb);
      }
      for (; j < cols; j++) {
        const bool plus = (double)words[j] * TWO_POW_M32 < prob64((double)zr[j], a, act);
        dr[j] = plus ? 1.0f : -1.0f;
        mr[j] = plus ? 1 : -1;
      }
    } else {
      // The state is (c, s) = (cos(alpha/2), sin(alpha/2)): the rotation is a 2x2 rotation and the
      // back-action a scaling. The reference wraps alpha into (-pi, pi] after the back-action,
      // i.e. it may negate (c, s) (a global phase); outcomes do not depend on that sign.
      const bool clean = r < cleanRows;
      double* sr = state + r * qs * 2;
      int j = 0;
      const vd av = splatd(a);
      for (; j + VD <= cols; j += VD) {
        vfh zf;
        vbh mb;
        memcpy(&zf, zr + j, sizeof zf);
        memcpy(&mb, mr + j, sizeof mb);
        const vd zv = __builtin_convertvector(zf, vd), mm = __builtin_convertvector(mb, vd);
        vd c, sn;
        vd t;
        if (a == 0) t = zv > 0.0 ? splatd(1.0) : splatd(-1.0);
        else if (act == 0) t = tanhV(zv / av);
        else {
          t = zv / av;
          t = t < -1.0 ? splatd(-1.0) : t;
          t = t > 1.0 ? splatd(1.0) : t;
        }
        if (clean) {
          c = 0.5 * (1.0 + mm);
          sn = 0.5 * (1.0 - mm);
        } else {
          const vd q0 = ldd(sr + j * 2), q1 = ldd(sr + j * 2 + VD);
          c = __builtin_shuffle(q0, q1, EVEN);
          sn = __builtin_shuffle(q0, q1, ODD);
        }
        const vd half = QUARTER_PI * (mm - t);
        const vd sh = sinV(half), ch = cosV(half);
        const vd c1 = c * ch - sn * sh, s1 = sn * ch + c * sh;
        const vd p = (1.0 + sg * (c1 * c1 - s1 * s1)) / 2.0;
        vuh wv;
        memcpy(&wv, words + j, sizeof wv);
        const vd u = __builtin_convertvector(wv, vd) * TWO_POW_M32;
        const vl plus = u < p;
        const vd f = (vd)(plus & (vl)splatd(1.0));
        const vd c2 = (m0m + f * (m0p - m0m)) * c1, s2 = (m1m + f * (m1p - m1m)) * s1;
        const vd sq = sqrtV(c2 * c2 + s2 * s2);
        const vl ok = sq > 0.0;
        const vd cn = ok ? c2 / sq : c1, snn = ok ? s2 / sq : s1;
        std_(sr + j * 2, __builtin_shuffle(cn, snn, LOW));
        std_(sr + j * 2 + VD, __builtin_shuffle(cn, snn, HIGH));
        const vd dv = 2.0 * f - 1.0;
        const vfh df = __builtin_convertvector(dv, vfh);
        const vbh mo = __builtin_convertvector(dv, vbh);
        memcpy(dr + j, &df, sizeof df);
        memcpy(mr + j, &mo, sizeof mo);
      }
      for (; j < cols; j++) {
        const double t = target64((double)zr[j], a, act);
        const double mm = (double)mr[j];
        const double c = clean ? 0.5 * (1 + mm) : sr[j * 2];
        const double sn0 = clean ? 0.5 * (1 - mm) : sr[j * 2 + 1];
        const double half = QUARTER_PI * (mm - t);
        const double sh = sin64(half), chh = cos64(half);
        const double c1 = c * chh - sn0 * sh, s1 = sn0 * chh + c * sh;
        const double p = (1 + sg * (c1 * c1 - s1 * s1)) / 2;
        const double u = (double)words[j] * TWO_POW_M32;
        const int plus = u < p;
        const double f = (double)plus;
        const double c2 = (m0m + f * (m0p - m0m)) * c1, s2 = (m1m + f * (m1p - m1m)) * s1;
        const double norm = __builtin_sqrt(c2 * c2 + s2 * s2);
        sr[j * 2] = norm > 0 ? c2 / norm : c1;
        sr[j * 2 + 1] = norm > 0 ? s2 / norm : s1;
        mr[j] = (int8_t)(2 * plus - 1);
        dr[j] = (float)(2 * f - 1);
      }
    }
  }
  return 0;
}

/** The state of basis-state rows [r0, r1): (1, 0) for m = +1, (0, 1) for m = -1. args: m, state, qs. */
static int64_t storeBasisStates(const double* g, char*, int64_t r0, int64_t r1) {
  const int8_t* m = P<int8_t>(g[0]);
  double* state = P<double>(g[1]);
  const int64_t qs = I(g[2]);
  for (int64_t i = r0 * qs; i < r1 * qs; i++) {
    const bool plus = m[i] > 0;
    state[2 * i] = plus ? 1.0 : 0.0;
    state[2 * i + 1] = plus ? 0.0 : 1.0;
  }
  return 0;
}

/** Start state of rows [r0, r1): m = +1. args: m, qs. */
static int64_t resetQubits(const double* g, char*, int64_t r0, int64_t r1) {
  int8_t* m = P<int8_t>(g[0]);
  const int64_t qs = I(g[1]);
  memset(m + r0 * qs, 1, (size_t)((r1 - r0) * qs));
  return 0;
}

/** Argument slots of the gradient kernel in gradientStep (gemmSign's 13 and its group count). */
static const int GRADIENT_SLOTS = 14;

/**
 * A weight gradient and the update it feeds, row by row: for the rows [r0, r1) of the gradient's
 * storage, the gradient kernel (gemmSparse or gemmSign) writes them, then sgd updates the same rows
 * of the weight and its velocity while they are in this thread's cache. The same arithmetic as the
 * two kernels one after the other, so the same bits.
 * args: kernel (K_GEMM_SPARSE or K_GEMM_SIGN), its arguments in GRADIENT_SLOTS slots (unsplit:
 * group counts 0), w, v, lr, mu.
 */
static int64_t gradientStep(const double* g, char* scratch, int64_t r0, int64_t r1) {
  const double* ga = g + 1;
  const double* step = ga + GRADIENT_SLOTS;
  const int64_t cs = I(ga[9]);
  float* w = P<float>(step[0]);
  // Ask for the chunk's rows of the weight in writable state now, so that fetching them (from
  // L3, or from the other core after it stole this chunk last step) overlaps the gradient's
  // arithmetic.
  for (int64_t e = r0 * cs; e < r1 * cs; e += 16) __builtin_prefetch(w + e, 1, 3);
  const int64_t r = I(g[0]) == K_GEMM_SIGN ? gemmSign(ga, scratch, r0, r1) : gemmSparse(ga, scratch, r0, r1);
  const double update[5] = {step[0], ga[8], step[1], step[2], step[3]};
  sgd(update, scratch, r0 * cs, r1 * cs);
  return r;
}

// Test hooks.

/** args: out, cols, row, layer, pass, seed: the draws of one row (out has room for cols rounded up to 4 V). */
static int64_t philoxWords(const double* g, char*, int64_t, int64_t) {
  philoxRow(P<uint32_t>(g[0]), (int)I(g[1]), (uint32_t)I(g[2]), (uint32_t)I(g[3]), (uint32_t)I(g[4]), (uint32_t)I(g[5]));
  return 0;
}

/** args: out (double), z, a, act. */
static int64_t prob64Hook(const double* g, char*, int64_t, int64_t) {
  *P<double>(g[0]) = prob64(g[1], g[2], (int)I(g[3]));
  return 0;
}

/** args: out (float), z, 1/a, act. */
static int64_t prob32Hook(const double* g, char*, int64_t, int64_t) {
  *P<float>(g[0]) = prob32(splat((float)g[1]), splat((float)g[2]), (int)I(g[3]))[0];
  return 0;
}

}  // namespace NQ_ISA

#define NQ_CAT2(a, b) a##b
#define NQ_CAT(a, b) NQ_CAT2(a, b)
#define NQ_STR2(a) #a
#define NQ_STR(a) NQ_STR2(a)

const KernelTable* NQ_CAT(kernels_, NQ_ISA)() {
  static const KernelTable table = {
      NQ_STR(NQ_ISA),
      NQ_LANES,
      {NQ_ISA::gemmSparse, NQ_ISA::gemmSign, NQ_ISA::signMasksT, NQ_ISA::transpose, NQ_ISA::colSums, NQ_ISA::straightThrough,
       NQ_ISA::sgd, NQ_ISA::neuronLayer, NQ_ISA::storeBasisStates, NQ_ISA::resetQubits, NQ_ISA::philoxWords, NQ_ISA::prob64Hook,
       NQ_ISA::prob32Hook, NQ_ISA::gemmNT, NQ_ISA::gradientStep, NQ_ISA::sumGroups},
  };
  return &table;
}

}  // namespace nq
