#include "eval/perplexity.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace pose::eval {

namespace {

struct Window {
  std::vector<int64_t> ids;     // BOS + document tokens
  std::vector<int64_t> labels;  // -100 where not scored (BOS, tokens an earlier window scored)
};

// The windows of one document at window size W, in order.
std::vector<Window> document_windows(const std::vector<int32_t>& doc, int64_t W, int64_t stride, bool truncate,
                                     int32_t bos) {
  std::vector<Window> out;
  const auto n = static_cast<int64_t>(doc.size());
  int64_t scored_until = 0;  // document tokens [0, scored_until) are scored
  for (int64_t begin = 0; begin < n; begin += stride) {
    const int64_t end = std::min(begin + W - 1, n);
    Window w;
    w.ids.reserve(static_cast<std::size_t>(end - begin + 1));
    w.labels.reserve(w.ids.capacity());
    w.ids.push_back(bos);
    w.labels.push_back(-100);
    for (int64_t t = begin; t < end; ++t) {
      w.ids.push_back(doc[static_cast<std::size_t>(t)]);
      w.labels.push_back(t >= scored_until ? doc[static_cast<std::size_t>(t)] : -100);
    }
    scored_until = end;
    out.push_back(std::move(w));
    if (truncate || end == n) break;
  }
  return out;
}

}  // namespace

std::vector<PerplexityPoint> evaluate_perplexity(model::LlamaForCausalLM& model,
                                                 const std::vector<std::vector<int32_t>>& documents,
                                                 const PerplexitySettings& s, const EvalProgress& progress,
                                                 const EvalShare& share) {
  if (s.lengths.empty()) throw UserError("perplexity: no lengths given", "give at least one window length");
  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Device device =
      model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters().front().device();
  std::vector<PerplexityPoint> points;
  int64_t done = 0;
  for (const int64_t W : s.lengths) {
    if (W < 2) throw UserError("perplexity: window " + std::to_string(W) + " is below 2", "use windows of 2 or more");
    // A stride longer than the window would leave tokens unscored: such
    // windows simply do not overlap (the effective stride is stored per length).
    const int64_t stride = s.stride > 0 ? std::min(s.stride, W - 1) : W - 1;
    PerplexityPoint point;
    point.length = W;
    point.stride = stride;
    double nll = 0.0;
    const int64_t rows_per_batch = std::max<int64_t>(1, s.batch_tokens / W);
    std::vector<Window> pending;
    int64_t pending_scored = 0;  // tokens the pending windows score
    // Which windows are scored is planned from the labels alone, so data-parallel
    // ranks agree on every batch and each computes its own (EvalShare).
    int64_t planned_tokens = 0, batch_index = 0;
    auto flush = [&] {
      if (pending.empty()) return;
      planned_tokens += pending_scored;
      if (!share.mine(batch_index++)) {
        pending.clear();
        pending_scored = 0;
        return;
      }
      int64_t T = 0;
      for (const auto& w : pending) T = std::max<int64_t>(T, static_cast<int64_t>(w.ids.size()));
      const auto B = static_cast<int64_t>(pending.size());
      auto ids = torch::zeros({B, T}, torch::kInt64);
      auto labels = torch::full({B, T}, -100, torch::kInt64);
      auto ia = ids.accessor<int64_t, 2>();
      auto la = labels.accessor<int64_t, 2>();
      for (int64_t r = 0; r < B; ++r) {
        const auto& w = pending[static_cast<std::size_t>(r)];
        for (std::size_t t = 0; t < w.ids.size(); ++t) {
          ia[r][static_cast<int64_t>(t)] = w.ids[t];
          la[r][static_cast<int64_t>(t)] = w.labels[t];
        }
      }
      auto positions = model::contiguous_positions(B, T, device);
      auto r = model->nll_sum(ids.to(device), positions, labels.to(device));
      nll += r.sum.item<double>();
      point.tokens += r.tokens;
      point.windows += B;
      pending.clear();
      pending_scored = 0;
    };
    int64_t used_documents = 0;
    for (const auto& doc : documents) {
      if (static_cast<int64_t>(doc.size()) < std::max<int64_t>(1, s.min_document_tokens)) continue;
      if (s.max_documents > 0 && used_documents >= s.max_documents) break;
      if (s.max_tokens > 0 && planned_tokens >= s.max_tokens) break;
      ++used_documents;
      for (auto& w : document_windows(doc, W, stride, s.truncate, s.bos_id)) {
        pending_scored += std::count_if(w.labels.begin(), w.labels.end(), [](int64_t l) { return l != -100; });
        pending.push_back(std::move(w));
        // A full batch, or enough windows to reach the token cap: the cap
        // overshoots by less than one window, not by one batch.
        const bool cap_reached = s.max_tokens > 0 && planned_tokens + pending_scored >= s.max_tokens;
        if (static_cast<int64_t>(pending.size()) >= rows_per_batch || cap_reached) {
          flush();
          if (s.max_tokens > 0 && planned_tokens >= s.max_tokens) break;
        }
      }
    }
    flush();
    if (share.count > 1) {
      std::vector<double> totals{nll, static_cast<double>(point.tokens), static_cast<double>(point.windows)};
      share.sum(totals);
      nll = totals[0];
      point.tokens = static_cast<int64_t>(totals[1]);
      point.windows = static_cast<int64_t>(totals[2]);
    }
    point.documents = used_documents;
    if (point.tokens == 0) {
      throw UserError("perplexity at length " + std::to_string(W) + ": no document passed the filter",
                      "lower min_document_tokens or use another split");
    }
    point.mean_nll = nll / static_cast<double>(point.tokens);
    point.perplexity = std::exp(point.mean_nll);
    points.push_back(point);
    if (progress) progress(++done, static_cast<int64_t>(s.lengths.size()));
  }
  return points;
}

nlohmann::json to_json(const PerplexitySettings& s) {
  return {{"lengths", s.lengths},
          {"stride", s.stride},
          {"truncate", s.truncate},
          {"min_document_tokens", s.min_document_tokens},
          {"max_documents", s.max_documents},
          {"max_tokens", s.max_tokens},
          {"bos_prepended", true},
          {"window_holds", "BOS + (W-1) document tokens"}};
}

nlohmann::json to_json(const std::vector<PerplexityPoint>& points) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : points) {
    rows.push_back({{"length", p.length},
                    {"stride", p.stride},
                    {"perplexity", p.perplexity},
                    {"mean_nll", p.mean_nll},
                    {"tokens", p.tokens},
                    {"windows", p.windows},
                    {"documents", p.documents}});
  }
  return rows;
}

}  // namespace pose::eval
