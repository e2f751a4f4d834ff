#include "eval/passkey_eval.h"

#include <algorithm>

#include "common/error.h"

namespace pose::eval {

namespace {
constexpr std::size_t kSamplesKept = 3;
}

std::vector<PasskeyCell> evaluate_passkey(model::LlamaForCausalLM& model, const text::Tokenizer& tokenizer,
                                          const PasskeySettings& s, const PasskeyProgress& progress) {
  if (s.lengths.empty() || s.depths.empty() || s.trials < 1) {
    throw UserError("passkey: the grid is empty", "give lengths, depths and trials >= 1");
  }
  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Device device =
      model->parameters().empty() ? torch::Device(torch::kCPU) : model->parameters().front().device();
  const text::PasskeyPromptBuilder builder(tokenizer);
  std::vector<PasskeyCell> cells;
  const auto total = static_cast<int64_t>(s.lengths.size() * s.depths.size());
  uint64_t trial_index = 0;
  for (const int64_t L : s.lengths) {
    for (const double depth : s.depths) {
      PasskeyCell cell;
      cell.length = L;
      cell.depth = depth;
      const int64_t minimum = builder.minimum_length(50000);  // the longest key
      if (L < minimum) {
        cell.skipped = "length " + std::to_string(L) + " cannot hold the passkey prompt (" + std::to_string(minimum) +
                       " tokens without filler)";
        cells.push_back(std::move(cell));
        if (progress) progress(static_cast<int64_t>(cells.size()), total);
        continue;
      }
      const int64_t rows_per_batch = std::max<int64_t>(1, s.batch_tokens / L);
      for (int64_t first = 0; first < s.trials; first += rows_per_batch) {
        const int64_t B = std::min(rows_per_batch, s.trials - first);
        std::vector<text::PasskeyPrompt> prompts;
        int64_t T = 0;
        for (int64_t r = 0; r < B; ++r) {
          prompts.push_back(builder.build(L, depth, text::draw_passkey(s.seed, trial_index++)));
          T = std::max(T, prompts.back().answer_end);
        }
        cell.prompt_tokens = std::max(cell.prompt_tokens, T);
        auto ids = torch::zeros({B, T}, torch::kInt64);
        auto ia = ids.accessor<int64_t, 2>();
        for (int64_t r = 0; r < B; ++r) {
          const auto& p = prompts[static_cast<std::size_t>(r)];
          for (int64_t t = 0; t < p.answer_end; ++t) ia[r][t] = p.tokens[static_cast<std::size_t>(t)];
        }
        auto hidden = model->hidden_states(ids.to(device), model::contiguous_positions(B, T, device));
        for (int64_t r = 0; r < B; ++r) {
          const auto& p = prompts[static_cast<std::size_t>(r)];
          // Position t predicts token t + 1: the key's tokens are predicted from answer_begin-1 .. answer_end-2.
          using torch::indexing::Slice;
          auto logits = model->logits_from_hidden(hidden.index({r, Slice(p.answer_begin - 1, p.answer_end - 1)}));
          auto predicted = logits.argmax(-1).to(torch::kCPU);
          std::vector<int32_t> got(static_cast<std::size_t>(predicted.numel()));
          bool ok = true;
          for (int64_t k = 0; k < predicted.numel(); ++k) {
            got[static_cast<std::size_t>(k)] = static_cast<int32_t>(predicted[k].item<int64_t>());
            ok = ok && got[static_cast<std::size_t>(k)] == p.tokens[static_cast<std::size_t>(p.answer_begin + k)];
          }
          ++cell.trials;
          cell.correct += ok ? 1 : 0;
          if (cell.samples.size() < kSamplesKept) cell.samples.push_back({p.key, tokenizer.decode(got), ok});
        }
      }
      cells.push_back(std::move(cell));
      if (progress) progress(static_cast<int64_t>(cells.size()), total);
    }
  }
  return cells;
}

nlohmann::json to_json(const PasskeySettings& s) {
  return {{"lengths", s.lengths},
          {"depths", s.depths},
          {"trials", s.trials},
          {"seed", s.seed},
          {"scoring", "teacher-forced exact match of the key tokens"},
          {"key_range", {1, 50000}}};
}

nlohmann::json to_json(const std::vector<PasskeyCell>& cells) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : cells) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : c.samples) samples.push_back({{"key", s.key}, {"predicted", s.predicted}, {"correct", s.correct}});
    rows.push_back({{"length", c.length},
                    {"prompt_tokens", c.prompt_tokens},
                    {"depth", c.depth},
                    {"trials", c.trials},
                    {"correct", c.correct},
                    {"accuracy", c.accuracy()},
                    {"samples", samples}});
    if (!c.skipped.empty()) rows.back()["skipped"] = c.skipped;
  }
  return rows;
}

double mean_accuracy_at(const std::vector<PasskeyCell>& cells, int64_t length) {
  int64_t trials = 0, correct = 0;
  for (const auto& c : cells) {
    if (c.length != length) continue;
    trials += c.trials;
    correct += c.correct;
  }
  return trials > 0 ? static_cast<double>(correct) / static_cast<double>(trials) : 0.0;
}

}  // namespace pose::eval
