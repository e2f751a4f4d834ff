#include "eval/ruler_eval.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "common/error.h"
#include "positions/random_stream.h"
#include "results/effective_length.h"

namespace pose::eval {

namespace {

constexpr std::size_t kSamplesKept = 3;

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// RULER's post-processing of a prediction: trimmed, control characters as line breaks.
std::string postprocessed(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20) c = '\n';
  }
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
  return s;
}

// The sample index of one trial: a hash of where it sits in the grid, so that a
// cell's samples do not depend on the other cells.
uint64_t trial_index(int64_t length, double depth, int64_t trial) {
  const auto depth_code = static_cast<uint64_t>(std::llround((depth + 1.0) * 1e6));
  return positions::mix64(positions::mix64(static_cast<uint64_t>(length)) ^ depth_code) +
         static_cast<uint64_t>(trial);
}

void validate(const RulerSettings& s) {
  if (s.lengths.empty()) throw UserError("RULER: no lengths to evaluate", "give one or more lengths in tokens");
  for (const auto L : s.lengths) {
    if (L < 1) throw UserError("RULER: length " + std::to_string(L) + " is below 1", "give lengths of 1 token or more");
  }
  if (s.depths.empty()) throw UserError("RULER: no depths to evaluate", "give one or more depths in [0, 1], e.g. 0.5");
  for (const double d : s.depths) {
    if (!(d >= 0.0 && d <= 1.0)) {
      throw UserError("RULER: depth " + std::to_string(d) + " is outside [0, 1]", "give depths from 0 (start) to 1 (end)");
    }
  }
  if (s.trials < 1) throw UserError("RULER: trials is " + std::to_string(s.trials), "give 1 trial or more");
  if (s.max_new_tokens && *s.max_new_tokens < 1) {
    throw UserError("RULER: max_new_tokens is " + std::to_string(*s.max_new_tokens),
                    "give 1 or more, or leave it out for each task's RULER budget");
  }
}

// ---------------------------------------------------------------------------
// Reading JSON with messages that name the field.

[[noreturn]] void malformed(const std::string& what, const std::string& field, const std::string& problem) {
  throw UserError(what + ": " + field + " " + problem, "give a document written by `pose` (to_json), or re-run the evaluation");
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& what, const std::string& at) {
  if (!j.is_object()) malformed(what, at.empty() ? "the document" : at, "is not an object");
  const auto it = j.find(key);
  if (it == j.end()) malformed(what, at.empty() ? key : at + "." + key, "is missing");
  return *it;
}

int64_t integer(const nlohmann::json& v, const std::string& what, const std::string& field) {
  if (!v.is_number_integer()) malformed(what, field, "is not an integer");
  return v.get<int64_t>();
}

double number(const nlohmann::json& v, const std::string& what, const std::string& field) {
  if (!v.is_number()) malformed(what, field, "is not a number");
  return v.get<double>();
}

std::string string_of(const nlohmann::json& v, const std::string& what, const std::string& field) {
  if (!v.is_string()) malformed(what, field, "is not a string");
  return v.get<std::string>();
}

