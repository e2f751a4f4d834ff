// Causal attention for small heads in one pass per block of query rows,
// forward and backward (kernels/cpu_kernels.h).
//
// The batched-GEMM path (kernels/attention_kernel.h) runs QKᵀ, softmax and PV as
// separate ops over full T × T squares. With 16-wide heads those GEMMs have an
// inner dimension of 16, where BLAS runs far below its peak, and every step
// writes and reads T × T probabilities per head. Here each block of four query
// rows computes its scores against the keys it may see only (the causal
// triangle and the sliding window are skipped, not masked), takes the softmax
// in a row buffer that stays in L1, and multiplies by V at once; only the
// output and one log-sum-exp per row are kept. Backward computes the scores
// again from that log-sum-exp (as flash attention does) instead of reading a
// stored T × T matrix:
//   P = exp(S − lse),  dV += Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ∘ (dP − rowsum(dO ∘ O)),
//   dQ = scale · dS·K,  dK += scale · dSᵀ·Q.
// All arithmetic is fp32 (bf16 operands are widened on load, results rounded
// once on store). Keys and values are gathered per work item into fp32
// buffers, K and V transposed as well, so that every inner loop runs over 16
// consecutive floats: the register blocks below are written with GCC's vector
// extension (one 16-float vector: one AVX-512 register, two AVX2 ones).
#include "kernels/cpu_kernels.h"

#include "kernels/cpu_kernel_loops.h"

#include <cmath>
#include <limits>
#include <vector>

// The 64-byte vector type is passed between always-inline helpers only, never
// across a call, so the ABI note GCC gives for targets without AVX-512 does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace pose::model {

