#include "experiment/periodic_eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "common/error.h"
#include "eval/passkey_eval.h"
#include "eval/token_predictor.h"
#include "experiment/eval_suite.h"
#include "experiment/plan_settings.h"
#include "results/metric_names.h"

namespace pose::experiment {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<int64_t> sorted_distinct_up_to(std::vector<int64_t> lengths, int64_t target_len) {
  lengths.erase(std::remove_if(lengths.begin(), lengths.end(), [&](int64_t L) { return L < 2 || L > target_len; }),
                lengths.end());
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  return lengths;
}

// Thrown from progress callbacks to leave an evaluation part early.
struct Stopped {};

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

}  // namespace

std::vector<int64_t> default_periodic_perplexity_lengths(int64_t original_window, int64_t target_len) {
  const int64_t lc = original_window;
  return sorted_distinct_up_to({lc / 2, lc, 2 * lc, 4 * lc, target_len}, target_len);
}

std::vector<int64_t> default_periodic_passkey_lengths(int64_t original_window, int64_t target_len) {
  return sorted_distinct_up_to({original_window, 2 * original_window, target_len}, target_len);
}

PeriodicPlan resolve_periodic_plan(const PeriodicPlan& plan, int64_t original_window, int64_t target_len) {
  PeriodicPlan r = plan;
  if (r.perplexity && r.perplexity->lengths.empty()) {
    r.perplexity->lengths = default_periodic_perplexity_lengths(original_window, target_len);
  }
  if (r.passkey && r.passkey->lengths.empty()) {
    r.passkey->lengths = default_periodic_passkey_lengths(original_window, target_len);
  }
  if (r.attention && r.attention->length == 0) r.attention->length = target_len;
  return r;
}

bool periodic_due(const PeriodicPlan& plan, int64_t step, int64_t total_steps) {
  if (step < 0 || step > total_steps) return false;
  if (step == 0) return plan.at_start || total_steps == 0;
  return step == total_steps || (plan.every > 0 && step % plan.every == 0);
}

std::vector<int64_t> periodic_steps(const PeriodicPlan& plan, int64_t total_steps) {
  std::vector<int64_t> steps;
  if (periodic_due(plan, 0, total_steps)) steps.push_back(0);
  for (int64_t s = plan.every > 0 ? plan.every : total_steps; s > 0 && s < total_steps; s += plan.every) {
    steps.push_back(s);
  }
  if (total_steps > 0) steps.push_back(total_steps);
  return steps;
}

bool periodic_skippable(const PeriodicPlan& plan, int64_t step, int64_t total_steps) {
  if (step == total_steps) return false;
  const auto steps = periodic_steps(plan, total_steps);
  return !steps.empty() && step != steps.front();
}

double forward_flops_per_token(const model::ModelConfig& c, double context) {
  // parameter_count() holds the embedding once; its lookup costs nothing, but
  // the LM head is a matrix product: the same matrix when tied, its own otherwise.
  const double head = static_cast<double>(c.vocab_size) * static_cast<double>(c.hidden_size);
  const double matmul_params = static_cast<double>(c.parameter_count()) - (c.tie_word_embeddings ? 0.0 : head);
  const double attention = 4.0 * static_cast<double>(c.num_attention_heads * c.head_dim) * context *
                           static_cast<double>(c.num_hidden_layers);
  // A causal token attends to half the window on average.
  return 2.0 * matmul_params + attention * 0.5;
}