const nlohmann::json& array_of(const nlohmann::json& v, const std::string& what, const std::string& field) {
  if (!v.is_array()) malformed(what, field, "is not an array");
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------

std::optional<double> RulerResult::accuracy(const std::string& task, int64_t length) const {
  int64_t trials = 0;
  double sum = 0.0;
  for (const auto& c : cells) {
    if (c.task != task || c.length != length || !c.skipped.empty()) continue;
    trials += c.trials;
    sum += c.score_sum;
  }
  if (trials == 0) return std::nullopt;
  return sum / static_cast<double>(trials);
}

std::optional<double> RulerResult::average(int64_t length) const {
  std::vector<std::string> tasks;
  for (const auto& c : cells) {
    if (c.length == length && std::find(tasks.begin(), tasks.end(), c.task) == tasks.end()) tasks.push_back(c.task);
  }
  double sum = 0.0;
  int64_t n = 0;
  for (const auto& t : tasks) {
    if (const auto a = accuracy(t, length)) {
      sum += *a;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::vector<int64_t> RulerResult::lengths() const {
  std::set<int64_t> s;
  for (const auto& c : cells) s.insert(c.length);
  return {s.begin(), s.end()};
}

double ruler_score(RulerScoring scoring, const std::vector<std::string>& expected, const std::string& output) {
  if (expected.empty()) return 0.0;
  const std::string out = lowered(output);
  std::size_t found = 0;
  for (const auto& e : expected) found += out.find(lowered(e)) != std::string::npos ? 1 : 0;
  if (scoring == RulerScoring::Part) return found > 0 ? 1.0 : 0.0;
  return static_cast<double>(found) / static_cast<double>(expected.size());
}

RulerResult evaluate_ruler(TokenPredictor& predictor, const text::Tokenizer& tokenizer,
                           const std::vector<std::vector<int32_t>>& haystack_documents, const RulerSettings& settings,
                           const std::function<void(int64_t done, int64_t total)>& progress, const EvalShare& share) {
  validate(settings);
  std::vector<const RulerTaskInfo*> tasks;
  if (settings.tasks.empty()) {
    for (const auto& t : ruler_tasks()) tasks.push_back(&t);
  } else {
    for (const auto& name : settings.tasks) tasks.push_back(&ruler_task(name));
  }
  const bool have_documents =
      std::any_of(haystack_documents.begin(), haystack_documents.end(), [&](const std::vector<int32_t>& d) {
        return std::any_of(d.begin(), d.end(),
                           [&](int32_t id) { return id != tokenizer.bos_id() && id != tokenizer.eos_id(); });
      });

  // The cells first, so that progress knows the total.
  struct Planned {
    const RulerTaskInfo* task;
    RulerCell cell;
    int64_t trials;
  };
  std::vector<Planned> plan;
  const auto depth_count = static_cast<int64_t>(settings.depths.size());
  for (const auto* task : tasks) {
    for (const int64_t L : settings.lengths) {
      const std::vector<double> depths = task->uses_depth ? settings.depths : std::vector<double>{kNoDepth};
      for (const double d : depths) {
        RulerCell cell;
        cell.task = task->name;
        cell.length = L;
        cell.depth = d;
        plan.push_back({task, std::move(cell), task->uses_depth ? settings.trials : settings.trials * depth_count});
      }
    }
  }
  int64_t total = 0;
  for (const auto& p : plan) total += p.trials;

  RulerResult result;
  int64_t done = 0;
  for (auto& p : plan) {
    RulerCell& cell = p.cell;
    const RulerTaskInfo& task = *p.task;
    if (task.needs_documents && !have_documents) {
      cell.skipped = task.name + " hides its needles in essay text from held-out documents, and none were given";
    } else {
      const int64_t need = ruler_minimum_length(task, tokenizer, cell.length);
      if (cell.length < need) {
        cell.skipped = "length " + std::to_string(cell.length) + " cannot hold the " + task.name + " prompt (" +
                       std::to_string(need) + " tokens without filler)";
      }
    }
    if (!cell.skipped.empty()) {
      done += p.trials;
      if (progress) progress(done, total);
      result.cells.push_back(std::move(cell));
      continue;
    }
    const int64_t budget = settings.max_new_tokens.value_or(task.max_new_tokens);
    for (int64_t t = 0; t < p.trials; ++t) {
      const auto sample = build_ruler_sample(task, tokenizer, haystack_documents, cell.length,
                                             cell.depth == kNoDepth ? 0.5 : cell.depth, settings.seed,
                                             trial_index(cell.length, cell.depth, t));
      cell.prompt_tokens = std::max(cell.prompt_tokens, static_cast<int64_t>(sample.prompt.size()));
      // Data-parallel ranks: rank 0 generates the first trials (their samples
      // are kept), the rest go round (EvalShare); every rank builds every
      // prompt, so prompt_tokens agrees.
      const bool sampled = t < static_cast<int64_t>(kSamplesKept);
      if (share.count > 1 && !(sampled ? share.index == 0 : share.mine(t))) {
        ++done;
        continue;
      }
      const std::string out = postprocessed(tokenizer.decode(predictor.generate(sample.prompt, budget)));
      const double score = ruler_score(task.scoring, sample.expected, out);
      ++cell.trials;
      cell.score_sum += score;
      if (cell.samples.size() < kSamplesKept) cell.samples.push_back({joined(sample.expected), out, score});
      ++done;
      if (progress) progress(done, total);
    }
    result.cells.push_back(std::move(cell));
  }
  if (share.count > 1) {
    std::vector<double> sums;
    for (const auto& c : result.cells) {
      sums.push_back(static_cast<double>(c.trials));
      sums.push_back(c.score_sum);
    }
    share.sum(sums);
    for (std::size_t i = 0; i < result.cells.size(); ++i) {
      result.cells[i].trials = static_cast<int64_t>(sums[2 * i]);
      result.cells[i].score_sum = sums[2 * i + 1];
    }
  }
  return result;
}

// ---------------------------------------------------------------------------

nlohmann::json to_json(const RulerSettings& s) {
  nlohmann::json tasks = nlohmann::json::array();
  const auto names = s.tasks.empty() ? parse_ruler_tasks("all") : s.tasks;
  for (const auto& name : names) {
    const auto& t = ruler_task(name);
    tasks.push_back({{"name", t.name},
                     {"configuration", t.configuration},
                     {"scoring", "string_match_" + ruler_scoring_name(t.scoring)},
                     {"max_new_tokens", s.max_new_tokens.value_or(t.max_new_tokens)},
                     {"uses_depth", t.uses_depth}});
  }
  nlohmann::json j = {{"benchmark", "ruler"},
                      {"tasks", names},
                      {"lengths", s.lengths},
                      {"depths", s.depths},
                      {"trials", s.trials},
                      {"seed", s.seed},
                      {"max_new_tokens", s.max_new_tokens ? nlohmann::json(*s.max_new_tokens) : nlohmann::json()},
                      {"decoding", "greedy, stops at EOS; output trimmed, control characters as line breaks"},
                      {"length_counts", "BOS, prompt and answer prefix; generated tokens come after"},
                      {"task_settings", tasks}};
  return j;
}

RulerSettings ruler_settings_from_json(const nlohmann::json& j) {
  const std::string what = "RULER settings";
  RulerSettings s;
  // Copies of the small arrays: GCC 14 warns of dangling references through the helpers' temporaries.
  const nlohmann::json tasks = array_of(member(j, "tasks", what, ""), what, "tasks");
  const nlohmann::json lengths = array_of(member(j, "lengths", what, ""), what, "lengths");
  const nlohmann::json depths = array_of(member(j, "depths", what, ""), what, "depths");
  for (const auto& t : tasks) s.tasks.push_back(ruler_task(string_of(t, what, "tasks[]")).name);
  for (const auto& v : lengths) s.lengths.push_back(integer(v, what, "lengths[]"));
  for (const auto& v : depths) s.depths.push_back(number(v, what, "depths[]"));
  s.trials = integer(member(j, "trials", what, ""), what, "trials");
  const nlohmann::json seed = member(j, "seed", what, "");  // copies: GCC 14 warns of dangling references
  if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0)) {
    malformed(what, "seed", "is not a non-negative integer");
  }
  s.seed = seed.get<uint64_t>();
  if (j.contains("max_new_tokens") && !j["max_new_tokens"].is_null()) {
    s.max_new_tokens = integer(j["max_new_tokens"], what, "max_new_tokens");
  }
  return s;
}

nlohmann::json to_json(const RulerResult& r) {
  nlohmann::json cells = nlohmann::json::array();
  for (const auto& c : r.cells) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& s : c.samples) {
      samples.push_back({{"expected", s.expected_joined}, {"generated", s.generated}, {"score", s.score}});
    }
    nlohmann::json cell = {{"task", c.task},
                           {"length", c.length},
                           {"depth", c.depth == kNoDepth ? nlohmann::json() : nlohmann::json(c.depth)},
                           {"trials", c.trials},
                           {"score_sum", c.score_sum},
                           {"accuracy", c.accuracy()},
                           {"prompt_tokens", c.prompt_tokens},
                           {"samples", samples}};
    if (!c.skipped.empty()) cell["skipped"] = c.skipped;
    cells.push_back(std::move(cell));
  }
  nlohmann::json per_length = nlohmann::json::array();
  for (const auto L : r.lengths()) {
    nlohmann::json tasks = nlohmann::json::object();
    for (const auto& c : r.cells) {
      if (c.length != L || tasks.contains(c.task)) continue;
      const auto a = r.accuracy(c.task, L);
      tasks[c.task] = a ? nlohmann::json(*a) : nlohmann::json();
    }
    const auto avg = r.average(L);
    per_length.push_back({{"length", L}, {"average", avg ? nlohmann::json(*avg) : nlohmann::json()}, {"tasks", tasks}});
  }
  const auto eff = effective_length(r, kRulerThreshold);
  return {{"cells", cells},
          {"per_length", per_length},
          {"effective_length", {{"threshold", kRulerThreshold}, {"length", eff ? nlohmann::json(*eff) : nlohmann::json()}}}};
}