namespace {

using namespace kernels;

constexpr int64_t kLanes = 16;        // floats per vector; columns are processed in these
constexpr int64_t kRows = 4;          // query rows per register block
constexpr int64_t kQueryBlock = 256;  // query rows per forward work item
// The widest heads it takes, from bench_cpu_kernels (docs/PERFORMANCE.md):
// wider fp32 heads run faster as batched GEMMs, which reach their peak at
// those widths; in bf16 the batched path's oneDNN GEMMs run at twice the fp32
// rate this kernel computes at, and win from 32 wide on.
constexpr int64_t kMaxHeadDimFp32 = 64;
constexpr int64_t kMaxHeadDimBf16 = 16;

typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

POSE_LOOP Vec vload(const float* p) {
  Vec v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
POSE_LOOP void vstore(float* p, const Vec& v) { __builtin_memcpy(p, &v, sizeof v); }

int64_t round_up(int64_t n, int64_t to) { return (n + to - 1) / to * to; }

// out[r][c] = Σ_e a[r][e] · bt[e][c] for the kRows rows of a ([kRows][d]) and
// columns c in [c0, c1), multiples of kLanes; out has row stride ldo. Two
// column vectors at a time: eight independent sums hide the FMA latency.
POSE_LOOP void rows_by_columns(const float* a, int64_t d, const float* bt, int64_t ldb, int64_t c0, int64_t c1,
                               float* out, int64_t ldo) {
  const float *a0 = a, *a1 = a + d, *a2 = a + 2 * d, *a3 = a + 3 * d;
  int64_t c = c0;
  for (; c + 2 * kLanes <= c1; c += 2 * kLanes) {
    Vec s0 = {}, s1 = {}, s2 = {}, s3 = {}, t0 = {}, t1 = {}, t2 = {}, t3 = {};
    for (int64_t e = 0; e < d; ++e) {
      const Vec x = vload(bt + e * ldb + c), y = vload(bt + e * ldb + c + kLanes);
      s0 += x * a0[e], s1 += x * a1[e], s2 += x * a2[e], s3 += x * a3[e];
      t0 += y * a0[e], t1 += y * a1[e], t2 += y * a2[e], t3 += y * a3[e];
    }
    vstore(out + c, s0), vstore(out + ldo + c, s1), vstore(out + 2 * ldo + c, s2), vstore(out + 3 * ldo + c, s3);
    vstore(out + c + kLanes, t0), vstore(out + ldo + c + kLanes, t1);
    vstore(out + 2 * ldo + c + kLanes, t2), vstore(out + 3 * ldo + c + kLanes, t3);
  }
  if (c < c1) {
    Vec s0 = {}, s1 = {}, s2 = {}, s3 = {};
    for (int64_t e = 0; e < d; ++e) {
      const Vec x = vload(bt + e * ldb + c);
      s0 += x * a0[e], s1 += x * a1[e], s2 += x * a2[e], s3 += x * a3[e];
    }
    vstore(out + c, s0), vstore(out + ldo + c, s1), vstore(out + 2 * ldo + c, s2), vstore(out + 3 * ldo + c, s3);
  }
}

// out[r][:] = Σ_c w[r][c] · rows[c][:] over c in [c0, c1) (an even count), for
// the kRows rows of w (row stride ldw); rows is [.][d], d a multiple of
// kLanes. Even and odd c go to separate sums, added at the end.
POSE_LOOP void weights_by_rows(const float* w, int64_t ldw, const float* rows, int64_t d, int64_t c0, int64_t c1,
                               float* out) {
  const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
  for (int64_t e = 0; e < d; e += kLanes) {
    Vec s0 = {}, s1 = {}, s2 = {}, s3 = {}, t0 = {}, t1 = {}, t2 = {}, t3 = {};
    for (int64_t c = c0; c < c1; c += 2) {
      const Vec x = vload(rows + c * d + e), y = vload(rows + (c + 1) * d + e);
      s0 += x * w0[c], s1 += x * w1[c], s2 += x * w2[c], s3 += x * w3[c];
      t0 += y * w0[c + 1], t1 += y * w1[c + 1], t2 += y * w2[c + 1], t3 += y * w3[c + 1];
    }
    vstore(out + e, s0 + t0), vstore(out + d + e, s1 + t1);
    vstore(out + 2 * d + e, s2 + t2), vstore(out + 3 * d + e, s3 + t3);
  }
}

// acc[c][:] += Σ_r w[r][c] · x[r][:] for c in [c0, c1): the rank-kRows update
// of dK and dV. x is [kRows][d], w has row stride ldw.
POSE_LOOP void accumulate_outer(float* acc, int64_t d, const float* w, int64_t ldw, const float* x, int64_t c0,
                                int64_t c1) {
  const float *w0 = w, *w1 = w + ldw, *w2 = w + 2 * ldw, *w3 = w + 3 * ldw;
  for (int64_t e = 0; e < d; e += kLanes) {
    const Vec x0 = vload(x + e), x1 = vload(x + d + e), x2 = vload(x + 2 * d + e), x3 = vload(x + 3 * d + e);
    for (int64_t c = c0; c < c1; ++c) {
      float* a = acc + c * d + e;
      vstore(a, vload(a) + (x0 * w0[c] + x1 * w1[c]) + (x2 * w2[c] + x3 * w3[c]));
    }
  }
}

// The shape of one call and who may see whom: query row i is token
// past + i and sees keys j with lo(i) ≤ j ≤ past + i.
struct Geometry {
  int64_t batch, heads, kv_heads, tq, tk, d, past, window;
  float scale;
  int64_t key_lo(int64_t i) const { return window > 0 ? std::max<int64_t>(0, past + i - window + 1) : 0; }
  int64_t key_hi(int64_t i) const { return past + i; }  // inclusive
};

// The keys query rows [r0, r1) see, from a vector boundary: [kb, kend), kb a
// multiple of kLanes, and n = kend − kb rounded up to whole vectors (the
// gathered buffers' width; zero past kend).
struct KeySpan {
  int64_t kb, kend, n;
  KeySpan(const Geometry& g, int64_t r0, int64_t r1)
      : kb(g.key_lo(r0) / kLanes * kLanes), kend(g.key_hi(r1 - 1) + 1), n(round_up(kend - kb, kLanes)) {}
  // Columns of the buffers that rows [i0, last] see, in whole vectors (an even
  // count, as weights_by_rows needs).
  int64_t first_column(const Geometry& g, int64_t i0) const { return (g.key_lo(i0) - kb) / kLanes * kLanes; }
  int64_t end_column(const Geometry& g, int64_t last) const { return round_up(g.key_hi(last) + 1 - kb, kLanes); }
};

// A [B, H, T, D] operand: its data and element strides (the last is 1).
struct Operand {
  void* data;
  int64_t sb, sh, st;
  Operand(const torch::Tensor& x) : data(x.data_ptr()), sb(x.stride(0)), sh(x.stride(1)), st(x.stride(2)) {}
  template <typename T>
  T* row(int64_t b, int64_t h, int64_t t) const {
    return static_cast<T*>(data) + b * sb + h * sh + t * st;
  }
};

// Keys [kb, kend) of one (batch, kv head) as fp32, zero past kend up to kb + n:
// rows [n][d] (when given) and columns [d][n] (when given).
template <typename T>
POSE_LOOP void gather(const Operand& x, int64_t b, int64_t h, int64_t kb, int64_t kend, int64_t n, int64_t d,
                      float* rows, float* cols) {
  for (int64_t c = 0; c < n; ++c) {
    const int64_t key = kb + c;
    const T* src = key < kend ? x.row<T>(b, h, key) : nullptr;
    for (int64_t e = 0; e < d; ++e) {
      const float v = src ? load(src[e]) : 0.0f;
      if (rows) rows[c * d + e] = v;
      if (cols) cols[e * n + c] = v;
    }
  }
}

// Query rows i0 .. i0 + kRows − 1 as fp32 times `factor` into out [kRows][d];
// rows past `last` repeat it (their results are dropped), or are zero with
// `zero_past_last`.
template <typename T>
POSE_LOOP void gather_rows(const Operand& x, int64_t b, int64_t h, int64_t i0, int64_t last, int64_t d, float factor,
                           bool zero_past_last, float* out) {
  for (int64_t r = 0; r < kRows; ++r) {
    const int64_t i = std::min(i0 + r, last);
    const T* src = x.row<T>(b, h, i);
    const bool zero = zero_past_last && i0 + r > last;
    for (int64_t e = 0; e < d; ++e) out[r * d + e] = zero ? 0.0f : load(src[e]) * factor;
  }
}

// The mask of one row: its columns [c0, c1) hold keys the row may not see
// below column lo and above column hi (at most a vector and a few columns on
// either side); those are set to `value`. The loops over the whole row then
// need no per-column test.
POSE_LOOP void mask_outside(float* row, int64_t c0, int64_t lo, int64_t hi, int64_t c1, float value) {
  for (int64_t c = c0; c < lo; ++c) row[c] = value;
  for (int64_t c = hi + 1; c < c1; ++c) row[c] = value;
}

// Scratch of one thread: fp32 buffers reused across its work items.
struct Scratch {
  std::vector<float> key_cols, key_rows, value_cols, value_rows, dkey, dvalue, scores, dscores, q, go, out;
  static float* sized(std::vector<float>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(n);
    return v.data();
  }
};

// Forward of query rows [r0, r1) of head h in batch b: out and lse.
template <typename T>
POSE_LOOP void forward_block(const Geometry& g, const Operand& q, const Operand& k, const Operand& v,
                             const Operand& out, float* lse, int64_t b, int64_t h, int64_t r0, int64_t r1,
                             Scratch& s) {
  const int64_t d = g.d, kvh = h / (g.heads / g.kv_heads);
  const KeySpan span(g, r0, r1);
  const int64_t kb = span.kb, kend = span.kend, n = span.n;
  float* kt = Scratch::sized(s.key_cols, d * n);
  float* vr = Scratch::sized(s.value_rows, n * d);
  gather<T>(k, b, kvh, kb, kend, n, d, nullptr, kt);
  gather<T>(v, b, kvh, kb, kend, n, d, vr, nullptr);
  float* sc = Scratch::sized(s.scores, kRows * n);
  float* qs = Scratch::sized(s.q, kRows * d);
  float* o = Scratch::sized(s.out, kRows * d);
  float inv_sum[kRows];
  for (int64_t i0 = r0; i0 < r1; i0 += kRows) {
    const int64_t last = std::min(i0 + kRows, r1) - 1;
    gather_rows<T>(q, b, h, i0, last, d, g.scale, /*zero_past_last=*/false, qs);
    const int64_t c0 = span.first_column(g, i0), c1 = span.end_column(g, last);
    rows_by_columns(qs, d, kt, n, c0, c1, sc, n);
    for (int64_t r = 0; r < kRows; ++r) {
      const int64_t i = std::min(i0 + r, last), lo = g.key_lo(i) - kb, hi = g.key_hi(i) - kb;
      float* row = sc + r * n;
      mask_outside(row, c0, lo, hi, c1, -std::numeric_limits<float>::infinity());
      float lane_max[kLanes];
      for (int64_t l = 0; l < kLanes; ++l) lane_max[l] = -std::numeric_limits<float>::infinity();
      for (int64_t c = c0; c < c1; c += kLanes) {
        for (int64_t l = 0; l < kLanes; ++l) lane_max[l] = row[c + l] > lane_max[l] ? row[c + l] : lane_max[l];
      }
      float m = lane_max[0];
      for (int64_t l = 1; l < kLanes; ++l) m = lane_max[l] > m ? lane_max[l] : m;
      // exp_approx clamps −inf to e^−87.3 (≈ 1e−38): the masked columns are zeroed again afterwards.
      float lane_sum[kLanes] = {};
      for (int64_t c = c0; c < c1; c += kLanes) {
        for (int64_t l = 0; l < kLanes; ++l) {
          const float p = exp_approx(row[c + l] - m);
          row[c + l] = p;
          lane_sum[l] += p;
        }
      }
      mask_outside(row, c0, lo, hi, c1, 0.0f);
      float sum = 0.0f;
      for (int64_t l = 0; l < kLanes; ++l) sum += lane_sum[l];
      inv_sum[r] = 1.0f / sum;
      if (i0 + r <= last) lse[i0 + r] = m + std::log(sum);
    }
    weights_by_rows(sc, n, vr, d, c0, c1, o);
    for (int64_t r = 0; i0 + r <= last; ++r) {
      T* dst = out.row<T>(b, h, i0 + r);
      for (int64_t e = 0; e < d; ++e) dst[e] = store<T>(o[r * d + e] * inv_sum[r]);
    }
  }
}

// Backward of every query row of head h in batch b: dq for its rows, and the
// head's own contributions to dK and dV (fp32, [tk][d]) for the caller to sum
// over the heads that share a kv head.
template <typename T>
POSE_LOOP void backward_head(const Geometry& g, const Operand& q, const Operand& k, const Operand& v,
                             const Operand& out, const Operand& grad, const float* lse, const Operand& dq,
                             float* dk_part, float* dv_part, int64_t b, int64_t h, Scratch& s) {
  const int64_t d = g.d, kvh = h / (g.heads / g.kv_heads);
  const KeySpan span(g, 0, g.tq);  // kend = tk
  const int64_t kb = span.kb, kend = span.kend, n = span.n;
  float* kt = Scratch::sized(s.key_cols, d * n);
  float* kr = Scratch::sized(s.key_rows, n * d);
  float* vt = Scratch::sized(s.value_cols, d * n);
  gather<T>(k, b, kvh, kb, kend, n, d, kr, kt);
  gather<T>(v, b, kvh, kb, kend, n, d, nullptr, vt);
  float* dkey = Scratch::sized(s.dkey, n * d);
  float* dvalue = Scratch::sized(s.dvalue, n * d);
  std::fill(dkey, dkey + n * d, 0.0f);
  std::fill(dvalue, dvalue + n * d, 0.0f);
  float* p = Scratch::sized(s.scores, kRows * n);
  float* ds = Scratch::sized(s.dscores, kRows * n);
  float* qs = Scratch::sized(s.q, kRows * d);
  float* go = Scratch::sized(s.go, kRows * d);
  float* dqr = Scratch::sized(s.out, kRows * d);
  for (int64_t i0 = 0; i0 < g.tq; i0 += kRows) {
    const int64_t last = std::min(i0 + kRows, g.tq) - 1;
    gather_rows<T>(q, b, h, i0, last, d, g.scale, /*zero_past_last=*/false, qs);
    // Rows past the last get dO = 0 (and so dS = 0): they add nothing to dK, dV.
    gather_rows<T>(grad, b, h, i0, last, d, 1.0f, /*zero_past_last=*/true, go);
    const int64_t c0 = span.first_column(g, i0), c1 = span.end_column(g, last);
    rows_by_columns(qs, d, kt, n, c0, c1, p, n);
    rows_by_columns(go, d, vt, n, c0, c1, ds, n);
    for (int64_t r = 0; r < kRows; ++r) {
      const int64_t i = std::min(i0 + r, last), lo = g.key_lo(i) - kb, hi = g.key_hi(i) - kb;
      // rowsum(dO ∘ O): the softmax backward's correction, one value per row.
      float delta = 0.0f;
      if (i0 + r <= last) {
        const T* o = out.row<T>(b, h, i);
        for (int64_t e = 0; e < d; ++e) delta += go[r * d + e] * load(o[e]);
      }
      const float row_lse = lse[i];
      float* prow = p + r * n;
      float* dsrow = ds + r * n;
      for (int64_t c = c0; c < c1; ++c) prow[c] = exp_approx(prow[c] - row_lse);
      mask_outside(prow, c0, lo, hi, c1, 0.0f);
      for (int64_t c = c0; c < c1; ++c) dsrow[c] = prow[c] * (dsrow[c] - delta);
    }
    weights_by_rows(ds, n, kr, d, c0, c1, dqr);
    for (int64_t r = 0; i0 + r <= last; ++r) {
      T* dst = dq.row<T>(b, h, i0 + r);
      for (int64_t e = 0; e < d; ++e) dst[e] = store<T>(dqr[r * d + e] * g.scale);
    }
    accumulate_outer(dkey, d, ds, n, qs, c0, c1);  // qs carries the scale
    accumulate_outer(dvalue, d, p, n, go, c0, c1);
  }
  // Into the head's slices of the [B, H, tk, d] partial sums.
  std::fill(dk_part, dk_part + kb * d, 0.0f);
  std::fill(dv_part, dv_part + kb * d, 0.0f);
  std::copy(dkey, dkey + (kend - kb) * d, dk_part + kb * d);
  std::copy(dvalue, dvalue + (kend - kb) * d, dv_part + kb * d);
}

// dk[b, kv, t] = Σ over the heads h of kv head `kv` of part[b, h, t], rounded to T.
template <typename T>
POSE_LOOP void sum_group(const Geometry& g, const float* part, const Operand& dst, int64_t row_lo, int64_t row_hi) {
  const int64_t rep = g.heads / g.kv_heads, d = g.d;
  for (int64_t row = row_lo; row < row_hi; ++row) {
    const int64_t b = row / (g.kv_heads * g.tk), kv = row / g.tk % g.kv_heads, t = row % g.tk;
    T* out = dst.row<T>(b, kv, t);
    for (int64_t e = 0; e < d; ++e) {
      float acc = 0.0f;
      for (int64_t r = 0; r < rep; ++r) acc += part[((b * g.heads + kv * rep + r) * g.tk + t) * d + e];
      out[e] = store<T>(acc);
    }
  }
}

POSE_CPU_CLONES void forward_items(const Geometry& g, const Operand& q, const Operand& k, const Operand& v,
                                   const Operand& out, float* lse, bool bf16, int64_t lo, int64_t hi) {
  Scratch s;
  const int64_t blocks = (g.tq + kQueryBlock - 1) / kQueryBlock;
  for (int64_t item = lo; item < hi; ++item) {
    const int64_t bh = item / blocks, blk = item % blocks;
    const int64_t b = bh / g.heads, h = bh % g.heads;
    const int64_t r0 = blk * kQueryBlock, r1 = std::min(g.tq, r0 + kQueryBlock);
    float* row_lse = lse + bh * g.tq;
    if (bf16) forward_block<c10::BFloat16>(g, q, k, v, out, row_lse, b, h, r0, r1, s);
    else forward_block<float>(g, q, k, v, out, row_lse, b, h, r0, r1, s);
  }
}

POSE_CPU_CLONES void backward_items(const Geometry& g, const Operand& q, const Operand& k, const Operand& v,
                                    const Operand& out, const Operand& grad, const float* lse, const Operand& dq,
                                    float* dk_part, float* dv_part, bool bf16, int64_t lo, int64_t hi) {
  Scratch s;
  for (int64_t bh = lo; bh < hi; ++bh) {
    const int64_t b = bh / g.heads, h = bh % g.heads;
    const float* row_lse = lse + bh * g.tq;
    float* dkp = dk_part + bh * g.tk * g.d;
    float* dvp = dv_part + bh * g.tk * g.d;
    if (bf16) backward_head<c10::BFloat16>(g, q, k, v, out, grad, row_lse, dq, dkp, dvp, b, h, s);
    else backward_head<float>(g, q, k, v, out, grad, row_lse, dq, dkp, dvp, b, h, s);
  }
}

void sum_groups(const Geometry& g, const torch::Tensor& part, const torch::Tensor& dst) {
  const Operand out(dst);
  const bool bf16 = dst.scalar_type() == torch::kBFloat16;
  for_rows(g.batch * g.kv_heads * g.tk, g.d * (g.heads / g.kv_heads), [&](int64_t lo, int64_t hi) {
    if (bf16) sum_group<c10::BFloat16>(g, part.data_ptr<float>(), out, lo, hi);
    else sum_group<float>(g, part.data_ptr<float>(), out, lo, hi);
  });
}

Geometry geometry_of(const torch::Tensor& q, const torch::Tensor& k, int64_t window) {
  Geometry g{};
  g.batch = q.size(0), g.heads = q.size(1), g.kv_heads = k.size(1), g.tq = q.size(2), g.tk = k.size(2);
  g.d = q.size(3), g.past = g.tk - g.tq, g.window = window;
  g.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(g.d)));
  return g;
}

