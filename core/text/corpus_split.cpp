#include "text/corpus_split.h"

#include "common/error.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace pose::text {

namespace {
// FNV-1a over the id, mixed with the seed by splitmix64: stable across platforms.
std::uint64_t stable_key(const std::string& id, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::uint64_t z = h ^ (seed + 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

CorpusSplit split_documents(const std::vector<Document>& documents, std::size_t validation_count,
                            std::size_t test_count, std::uint64_t seed) {
  if (validation_count + test_count >= documents.size()) {
    throw UserError("corpus split: " + std::to_string(validation_count) + " validation + " +
                        std::to_string(test_count) + " test documents leave none of the " +
                        std::to_string(documents.size()) + " for training",
                    "hold out fewer documents, or use a larger corpus");
  }
  std::vector<std::size_t> order(documents.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<std::uint64_t> keys(documents.size());
  for (std::size_t i = 0; i < documents.size(); ++i) keys[i] = stable_key(documents[i].id, seed);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });

  std::vector<bool> is_test(documents.size(), false), is_validation(documents.size(), false);
  for (std::size_t k = 0; k < test_count; ++k) is_test[order[k]] = true;
  for (std::size_t k = test_count; k < test_count + validation_count; ++k) is_validation[order[k]] = true;

  // Each set keeps the corpus order (e.g. canonical book order).
  CorpusSplit split;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (is_test[i]) {
      split.test.push_back(documents[i]);
    } else if (is_validation[i]) {
      split.validation.push_back(documents[i]);
    } else {
      split.train.push_back(documents[i]);
    }
  }
  return split;
}

}  // namespace pose::text
