// The data stage of an experiment: read the corpus, split it by document into
// train / validation / test, obtain the tokenizer (train a BPE model on the
// training split, or load a tokenizer.model) and tokenize the three splits into
// token files. Everything is cached in the experiment's work directory under a
// fingerprint of its inputs, so a second run (or a resume) reuses it and a
// changed corpus or vocabulary rebuilds it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "experiment/experiment_spec.h"
#include "text/tokenizer.h"

namespace pose::experiment {

using TokenDocs = std::vector<std::vector<int32_t>>;

struct PreparedData {
  std::unique_ptr<text::Tokenizer> tokenizer;
  std::filesystem::path tokenizer_file;
  std::shared_ptr<const TokenDocs> train, validation, test;
  std::vector<std::string> train_ids, validation_ids, test_ids;  // document names, for reports
  std::filesystem::path dir;  // work_dir/data
  bool reused = false;        // came from the cache
  nlohmann::json summary;     // counts of documents and tokens per split, corpus source, tokenizer
  const TokenDocs& split(const std::string& name) const;  // "train", "validation", "test"
};

// `base_tokenizer`: the tokenizer.model of an HF base model (tokenizer kind "base-model").
PreparedData prepare_data(const ExperimentSpec& spec, const std::filesystem::path& work_dir,
                          const std::function<void(const std::string&)>& log,
                          const std::optional<std::filesystem::path>& base_tokenizer = std::nullopt);

}  // namespace pose::experiment