PeriodicCostEstimate estimate_periodic_cost(const PeriodicPlan& plan, const model::ModelConfig& config,
                                            const ExtendRunSpec& run, int64_t held_out_tokens) {
  PeriodicCostEstimate e;
  const int64_t total = run.fine_tunes() ? run.training.steps : 0;
  e.evaluations = static_cast<int64_t>(periodic_steps(plan, total).size());
  const auto forward = [&](double tokens, double context) { return tokens * forward_flops_per_token(config, context); };
  if (plan.perplexity) {
    const auto& p = *plan.perplexity;
    for (const auto L : p.lengths) {
      double scored = static_cast<double>(held_out_tokens);
      if (p.max_tokens > 0) scored = std::min(scored, static_cast<double>(p.max_tokens));
      const double stride = p.stride > 0 && p.stride < L - 1 ? static_cast<double>(p.stride) : static_cast<double>(L - 1);
      e.evaluation_flops += forward(scored * static_cast<double>(L) / stride, static_cast<double>(L));
    }
  }
  if (plan.passkey) {
    const auto& p = *plan.passkey;
    const double prompts = static_cast<double>(p.depths.size()) * static_cast<double>(p.trials);
    for (const auto L : p.lengths) e.evaluation_flops += forward(prompts * static_cast<double>(L), static_cast<double>(L));
  }
  if (plan.attention) {
    const auto& p = *plan.attention;
    const double L = static_cast<double>(p.length > 0 ? p.length : run.target_len);
    e.evaluation_flops += forward(static_cast<double>(p.sequences) * L, L);
  }
  for (const auto& [name, suite_plan] : plan.suites) e.evaluation_flops += eval_suite(name).forward_flops(suite_plan, config);
  if (run.fine_tunes()) {
    const double tokens = static_cast<double>(run.training.steps * run.training.batch_size * run.training.grad_accum *
                                              run.train_len);
    e.training_flops = 3.0 * forward(tokens, static_cast<double>(run.train_len));
  }
  return e;
}

