// Perplexity against context length, as Press et al. and the PoSE paper measure
// it: a window of W positions holds BOS and W-1 document tokens; windows start
// every S (stride) document tokens and each scores only the tokens no earlier
// window scored, so every token is scored exactly once with as much context as
// the window allows. Truncate mode scores only the first window of each
// document. PPL = exp(token-weighted mean NLL) over all documents.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/eval_share.h"
#include "model/llama_model.h"

namespace pose::eval {

struct PerplexitySettings {
  std::vector<int64_t> lengths;     // window sizes W (positions, BOS included)
  int64_t stride = 0;               // document tokens between window starts; 0 or > W-1: W - 1 (no overlap)
  bool truncate = false;            // only the first window of each document
  int64_t min_document_tokens = 0;  // documents shorter than this are skipped
  int64_t max_documents = 0;        // 0: all
  int64_t max_tokens = 0;           // per length, stop after scoring this many tokens (0: all)
  int32_t bos_id = 1;
  int64_t batch_tokens = 16384;     // windows are batched up to this many positions
};

struct PerplexityPoint {
  int64_t length = 0;
  int64_t stride = 0;     // effective stride at this length
  double perplexity = 0.0;
  double mean_nll = 0.0;
  int64_t tokens = 0;     // scored tokens
  int64_t windows = 0;
  int64_t documents = 0;  // documents that contributed
};

// Progress: (lengths done, lengths total).
using EvalProgress = std::function<void(int64_t, int64_t)>;

std::vector<PerplexityPoint> evaluate_perplexity(model::LlamaForCausalLM& model,
                                                 const std::vector<std::vector<int32_t>>& documents,
                                                 const PerplexitySettings& settings, const EvalProgress& progress = {},
                                                 const EvalShare& share = {});

nlohmann::json to_json(const PerplexitySettings& s);
nlohmann::json to_json(const std::vector<PerplexityPoint>& points);

}  // namespace pose::eval
