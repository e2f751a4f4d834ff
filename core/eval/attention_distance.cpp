#include "eval/attention_distance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "kernels/attention_kernel.h"
#include "rope/rotary.h"

namespace pose::eval {

namespace {

// Per-layer sums over sequences, kept on the device (no host sync per chunk).
struct LayerSums {
  torch::Tensor mass;    // [bins], sum over sequences and queries of the head-mean probability
  torch::Tensor beyond;  // scalar, the same for distance >= Lc over queries i >= Lc
};

void check_settings(const AttentionDistanceSettings& s) {
  if (s.length < 2) {
    throw UserError("attention distance: length " + std::to_string(s.length) + " is below 2",
                    "use sequences of 2 tokens or more (BOS + document tokens)");
  }
  if (s.sequences < 1) {
    throw UserError("attention distance: sequences " + std::to_string(s.sequences) + " is below 1",
                    "use at least one sequence");
  }
  if (s.original_window < 0) {
    throw UserError("attention distance: original window " + std::to_string(s.original_window) + " is negative",
                    "give the training context length Lc, or 0 to leave the beyond-window share out");
  }
  if (s.query_chunk < 1) {
    throw UserError("attention distance: query chunk " + std::to_string(s.query_chunk) + " is below 1",
                    "use a query chunk of 1 or more");
  }
}

}  // namespace

std::vector<AttentionDistanceBin> attention_distance_bins(int64_t length) {
  std::vector<AttentionDistanceBin> bins;
  if (length < 1) return bins;
  bins.push_back({0, 0});
  for (int64_t lo = 1; lo <= length - 1; lo *= 2) bins.push_back({lo, std::min(2 * lo - 1, length - 1)});
  return bins;
}

AttentionDistanceResult evaluate_attention_distance(model::LlamaForCausalLM& model,
                                                    const std::vector<std::vector<int32_t>>& documents,
                                                    const AttentionDistanceSettings& s,
                                                    const std::function<void(int64_t, int64_t)>& progress) {
  check_settings(s);
  const int64_t T = s.length;
  const model::ModelConfig& config = model->config();
  if (s.bos_id < 0 || s.bos_id >= config.vocab_size) {
    throw UserError("attention distance: BOS id " + std::to_string(s.bos_id) + " is outside the vocabulary [0, " +
                        std::to_string(config.vocab_size) + ")",
                    "give the tokenizer's BOS id");
  }

  // The first `sequences` documents that fill a sequence (length−1 tokens after BOS).
  std::vector<const std::vector<int32_t>*> chosen;
  std::size_t longest = 0;
  for (const auto& doc : documents) {
    longest = std::max(longest, doc.size());
    if (static_cast<int64_t>(chosen.size()) < s.sequences && static_cast<int64_t>(doc.size()) >= T - 1) {
      chosen.push_back(&doc);
    }
  }
  if (chosen.empty()) {
    throw UserError("attention distance: no document holds " + std::to_string(T - 1) + " tokens for length " +
                        std::to_string(T) + " (the longest of " + std::to_string(documents.size()) + " has " +
                        std::to_string(longest) + ")",
                    "use a shorter length or a split with longer documents");
  }

  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Device device =
      model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters().front().device();
  // Cumulative sums in fp64 keep small bins exact at long lengths; MPS has no fp64.
  const torch::ScalarType acc_dtype = device.is_mps() ? torch::kFloat : torch::kDouble;
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);
  const auto acc_opts = torch::TensorOptions().dtype(acc_dtype).device(device);

  const int64_t H = config.num_attention_heads;
  const int64_t KV = config.num_key_value_heads;
  const int64_t D = config.head_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  const std::optional<int64_t> window = config.sliding_window;
  const int64_t Lc = s.original_window;
  const bool report_beyond = Lc > 0 && Lc < T;
  const auto n_layers = model->model->layer_list.size();

  AttentionDistanceResult result;
  result.bins = attention_distance_bins(T);
  const auto n_bins = static_cast<int64_t>(result.bins.size());
  std::vector<int64_t> lo_v, hi_v;
  for (const auto& b : result.bins) {
    lo_v.push_back(b.lo);
    hi_v.push_back(b.hi);
  }
  const torch::Tensor bin_lo = torch::tensor(lo_v, torch::kLong).to(device).unsqueeze(0);  // [1, bins]
  const torch::Tensor bin_hi = torch::tensor(hi_v, torch::kLong).to(device).unsqueeze(0);

  std::vector<LayerSums> sums(n_layers);
  for (auto& l : sums) {
    l.mass = torch::zeros({n_bins}, acc_opts);
    l.beyond = torch::zeros({}, acc_opts);
  }

  const torch::Tensor positions = model::contiguous_positions(1, T, device);
  // Same frequencies as run_decoder: static ropes ignore the argument; length-
  // dependent ones use max(position_ids) = T − 1.
  const rope::RotaryTables tables = rope::rotary_tables(model->frequencies_for(T - 1), positions);
  const model::AttentionKernel kernel = model->options().kernel;

