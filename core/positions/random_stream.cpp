#include "positions/random_stream.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace pose::positions {

namespace {
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // SplitMix64's increment
}

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

RandomStream RandomStream::for_sample(std::uint64_t seed, std::uint64_t index) {
  // Hash twice so that (seed, index) and (seed + 1, index - 1) do not collide.
  return RandomStream(mix64(mix64(seed + kGolden) ^ (index * 0xD1B54A32D192ED03ULL + 1)));
}

std::uint64_t RandomStream::next() {
  state_ += kGolden;
  return mix64(state_);
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  if (n == 0) throw std::invalid_argument("RandomStream::below: n must be positive");
  // (2^64 - n) mod n == 2^64 mod n: the count of values that would make the low
  // residues more likely. Rejecting them leaves every residue equally often.
  const std::uint64_t threshold = (0 - n) % n;
  std::uint64_t x = next();
  while (x < threshold) x = next();
  return x % n;
}

std::int64_t RandomStream::between(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) throw std::invalid_argument("RandomStream::between: empty range");
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return lo + static_cast<std::int64_t>(below(span));
}

std::vector<std::int64_t> RandomStream::distinct_sorted(std::int64_t n, std::int64_t k) {
  if (k < 0 || k > n) throw std::invalid_argument("RandomStream::distinct_sorted: need 0 <= k <= n");
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(k));
  // Floyd: for j = n-k .. n-1 take t ~ U{0..j}; if t is taken already take j.
  // Every k-subset is equally likely. Membership only decides, so the container
  // (bitmap for dense draws, hash set for sparse ones) does not change the result.
  if (k * 16 >= n) {
    std::vector<char> taken(static_cast<std::size_t>(n), 0);
    for (std::int64_t j = n - k; j < n; ++j) {
      auto t = between(0, j);
      if (taken[static_cast<std::size_t>(t)]) t = j;
      taken[static_cast<std::size_t>(t)] = 1;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      if (taken[static_cast<std::size_t>(i)]) out.push_back(i);
    }
    return out;
  }
  std::unordered_set<std::int64_t> taken;
  taken.reserve(static_cast<std::size_t>(k) * 2);
  for (std::int64_t j = n - k; j < n; ++j) {
    auto t = between(0, j);
    if (!taken.insert(t).second) {
      taken.insert(j);
      t = j;
    }
    out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pose::positions
