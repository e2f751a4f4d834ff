// Reproducible random numbers for position sampling.
//
// Why not <random>'s distributions: std::uniform_int_distribution's output is
// not specified by the standard (libstdc++, libc++ and MSVC differ), so a run
// resumed on another machine would draw other positions. Everything here is
// specified bit for bit: SplitMix64 (Steele, Lea, Flood 2014) as the generator and
// rejection sampling for bounded integers.
//
// Each sample gets its own stream derived from (seed, sample index), so sample
// k can be drawn without drawing samples 0..k-1: a resumed run, a data-parallel
// rank and the coverage Monte-Carlo all see the same sample k.
#pragma once

#include <cstdint>
#include <vector>

namespace pose::positions {

// The SplitMix64 output function: a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t x);

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t state) : state_(state) {}

  // The stream of sample `index` under `seed`. Distinct (seed, index) pairs give
  // unrelated streams (the pair is hashed, not added).
  static RandomStream for_sample(std::uint64_t seed, std::uint64_t index);

  std::uint64_t next();

  // Uniform on {0 .. n-1}, n >= 1, without modulo bias: draws below 2^64 mod n
  // are rejected (at most 50% for any n, typically none).
  std::uint64_t below(std::uint64_t n);

  // Uniform on {lo .. hi}, lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);

  // k distinct values uniform from {0 .. n-1}, sorted ascending (Floyd's
  // algorithm: k draws, whatever n is). Requires k <= n.
  std::vector<std::int64_t> distinct_sorted(std::int64_t n, std::int64_t k);

 private:
  std::uint64_t state_;
};

}  // namespace pose::positions
