// Attention against distance: on held-out long sequences, how much attention
// probability each layer puts on keys at each relative distance (query index −
// key index), in log-spaced bins, averaged over heads, queries and sequences,
// and the share of it that reaches beyond the original training window Lc.
//
// A sequence holds BOS + the first length−1 tokens of one document, at
// contiguous position ids 0..T−1. The forward is the model's own decoder loop
// (same RoPE tables, masks and layers), so the probabilities are those the
// model computes; they are recomputed per layer from q and k in query chunks
// (softmax in fp32), so at most [1, heads, query_chunk, T] of them exist at once.
//
// Masking is by token index, as in the model: query i sees key j when j <= i
// and, with a sliding window w, i − j < w. Keys a query cannot see carry no mass.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/llama_model.h"

namespace pose::eval {

struct AttentionDistanceSettings {
  int64_t length = 0;           // tokens per sequence (BOS included), e.g. Lt; 2 or more
  int64_t sequences = 4;        // held-out sequences, one per document (the first that hold length−1 tokens)
  int64_t original_window = 0;  // Lc: "beyond" means distance >= Lc (0: not reported)
  int32_t bos_id = 1;
  int64_t query_chunk = 256;    // queries per chunk (bounds memory to heads × chunk × length probabilities)
};

// Distances [lo, hi], inclusive: bin 0 = [0, 0], bin 1 = [1, 1], bin 2 = [2, 3],
// bin 3 = [4, 7], ... (bin k >= 1: [2^(k−1), 2^k − 1]), the last capped at length−1.
struct AttentionDistanceBin {
  int64_t lo = 0, hi = 0;
};

struct AttentionDistanceLayer {
  // Per bin: mean over heads, queries (all T of them) and sequences of the
  // attention probability on keys at that distance. Sums to 1 over the bins.
  std::vector<double> mass;
  // Mean over heads, sequences and the queries at token index >= Lc (those that
  // can see that far) of the probability on keys at distance >= Lc. 0 when
  // original_window is 0 or >= length.
  double beyond_window = 0.0;
};

struct AttentionDistanceResult {
  std::vector<AttentionDistanceBin> bins;
  std::vector<AttentionDistanceLayer> layers;  // in layer order
  int64_t sequences = 0;                       // sequences actually used
  double mean_beyond_window = 0.0;             // mean of beyond_window over layers
};

// The bins for sequences of `length` tokens (length >= 1).
std::vector<AttentionDistanceBin> attention_distance_bins(int64_t length);

// Throws UserError for invalid settings and when no document holds length−1
// tokens. Progress: (sequences done, sequences total).
AttentionDistanceResult evaluate_attention_distance(
    model::LlamaForCausalLM& model, const std::vector<std::vector<int32_t>>& documents,
    const AttentionDistanceSettings& settings, const std::function<void(int64_t done, int64_t total)>& progress = {});

nlohmann::json to_json(const AttentionDistanceSettings& s);
// {"bins": [[lo, hi], ...], "layers": [{"layer": i, "mass": [...], "beyond_window": x}, ...],
//  "sequences": n, "mean_beyond_window": x}
nlohmann::json to_json(const AttentionDistanceResult& r);

}  // namespace pose::eval