// [B, N, T, D] memory laid out as [B, T, N, D]: what the projections produce
// and take, so that attention's reshape to [B, T, N·D] and the views back need
// no copy.
torch::Tensor empty_token_major(int64_t b, int64_t n, int64_t t, int64_t d, const torch::TensorOptions& options) {
  return torch::empty({b, t, n, d}, options).permute({0, 2, 1, 3});
}

torch::Tensor unit_last_stride(const torch::Tensor& x) { return x.stride(-1) == 1 ? x : x.contiguous(); }

struct CausalAttentionFunction : public torch::autograd::Function<CausalAttentionFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& q_in,
                               const torch::Tensor& k_in, const torch::Tensor& v_in, int64_t window) {
    const torch::Tensor q = unit_last_stride(q_in), k = unit_last_stride(k_in), v = unit_last_stride(v_in);
    const Geometry g = geometry_of(q, k, window);
    torch::Tensor out = empty_token_major(g.batch, g.heads, g.tq, g.d, q.options());
    torch::Tensor lse = torch::empty({g.batch, g.heads, g.tq}, q.options().dtype(torch::kFloat));
    const bool bf16 = q.scalar_type() == torch::kBFloat16;
    const Operand qo(q), ko(k), vo(v), oo(out);
    const int64_t items = g.batch * g.heads * ((g.tq + kQueryBlock - 1) / kQueryBlock);
    at::parallel_for(0, items, 1, [&](int64_t lo, int64_t hi) {
      forward_items(g, qo, ko, vo, oo, lse.data_ptr<float>(), bf16, lo, hi);
    });
    ctx->save_for_backward({q, k, v, out, lse});
    ctx->saved_data["window"] = window;
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &q = saved[0], &k = saved[1], &v = saved[2], &out = saved[3], &lse = saved[4];
    const Geometry g = geometry_of(q, k, ctx->saved_data["window"].toInt());
    const torch::Tensor grad = unit_last_stride(grad_outputs[0].to(q.scalar_type()));
    torch::Tensor dq = empty_token_major(g.batch, g.heads, g.tq, g.d, q.options());
    torch::Tensor dk = empty_token_major(g.batch, g.kv_heads, g.tk, g.d, k.options());
    torch::Tensor dv = empty_token_major(g.batch, g.kv_heads, g.tk, g.d, v.options());
    const auto f32 = q.options().dtype(torch::kFloat);
    torch::Tensor dk_part = torch::empty({g.batch, g.heads, g.tk, g.d}, f32);
    torch::Tensor dv_part = torch::empty({g.batch, g.heads, g.tk, g.d}, f32);
    const bool bf16 = q.scalar_type() == torch::kBFloat16;
    const Operand qo(q), ko(k), vo(v), oo(out), go(grad), dqo(dq);
    at::parallel_for(0, g.batch * g.heads, 1, [&](int64_t lo, int64_t hi) {
      backward_items(g, qo, ko, vo, oo, go, lse.data_ptr<float>(), dqo, dk_part.data_ptr<float>(),
                     dv_part.data_ptr<float>(), bf16, lo, hi);
    });
    sum_groups(g, dk_part, dk);
    sum_groups(g, dv_part, dv);
    return {dq, dk, dv, torch::Tensor()};
  }
};

}  // namespace

bool causal_attention_cpu_applies(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  if (!cpu_kernels_apply(q) || !k.is_cpu() || !v.is_cpu()) return false;
  const auto dtype = q.scalar_type();
  if ((dtype != torch::kFloat && dtype != torch::kBFloat16) || k.scalar_type() != dtype || v.scalar_type() != dtype)
    return false;
  if (q.dim() != 4 || k.dim() != 4 || k.sizes() != v.sizes()) return false;
  const int64_t d = q.size(3);
  const int64_t max_d = dtype == torch::kFloat ? kMaxHeadDimFp32 : kMaxHeadDimBf16;
  return d % kLanes == 0 && d <= max_d && k.size(3) == d && k.size(0) == q.size(0) && k.size(1) > 0 &&
         q.size(1) % k.size(1) == 0 && q.size(2) > 0 && q.size(2) <= k.size(2);
}

torch::Tensor causal_attention_cpu(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                   int64_t sliding_window) {
  TORCH_CHECK(causal_attention_cpu_applies(q, k, v), "causal_attention_cpu: operands it does not take");
  TORCH_CHECK(sliding_window >= 0, "causal_attention_cpu: negative sliding window");
  return CausalAttentionFunction::apply(q, k, v, sliding_window);
}

}  // namespace pose::model
