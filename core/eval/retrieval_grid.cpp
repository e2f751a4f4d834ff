#include "eval/retrieval_grid.h"

#include <algorithm>

#include "common/error.h"

namespace pose::eval {

namespace {

constexpr std::size_t kSamplesKept = 3;

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<RetrievalCell> evaluate_retrieval(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                                              const RetrievalFormat& format, const RetrievalSettings& s,
                                              const RetrievalProgress& progress, const EvalShare& share) {
  if (s.lengths.empty() || s.depths.empty() || s.trials < 1) {
    throw UserError(format.name + ": the grid is empty", "give lengths, depths and trials >= 1");
  }
  std::vector<RetrievalCell> cells;
  const auto total = static_cast<int64_t>(s.lengths.size() * s.depths.size());
  uint64_t trial_index = 0;
  for (const int64_t L : s.lengths) {
    for (const double depth : s.depths) {
      RetrievalCell cell;
      cell.length = L;
      cell.depth = depth;
      if (s.generate) cell.generated_correct = 0;
      if (L < format.minimum_length) {
        cell.skipped = "length " + std::to_string(L) + " cannot hold the " + format.name + " prompt (" +
                       std::to_string(format.minimum_length) + " tokens without filler)";
        cell.generated_correct = -1;
        cells.push_back(std::move(cell));
        if (progress) progress(static_cast<int64_t>(cells.size()), total);
        continue;
      }
      const int64_t rows_per_batch = std::max<int64_t>(1, s.batch_tokens / L);
      // Every trial's prompt (each rank builds them all, so the draws and
      // prompt_tokens agree), then this rank's trials: rank 0 takes the first
      // few, whose samples are kept, and the rest go round (EvalShare).
      std::vector<RetrievalPrompt> all;
      all.reserve(static_cast<std::size_t>(s.trials));
      for (int64_t t = 0; t < s.trials; ++t) {
        all.push_back(format.build(L, depth, s.seed, trial_index++));
        cell.prompt_tokens = std::max(cell.prompt_tokens, all.back().answer_end);
      }
      std::vector<std::size_t> mine;
      for (int64_t t = 0; t < s.trials; ++t) {
        const bool sampled = t < static_cast<int64_t>(kSamplesKept);
        if (share.count <= 1 || (sampled ? share.index == 0 : share.mine(t))) mine.push_back(static_cast<std::size_t>(t));
      }
      for (std::size_t first = 0; first < mine.size(); first += static_cast<std::size_t>(rows_per_batch)) {
        const auto B = static_cast<int64_t>(std::min<std::size_t>(static_cast<std::size_t>(rows_per_batch), mine.size() - first));
        std::vector<RetrievalPrompt> prompts;
        int64_t T = 0;
        for (int64_t r = 0; r < B; ++r) {
          prompts.push_back(all[mine[first + static_cast<std::size_t>(r)]]);
          T = std::max(T, prompts.back().answer_end);
        }
        auto ids = torch::zeros({B, T}, torch::kInt64);
        auto ia = ids.accessor<int64_t, 2>();
        std::vector<Span> spans;
        for (int64_t r = 0; r < B; ++r) {
          const auto& p = prompts[static_cast<std::size_t>(r)];
          for (int64_t t = 0; t < p.answer_end; ++t) ia[r][t] = p.tokens[static_cast<std::size_t>(t)];
          // Position t predicts token t + 1: the answer is predicted from answer_begin-1 .. answer_end-2.
          spans.push_back({p.answer_begin - 1, p.answer_end - 1});
        }
        const auto predictions = predictor.predict(ids, spans);
        for (int64_t r = 0; r < B; ++r) {
          const auto& p = prompts[static_cast<std::size_t>(r)];
          const auto& got = predictions[static_cast<std::size_t>(r)].argmax;
          bool ok = static_cast<int64_t>(got.size()) == p.answer_end - p.answer_begin;
          for (std::size_t k = 0; ok && k < got.size(); ++k) {
            ok = got[k] == p.tokens[static_cast<std::size_t>(p.answer_begin) + k];
          }
          ++cell.trials;
          cell.correct += ok ? 1 : 0;
          RetrievalSample sample{p.answer, tokenizer.decode(got), ok, {}, false};
          if (s.generate) {
            const std::vector<int32_t> prompt(p.tokens.begin(), p.tokens.begin() + p.answer_begin);
            const auto out = predictor.generate(prompt, p.answer_end - p.answer_begin + s.generate_extra_tokens);
            sample.generated = tokenizer.decode(out);
            sample.generated_correct = sample.generated.find(trimmed(p.answer)) != std::string::npos;
            cell.generated_correct += sample.generated_correct ? 1 : 0;
          }
          if (cell.samples.size() < kSamplesKept) cell.samples.push_back(std::move(sample));
        }
      }
      cells.push_back(std::move(cell));
      if (progress) progress(static_cast<int64_t>(cells.size()), total);
    }
  }
  if (share.count > 1) {
    // Each rank counted its own trials: the totals are the sums.
    std::vector<double> counts;
    for (const auto& c : cells) {
      counts.push_back(static_cast<double>(c.trials));
      counts.push_back(static_cast<double>(c.correct));
      counts.push_back(static_cast<double>(std::max<int64_t>(c.generated_correct, 0)));
    }
    share.sum(counts);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      cells[i].trials = static_cast<int64_t>(counts[3 * i]);
      cells[i].correct = static_cast<int64_t>(counts[3 * i + 1]);
      if (cells[i].generated_correct >= 0) cells[i].generated_correct = static_cast<int64_t>(counts[3 * i + 2]);
    }
  }
  return cells;
}

nlohmann::json to_json(const RetrievalSettings& s, const RetrievalFormat& format) {
  nlohmann::json j = {{"format", format.name},
                      {"lengths", s.lengths},
                      {"depths", s.depths},
                      {"trials", s.trials},
                      {"seed", s.seed},
                      {"scoring", "teacher-forced exact match of the answer tokens"},
                      {"generate", s.generate}};
  if (s.generate) {
    j["generate_extra_tokens"] = s.generate_extra_tokens;
    j["generation_scoring"] = "greedy (KV cache), passes when the text contains the answer";
  }
  for (const auto& [key, value] : format.details.items()) j[key] = value;
  return j;
}

nlohmann::json to_json(const std::vector<RetrievalCell>& cells) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : cells) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : c.samples) {
      nlohmann::json j = {{"expected", s.expected}, {"predicted", s.predicted}, {"correct", s.correct}};
      if (c.generated_correct >= 0) {
        j["generated"] = s.generated;
        j["generated_correct"] = s.generated_correct;
      }
      samples.push_back(std::move(j));
    }
    rows.push_back({{"length", c.length},
                    {"prompt_tokens", c.prompt_tokens},
                    {"depth", c.depth},
                    {"trials", c.trials},
                    {"correct", c.correct},
                    {"accuracy", c.accuracy()},
                    {"samples", samples}});
    if (c.generated_correct >= 0) rows.back()["generated_correct"] = c.generated_correct;
    if (!c.skipped.empty()) rows.back()["skipped"] = c.skipped;
  }
  return rows;
}

