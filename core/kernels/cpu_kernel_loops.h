// Inner loops shared by the one-pass CPU kernels (kernels/cpu_kernels.h): value
// conversion for fp32 and bf16 storage, a sum of products the compiler
// vectorizes, and the row split over LibTorch's pool.
#pragma once

#include <ATen/Parallel.h>
#include <c10/util/BFloat16.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

// A function so marked is compiled three times, for AVX-512 (x86-64-v4),
// AVX2 with FMA (x86-64-v3) and baseline x86-64, and the loader picks the
// variant the CPU runs (GCC's target_clones, an ifunc). LibTorch dispatches
// its own kernels the same way; on 128-bit SSE alone these loops lose to them.
// The loops live in always-inline templates (POSE_LOOP) that the marked
// functions call, so each variant compiles them for its instruction set.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define POSE_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define POSE_CPU_CLONES
#endif
#define POSE_LOOP [[gnu::always_inline]] inline

namespace pose::model::kernels {

POSE_LOOP float load(float v) { return v; }
POSE_LOOP float load(c10::BFloat16 v) { return static_cast<float>(v); }

template <typename T>
POSE_LOOP T store(float v) {
  return static_cast<T>(v);  // bf16: round to nearest even, as LibTorch's casts
}

// Σ a[j]·b[j] over 16 running sums: a fixed order the compiler can vectorize
// (a single running sum would pin it to one lane).
template <typename A, typename B>
POSE_LOOP float dot(const A* a, const B* b, int64_t n) {
  constexpr int kLanes = 16;
  float acc[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes) {
    for (int k = 0; k < kLanes; ++k) acc[k] += load(a[j + k]) * load(b[j + k]);
  }
  float s = 0.0f;
  for (int k = 0; k < kLanes; ++k) s += acc[k];
  for (; j < n; ++j) s += load(a[j]) * load(b[j]);
  return s;
}

// e^x to within ~2 ulp in fp32, in operations the compiler vectorizes (a
// call to std::exp per element would keep the loop scalar): e^x = 2^n · e^r
// with n = round(x / ln 2), r = x − n·ln 2 in two parts (|r| ≤ ln 2 / 2), e^r
// by its Taylor series to r⁶ (error < 2e-7 relative). x is clamped to
// [−87.3, 88.3], where 2^n stays a normal float: e^x below e^−87.3 reads as
// e^−87.3 (≈ 1e−38, which every use here adds to 1 or multiplies into a
// value that small). NaN is returned as it came, and kept out of the integer
// conversion (which it would make undefined).
POSE_LOOP float exp_approx(float x) {
  const bool nan = x != x;
  float c = nan ? 0.0f : x;
  c = c < -87.3f ? -87.3f : c;
  c = c > 88.3f ? 88.3f : c;
  constexpr float kRound = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer
  const float n = (c * 1.44269504088896341f + kRound) - kRound;
  const float r = (c - n * 0.693145751953125f) - n * 1.42860682030941723e-06f;
  const float p =
      1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720))))));
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return nan ? x : p * scale;
}

// 1 / (1 + e^−x).
POSE_LOOP float sigmoid(float x) { return 1.0f / (1.0f + exp_approx(-x)); }

// Runs body(begin, end) over rows [0, rows), each part at least ~32k values
// wide so that waking the pool pays for itself.
template <typename Body>
void for_rows(int64_t rows, int64_t row_width, const Body& body) {
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(row_width, 1));
  at::parallel_for(0, rows, grain, body);
}

}  // namespace pose::model::kernels