std::optional<PeriodicResult> run_periodic_evaluation(model::LlamaForCausalLM& model, const PeriodicPlan& plan,
                                                      const PeriodicContext& ctx, int64_t step) {
  if (!ctx.documents || !ctx.tokenizer) {
    throw UserError("periodic evaluation without held-out documents or tokenizer",
                    "this is a bug in the caller: pass the data stage's split and tokenizer");
  }
  const auto t0 = Clock::now();
  const auto stop_if_cancelled = [&] {
    if (ctx.cancelled && ctx.cancelled()) throw Stopped{};
  };
  torch::NoGradGuard no_grad;
  model->eval();
  PeriodicResult r;
  r.step = step;
  try {
    stop_if_cancelled();
    if (plan.perplexity) {
      const auto& p = *plan.perplexity;
      eval::PerplexitySettings s = perplexity_settings(p, ctx.tokenizer->bos_id());
      // One length at a time, so that a cancel waits for at most one length.
      for (const auto L : p.lengths) {
        s.lengths = {L};
        const auto points = eval::evaluate_perplexity(model, *ctx.documents, s, {}, ctx.share);
        r.perplexity.insert(r.perplexity.end(), points.begin(), points.end());
        stop_if_cancelled();
      }
      s.lengths = p.lengths;
      r.perplexity_settings = eval::to_json(s);
      r.perplexity_settings["split"] = plan.split;
    }
    if (plan.passkey) {
      const eval::RetrievalSettings s = retrieval_settings(*plan.passkey);
      const auto format = eval::passkey_format(*ctx.tokenizer);
      eval::ModelPredictor predictor(model);
      r.passkey = eval::evaluate_retrieval(predictor, *ctx.tokenizer, format, s,
                                           [&](int64_t, int64_t) { stop_if_cancelled(); }, ctx.share);
      r.passkey_settings = eval::to_json(s, format);
      stop_if_cancelled();
    }
    // The suites that divide their work first; then, on share index 0 alone,
    // those that do not and attention, so that the other ranks go on to wait
    // for rank 0 at the step boundary (no time limit) rather than in a
    // collective (the collective timeout).
    for (const bool divided : {true, false}) {
      for (const auto& [name, suite_plan] : plan.suites) {
        const auto& suite = eval_suite(name);
        if (suite.info().divides_work != divided || (!divided && ctx.share.index != 0)) continue;
        SuiteInputs in;
        in.tokenizer = ctx.tokenizer;
        in.documents = [&](const std::string&) -> const TokenDocuments& { return *ctx.documents; };
        in.documents_source = [&](const std::string& split) { return nlohmann::json{{"split", split}}; };
        in.original_window = ctx.original_window;
        in.target_len = ctx.target_len;
        in.progress = [&](int64_t, int64_t) { stop_if_cancelled(); };
        if (divided) in.share = ctx.share;
        auto result = suite.run(model, suite_plan, in, results::EvalPhase::Periodic);
        r.suites.push_back({name, suite.info().kind, std::move(result.settings), std::move(result.results),
                            std::move(result.headline)});
        stop_if_cancelled();
      }
    }
    if (plan.attention && ctx.share.index == 0) {
      const auto& p = *plan.attention;
      eval::AttentionDistanceSettings s;
      s.length = p.length > 0 ? p.length : ctx.target_len;
      s.sequences = p.sequences;
      s.original_window = ctx.original_window;
      s.bos_id = ctx.tokenizer->bos_id();
      r.attention = eval::evaluate_attention_distance(model, *ctx.documents, s,
                                                      [&](int64_t, int64_t) { stop_if_cancelled(); });
      r.attention_settings = eval::to_json(s);
      r.attention_settings["split"] = plan.split;
      stop_if_cancelled();
    }
  } catch (const Stopped&) {
    return std::nullopt;
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

namespace {

double passkey_mean(const std::vector<eval::RetrievalCell>& cells) {
  int64_t trials = 0, correct = 0;
  for (const auto& c : cells) {
    if (!c.skipped.empty()) continue;
    trials += c.trials;
    correct += c.correct;
  }
  return trials > 0 ? static_cast<double>(correct) / static_cast<double>(trials) : 0.0;
}

std::vector<int64_t> passkey_lengths(const std::vector<eval::RetrievalCell>& cells) {
  std::vector<int64_t> lengths;
  for (const auto& c : cells) {
    if (c.skipped.empty() && std::find(lengths.begin(), lengths.end(), c.length) == lengths.end()) {
      lengths.push_back(c.length);
    }
  }
  return lengths;
}

}  // namespace

std::vector<std::pair<std::string, double>> periodic_headline(const PeriodicResult& r) {
  using results::EvalMetric;
  constexpr auto kPeriodic = results::EvalPhase::Periodic;
  std::vector<std::pair<std::string, double>> points;
  for (const auto& p : r.perplexity) points.emplace_back(results::ppl_at(p.length, kPeriodic), p.perplexity);
  if (!r.passkey.empty()) {
    for (const auto L : passkey_lengths(r.passkey)) {
      points.emplace_back(results::passkey_at(L, kPeriodic), eval::mean_accuracy_at(r.passkey, L));
    }
    points.emplace_back(results::metric_name(kPeriodic, EvalMetric::PasskeyMean), passkey_mean(r.passkey));
  }
  if (r.attention) {
    points.emplace_back(results::metric_name(kPeriodic, EvalMetric::AttentionBeyondLc), r.attention->mean_beyond_window);
  }
  for (const auto& suite : r.suites) points.insert(points.end(), suite.headline.begin(), suite.headline.end());
  points.emplace_back(results::metric_name(kPeriodic, EvalMetric::WallS), r.wall_s);
  return points;
}

std::string describe(const PeriodicResult& r) {
  std::ostringstream out;
  const char* sep = "";
  if (!r.perplexity.empty()) {
    out << "ppl";
    for (const auto& p : r.perplexity) out << (&p == &r.perplexity.front() ? "@" : " @") << p.length << " " << fixed(p.perplexity, 1);
    sep = " | ";
  }
  if (!r.passkey.empty()) {
    out << sep << "passkey";
    bool first = true;
    for (const auto L : passkey_lengths(r.passkey)) {
      out << (first ? "@" : " @") << L << " " << fixed(eval::mean_accuracy_at(r.passkey, L), 2);
      first = false;
    }
    sep = " | ";
  }
  if (r.attention) {
    out << sep << "attention beyond Lc " << fixed(r.attention->mean_beyond_window, 3);
    sep = " | ";
  }
  for (const auto& suite : r.suites) {
    for (const auto& [series, value] : suite.headline) {
      out << sep << series.substr(results::phase_prefix(results::EvalPhase::Periodic).size()) << " " << fixed(value, 2);
      sep = " ";
    }
    sep = " | ";
  }
  out << " (" << fixed(r.wall_s, 1) << " s)";
  return out.str();
}

PeriodicEvalEvent make_periodic_event(const std::string& run, int64_t total_steps, const PeriodicResult& r,
                                      double share) {
  PeriodicEvalEvent e;
  e.run = run;
  e.step = r.step;
  e.total_steps = total_steps;
  for (const auto& p : r.perplexity) e.perplexity.emplace_back(p.length, p.perplexity);
  if (!r.passkey.empty()) {
    for (const auto L : passkey_lengths(r.passkey)) e.passkey.emplace_back(L, eval::mean_accuracy_at(r.passkey, L));
    e.passkey_mean = passkey_mean(r.passkey);
  }
  if (r.attention) e.attention_beyond = r.attention->mean_beyond_window;
  e.wall_s = r.wall_s;
  e.share = share;
  return e;
}

}  // namespace pose::experiment