  const auto total = static_cast<int64_t>(chosen.size());
  for (int64_t seq = 0; seq < total; ++seq) {
    const auto& doc = *chosen[static_cast<std::size_t>(seq)];
    std::vector<int64_t> ids_v;
    ids_v.reserve(static_cast<std::size_t>(T));
    ids_v.push_back(s.bos_id);
    for (int64_t t = 0; t < T - 1; ++t) ids_v.push_back(doc[static_cast<std::size_t>(t)]);
    const auto [min_it, max_it] = std::minmax_element(ids_v.begin(), ids_v.end());
    if (*min_it < 0 || *max_it >= config.vocab_size) {
      throw UserError("attention distance: sequence " + std::to_string(seq) + " has token id " +
                          std::to_string(*min_it < 0 ? *min_it : *max_it) + " outside the vocabulary [0, " +
                          std::to_string(config.vocab_size) + ")",
                      "tokenize with the model's own tokenizer");
    }
    const torch::Tensor ids = torch::tensor(ids_v, torch::kLong).to(device).unsqueeze(0);  // [1, T]

    torch::Tensor h = model->model->embed_tokens(ids);
    const model::AttentionMask mask =
        model::make_attention_mask(T, 0, window, kernel, h.scalar_type(), device);
    for (std::size_t li = 0; li < n_layers; ++li) {
      model::DecoderLayer& layer = model->model->layer_list[li];
      const torch::Tensor x = layer->input_layernorm(h);
      torch::Tensor q = layer->self_attn->q_proj(x).view({1, T, H, D}).transpose(1, 2);
      torch::Tensor k = layer->self_attn->k_proj(x).view({1, T, KV, D}).transpose(1, 2);
      q = rope::apply_rotary(q, tables.cos, tables.sin).to(torch::kFloat);
      k = model::repeat_kv(rope::apply_rotary(k, tables.cos, tables.sin), H / KV).to(torch::kFloat);

      for (int64_t q0 = 0; q0 < T; q0 += s.query_chunk) {
        const int64_t c = std::min(s.query_chunk, T - q0);
        const int64_t K = q0 + c;  // causal: keys past the chunk's last query are never seen
        const torch::Tensor qi = torch::arange(q0, K, long_opts).unsqueeze(1);  // [c, 1] query token index
        const torch::Tensor kj = torch::arange(0, K, long_opts).unsqueeze(0);   // [1, K] key token index
        torch::Tensor blocked = kj > qi;
        if (window) blocked = blocked.logical_or(qi - kj >= *window);
        const torch::Tensor scores =
            torch::matmul(q.narrow(2, q0, c), k.narrow(2, 0, K).transpose(-2, -1)).mul_(scale)
                .masked_fill_(blocked, -std::numeric_limits<double>::infinity());
        // [1, H, c, K] -> head mean [c, K]; cumulative over keys with a leading 0:
        // prefix[:, m] = probability on keys j < m.
        const torch::Tensor head_mean = torch::softmax(scores, -1, torch::kFloat).mean(1).squeeze(0).to(acc_dtype);
        const torch::Tensor prefix = torch::cat({torch::zeros({c, 1}, acc_opts), head_mean.cumsum(-1)}, 1);
        // Bin [lo, hi] of query i holds keys i−hi .. i−lo (clipped at 0).
        const torch::Tensor from = (qi - bin_hi).clamp_min(0);     // [c, bins]
        const torch::Tensor until = (qi - bin_lo + 1).clamp_min(0);  // [c, bins], exclusive
        sums[li].mass.add_((prefix.gather(1, until) - prefix.gather(1, from)).sum(0));
        if (report_beyond) {
          // Keys at distance >= Lc: j <= i − Lc; queries i < Lc give prefix[:, 0] = 0.
          sums[li].beyond.add_(prefix.gather(1, (qi - Lc + 1).clamp_min(0)).sum());
        }
      }
      // The last layer's output is not needed for any attention.
      if (li + 1 < n_layers) h = layer(h, tables.cos, tables.sin, mask, kernel);
    }
    if (progress) progress(seq + 1, total);
  }

  result.sequences = total;
  const double queries = static_cast<double>(total * T);
  const double beyond_queries = static_cast<double>(total * (T - Lc));
  double beyond_total = 0.0;
  for (std::size_t li = 0; li < n_layers; ++li) {
    AttentionDistanceLayer layer;
    const torch::Tensor mass = sums[li].mass.to(torch::kCPU, torch::kDouble);
    layer.mass.resize(static_cast<std::size_t>(n_bins));
    for (int64_t b = 0; b < n_bins; ++b) layer.mass[static_cast<std::size_t>(b)] = mass[b].item<double>() / queries;
    if (report_beyond) layer.beyond_window = sums[li].beyond.item<double>() / beyond_queries;
    beyond_total += layer.beyond_window;
    result.layers.push_back(std::move(layer));
  }
  if (n_layers > 0) result.mean_beyond_window = beyond_total / static_cast<double>(n_layers);
  return result;
}

nlohmann::json to_json(const AttentionDistanceSettings& s) {
  return {{"length", s.length},
          {"sequences", s.sequences},
          {"original_window", s.original_window},
          {"bos_prepended", true},
          {"sequence_holds", "BOS + (length-1) document tokens, positions 0..length-1"},
          {"bins", "distance 0, then [2^k, 2^(k+1)-1], the last capped at length-1"},
          {"beyond_window", "mass at distance >= original_window, over queries at index >= original_window"}};
}

nlohmann::json to_json(const AttentionDistanceResult& r) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& b : r.bins) bins.push_back({b.lo, b.hi});
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    layers.push_back({{"layer", i}, {"mass", r.layers[i].mass}, {"beyond_window", r.layers[i].beyond_window}});
  }
  return {{"bins", bins}, {"layers", layers}, {"sequences", r.sequences}, {"mean_beyond_window", r.mean_beyond_window}};
}

}  // namespace pose::eval
