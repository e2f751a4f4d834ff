// SHA-256 (FIPS 180-4), incremental, so that checkpoints of several GB are
// hashed in fixed-size chunks. The store's public helpers (sha256_hex,
// sha256_of_path) are declared in store/experiment_store.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace pose::store {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256();
  void update(const void* data, std::size_t size);
  // Pads and returns the digest; the object starts over afterwards.
  Digest finish();

  static std::string to_hex(const Digest& digest);

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> block_{};
  std::size_t block_used_ = 0;
  std::uint64_t total_bytes_ = 0;  // the padding records the length in bits, modulo 2^64
};

}  // namespace pose::store