std::vector<RetrievalCell> retrieval_cells_from_json(const nlohmann::json& j) {
  if (!j.is_array()) throw UserError("retrieval results: expected a list of cells", "read the results a retrieval evaluation stored");
  std::vector<RetrievalCell> cells;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& row = j[i];
    const std::string where = "retrieval results[" + std::to_string(i) + "]";
    try {
      RetrievalCell c;
      c.length = row.at("length").get<int64_t>();
      c.prompt_tokens = row.value("prompt_tokens", int64_t(0));
      c.depth = row.at("depth").get<double>();
      c.trials = row.at("trials").get<int64_t>();
      c.correct = row.at("correct").get<int64_t>();
      c.generated_correct = row.value("generated_correct", int64_t(-1));
      c.skipped = row.value("skipped", std::string());
      for (const auto& s : row.value("samples", nlohmann::json::array())) {
        RetrievalSample sample;
        sample.expected = s.value("expected", std::string());
        sample.predicted = s.value("predicted", std::string());
        sample.correct = s.value("correct", false);
        sample.generated = s.value("generated", std::string());
        sample.generated_correct = s.value("generated_correct", false);
        c.samples.push_back(std::move(sample));
      }
      cells.push_back(std::move(c));
    } catch (const nlohmann::json::exception& e) {
      throw UserError(where + ": " + e.what(), "read the results a retrieval evaluation stored");
    }
  }
  return cells;
}

double mean_accuracy_at(const std::vector<RetrievalCell>& cells, int64_t length) {
  int64_t trials = 0, correct = 0;
  for (const auto& c : cells) {
    if (c.length != length) continue;
    trials += c.trials;
    correct += c.correct;
  }
  return trials > 0 ? static_cast<double>(correct) / static_cast<double>(trials) : 0.0;
}

}  // namespace pose::eval
