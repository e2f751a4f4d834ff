// Deterministic train / validation / test split by document (for the default
// corpus: by book). The order depends only on (seed, document id), so the split is
// the same on every machine and unaffected by how the corpus was read.
#pragma once

#include <cstdint>
#include <vector>

#include "text/document.h"

namespace pose::text {

struct CorpusSplit {
  std::vector<Document> train, validation, test;
};

// Takes `test_count` then `validation_count` documents for the held-out sets; the
// rest train. Throws UserError when the corpus is too small to hold out that many
// and keep at least one training document.
CorpusSplit split_documents(const std::vector<Document>& documents, std::size_t validation_count,
                            std::size_t test_count, std::uint64_t seed);

}  // namespace pose::text