RulerResult ruler_result_from_json(const nlohmann::json& j) {
  const std::string what = "RULER result";
  RulerResult r;
  const nlohmann::json cells = array_of(member(j, "cells", what, ""), what, "cells");
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string at = "cells[" + std::to_string(i) + "]";
    const auto& c = cells[i];
    RulerCell cell;
    cell.task = string_of(member(c, "task", what, at), what, at + ".task");
    cell.length = integer(member(c, "length", what, at), what, at + ".length");
    const nlohmann::json depth = member(c, "depth", what, at);
    cell.depth = depth.is_null() ? kNoDepth : number(depth, what, at + ".depth");
    cell.trials = integer(member(c, "trials", what, at), what, at + ".trials");
    cell.score_sum = number(member(c, "score_sum", what, at), what, at + ".score_sum");
    if (cell.trials < 0) malformed(what, at + ".trials", "is negative");
    if (cell.score_sum < 0.0 || cell.score_sum > static_cast<double>(cell.trials) + 1e-9) {
      malformed(what, at + ".score_sum", "is outside [0, trials]");
    }
    if (c.contains("prompt_tokens")) cell.prompt_tokens = integer(c["prompt_tokens"], what, at + ".prompt_tokens");
    if (c.contains("skipped")) cell.skipped = string_of(c["skipped"], what, at + ".skipped");
    if (c.contains("samples")) {
      const nlohmann::json samples = array_of(c["samples"], what, at + ".samples");
      for (std::size_t k = 0; k < samples.size(); ++k) {
        const std::string sat = at + ".samples[" + std::to_string(k) + "]";
        RulerSampleRecord s;
        s.expected_joined = string_of(member(samples[k], "expected", what, sat), what, sat + ".expected");
        s.generated = string_of(member(samples[k], "generated", what, sat), what, sat + ".generated");
        s.score = number(member(samples[k], "score", what, sat), what, sat + ".score");
        cell.samples.push_back(std::move(s));
      }
    }
    r.cells.push_back(std::move(cell));
  }
  return r;
}

std::optional<int64_t> effective_length(const RulerResult& result, double threshold) {
  // A length where no task was evaluated neither extends nor ends it.
  std::map<int64_t, double> averages;
  for (const auto L : result.lengths()) {
    if (const auto avg = result.average(L)) averages[L] = *avg;
  }
  return results::effective_length(averages, threshold);
}

}  // namespace pose::eval
