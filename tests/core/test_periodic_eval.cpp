// Periodic evaluation while training (evaluation.periodic): the schedule, the
// spec's section, the cost estimate, and end to end on the default
// experiment's quick preset — evaluations stored at the scheduled steps with
// their settings, read back by `pose runs --json`, and a cancel in the middle
// of a periodic evaluation that leaves a consistent store which a resume
// completes.
// LibTorch before Qt: Qt's keyword macros (slots, emit) must not reach its headers.
#include <torch/torch.h>

#include <QtTest>

#include <set>
#include <sstream>

#include "pose_cli_runner.h"
#include "common/error.h"
#include "common/json_file.h"
#include "experiment/periodic_eval.h"
#include "experiment/runner.h"
#include "micro_model_config.h"
#include "model/model_config.h"
#include "store/experiment_store.h"

using nlohmann::json;
using namespace pose;
using namespace pose::experiment;
using Steps = std::vector<int64_t>;

namespace {

const std::string kSpec = std::string(POSE_SOURCE_DIR) + "/experiments/micro-pose.json";


json minimal_spec() {
  return json::parse(R"({
    "name": "p", "data": {"tokenizer": {"vocab_size": 512}},
    "base_model": {"config": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                              "num_attention_heads": 2}, "train_len": 256, "steps": 2, "warmup_steps": 0},
    "target_len": 2048,
    "extend": [{"name": "pose", "strategy": "pose", "steps": 40, "warmup_steps": 0}],
    "evaluation": {}
  })");
}

QString error_of(const json& spec) {
  try {
    parse_experiment_spec(spec);
  } catch (const UserError& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

std::set<int64_t> steps_of(const store::ExperimentStore& st, int64_t run_id, const std::string& kind) {
  std::set<int64_t> steps;
  for (const auto& r : st.eval_results(run_id, kind)) steps.insert(r.checkpoint_step.value_or(-1));
  return steps;
}

std::set<int64_t> metric_steps(const store::ExperimentStore& st, int64_t run_id, const std::string& series) {
  std::set<int64_t> steps;
  for (const auto& p : st.metric_series(run_id, series)) steps.insert(p.step);
  return steps;
}

// Cancels the run when the periodic evaluation of `run` at `step` begins.
class CancelAtEvaluation : public ExperimentObserver {
 public:
  CancelAtEvaluation(train::RunControl& control, std::string trigger) : control_(control), trigger_(std::move(trigger)) {}
  void on_log(const std::string& line) override {
    if (line == trigger_) {
      control_.request_cancel();
      fired = true;
    }
  }
  void on_periodic_eval(const PeriodicEvalEvent& e) override { events.push_back(e); }
  bool fired = false;
  std::vector<PeriodicEvalEvent> events;

 private:
  train::RunControl& control_;
  std::string trigger_;
};

}  // namespace

class TestPeriodicEval : public QObject {
  Q_OBJECT
 private slots:
  void defaultLengthsFollowTheWindows() {
    QCOMPARE(default_periodic_perplexity_lengths(256, 2048), (Steps{128, 256, 512, 1024, 2048}));
    QCOMPARE(default_periodic_perplexity_lengths(256, 512), (Steps{128, 256, 512}));
    QCOMPARE(default_periodic_perplexity_lengths(256, 700), (Steps{128, 256, 512, 700}));
    QCOMPARE(default_periodic_passkey_lengths(256, 2048), (Steps{256, 512, 2048}));
    QCOMPARE(default_periodic_passkey_lengths(256, 256), (Steps{256}));

    PeriodicPlan plan;
    plan.every = 5;
    plan.perplexity = PerplexityPlan{};
    plan.passkey = PasskeyPlan{};
    plan.passkey->lengths = {300};
    plan.attention = AttentionPlan{};
    const auto r = resolve_periodic_plan(plan, 256, 1024);
    QCOMPARE(r.perplexity->lengths, (Steps{128, 256, 512, 1024}));
    QCOMPARE(r.passkey->lengths, (Steps{300}));  // given lengths are kept
    QCOMPARE(r.attention->length, int64_t(1024));
  }

  void scheduleHasStartMultiplesAndEnd() {
    PeriodicPlan plan;
    plan.every = 10;
    QCOMPARE(periodic_steps(plan, 40), (Steps{0, 10, 20, 30, 40}));
    plan.every = 3;
    QCOMPARE(periodic_steps(plan, 10), (Steps{0, 3, 6, 9, 10}));
    plan.at_start = false;
    QCOMPARE(periodic_steps(plan, 10), (Steps{3, 6, 9, 10}));
    QCOMPARE(periodic_steps(plan, 0), (Steps{0}));  // a run that does not train: once, before anything
    plan.every = 50;
    QCOMPARE(periodic_steps(plan, 40), (Steps{40}));
    for (int64_t s = 0; s <= 12; ++s) {
      const auto steps = periodic_steps(plan, 12);
      QCOMPARE(periodic_due(plan, s, 12), std::find(steps.begin(), steps.end(), s) != steps.end());
    }
    plan.every = 3;
    plan.at_start = true;
    QVERIFY(!periodic_skippable(plan, 0, 10));  // first
    QVERIFY(periodic_skippable(plan, 3, 10));
    QVERIFY(!periodic_skippable(plan, 10, 10));  // last
  }

  void specSectionParsesWithDefaultsAndRoundTrips() {
    json j = minimal_spec();
    j["evaluation"]["periodic"] = {{"every", 10}};
    const auto spec = parse_experiment_spec(j);
    QVERIFY(spec.evaluation.periodic.has_value());
    const auto& p = *spec.evaluation.periodic;
    QCOMPARE(p.every, int64_t(10));
    QVERIFY(p.at_start);
    QCOMPARE(p.max_share, 0.0);
    QCOMPARE(QString::fromStdString(p.split), QStringLiteral("validation"));
    QVERIFY(p.perplexity && p.perplexity->lengths.empty() && p.perplexity->max_tokens == 2048);
    QVERIFY(p.passkey && p.passkey->lengths.empty() && p.passkey->trials == 2);
    QCOMPARE(p.passkey->depths, (std::vector<double>{0.25, 0.75}));
    QVERIFY(p.attention && p.attention->sequences == 1 && p.attention->length == 0);

    // The canonical JSON reads back to itself, parts switched off included.
    j["evaluation"]["periodic"] = {{"every", 7}, {"at_start", false}, {"max_share", 0.25}, {"split", "test"},
                                   {"perplexity", {{"lengths", {256, 1024}}, {"max_tokens", 512}}},
                                   {"passkey", false}, {"attention", {{"length", 1024}}}};
    const json canonical = to_json(parse_experiment_spec(j));
    const auto again = parse_experiment_spec(canonical);
    QCOMPARE(to_json(again).dump(), canonical.dump());
    const auto& q = *again.evaluation.periodic;
    QVERIFY(!q.passkey);
    QCOMPARE(q.perplexity->lengths, (Steps{256, 1024}));
    QCOMPARE(q.perplexity->split, std::string("test"));
    QCOMPARE(q.attention->length, int64_t(1024));
    QCOMPARE(q.max_share, 0.25);
    QVERIFY(!q.at_start);
  }

  void specErrorsNameTheField() {
    json j = minimal_spec();
    j["evaluation"]["periodic"] = json::object();
    QVERIFY2(error_of(j).contains("evaluation.periodic.every: missing"), qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 0}};
    QVERIFY2(error_of(j).contains("evaluation.periodic.every"), qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 5}, {"evry", 5}};
    QVERIFY2(error_of(j).contains("evry") && error_of(j).contains("every"), qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 5}, {"perplexity", false}, {"passkey", false}, {"attention", false}};
    QVERIFY2(error_of(j).contains("every part switched off"), qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 5}, {"perplexity", {{"lengths", {512, 256}}}}};
    QVERIFY2(error_of(j).contains("evaluation.periodic.perplexity.lengths[1]"), qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 5}, {"perplexity", {{"split", "test"}}}};
    QVERIFY2(error_of(j).contains("evaluation.periodic.perplexity") && error_of(j).contains("split"),
             qPrintable(error_of(j)));
    j["evaluation"]["periodic"] = {{"every", 5}, {"max_share", -1}};
    QVERIFY2(error_of(j).contains("evaluation.periodic.max_share"), qPrintable(error_of(j)));
  }

  void costEstimateCountsForwardTokens() {
    model::ModelConfig c = micro_model_config();
    const double n = static_cast<double>(c.parameter_count());
    // Tied: every parameter is used in a matrix product once (the embedding as the LM head).
    QCOMPARE(forward_flops_per_token(c, 0), 2 * n);
    QCOMPARE(forward_flops_per_token(c, 1000) - forward_flops_per_token(c, 0), 0.5 * 4 * 64 * 1000.0 * 2);
    c.tie_word_embeddings = false;
    QCOMPARE(forward_flops_per_token(c, 0), 2 * (static_cast<double>(c.parameter_count()) - 1024.0 * 64));

    ExtendRunSpec run;
    run.strategy = positions::Strategy::Pose;
    run.train_len = 256;
    run.target_len = 2048;
    run.training.steps = 40;
    run.training.batch_size = 2;
    PeriodicPlan plan;
    plan.every = 10;
    plan.perplexity = PerplexityPlan{};
    plan.perplexity->lengths = {256, 2048};
    plan.perplexity->max_tokens = 1000;
    const auto f = [&](double ctx) { return forward_flops_per_token(c, ctx); };
    auto e = estimate_periodic_cost(plan, c, run, 100000);
    QCOMPARE(e.evaluations, int64_t(5));
    QCOMPARE(e.training_flops, 3.0 * 40 * 2 * 256 * f(256));
    const double ppl = 1000.0 * 256 / 255 * f(256) + 1000.0 * 2048 / 2047 * f(2048);
    QVERIFY(std::abs(e.evaluation_flops - ppl) < 1e-9 * ppl);
    QVERIFY(std::abs(e.share() - 5 * ppl / e.training_flops) < 1e-12);
    // Fewer held-out tokens than the cap bound the perplexity part.
    e = estimate_periodic_cost(plan, c, run, 500);
    QVERIFY(std::abs(e.evaluation_flops - ppl / 2) < 1e-9 * ppl);
    plan.passkey = PasskeyPlan{};
    plan.passkey->lengths = {512};
    plan.passkey->depths = {0.5};
    plan.passkey->trials = 3;
    plan.attention = AttentionPlan{};
    plan.attention->sequences = 2;
    e = estimate_periodic_cost(plan, c, run, 100000);
    const double expected = ppl + 3 * 512 * f(512) + 2 * 2048 * f(2048);
    QVERIFY(std::abs(e.evaluation_flops - expected) < 1e-9 * expected);
    // A registered suite's part (periodic.ruler): each sample's prompt and generated tokens.
    plan.suites["ruler"] = {{"lengths", {256}}, {"tasks", {"vt", "cwe"}}, {"depths", {0.5}}, {"trials", 2},
                            {"max_new_tokens", 8}, {"seed", 1}, {"split", "validation"}};
    e = estimate_periodic_cost(plan, c, run, 100000);
    const double ruler = 2 /* tasks */ * 2 /* trials */ * 264.0 * f(264);
    QVERIFY2(std::abs(e.evaluation_flops - expected - ruler) < 1e-9 * expected,
             std::to_string(e.evaluation_flops - expected).c_str());
  }

  void runStoresEvaluationsAtTheScheduledSteps() {
    QTemporaryDir dir;
    const std::string store = dir.path().toStdString() + "/store.sqlite";
    const std::string work = dir.path().toStdString() + "/work";
    // The quick preset evaluates every 2 of its 4 steps.
    std::string out;
    QCOMPARE(run_pose({"run", kSpec, "--preset", "quick", "--store", store, "--work-dir", work, "--runs",
                  "pi-no-finetune,pose-linear"},
                 &out),
             0);
    QVERIFY2(out.find("pose-linear step 2/4 periodic:  ppl 256→") != std::string::npos, out.c_str());

    auto st = store::ExperimentStore::open(store, store::ExperimentStore::Mode::ReadOnly);
    const auto e = st.find_experiment("micro-pose");
    const auto pose_run = st.find_run(e->id, "pose-linear");
    for (const char* kind : {kPeriodicPerplexityKind, kPeriodicPasskeyKind, kPeriodicAttentionKind}) {
      QCOMPARE(steps_of(st, pose_run->id, kind), (std::set<int64_t>{0, 2, 4}));
    }
    const auto ppl = st.eval_results(pose_run->id, kPeriodicPerplexityKind);
    for (const auto& r : ppl) {
      QCOMPARE(r.settings["lengths"], json({256, 2048}));
      QCOMPARE(r.settings["max_tokens"].get<int64_t>(), int64_t(1024));
      QCOMPARE(r.settings["split"], json("validation"));
      QCOMPARE(r.settings["origin"], json("periodic"));
      QCOMPARE(r.settings["rope"]["method"], json("linear"));
      QCOMPARE(r.results.size(), std::size_t(2));
      QVERIFY(r.results[1]["perplexity"].get<double>() > 1.0);
    }
    QCOMPARE(st.eval_results(pose_run->id, kPeriodicAttentionKind)[0].settings["length"].get<int64_t>(), int64_t(2048));
    QCOMPARE(metric_steps(st, pose_run->id, "periodic/ppl@2048"), (std::set<int64_t>{0, 2, 4}));
    QCOMPARE(metric_steps(st, pose_run->id, "periodic/passkey@256"), (std::set<int64_t>{0, 2, 4}));
    // A registered suite with its own plan (the quick preset's periodic.ruler) at the same steps.
    QCOMPARE(steps_of(st, pose_run->id, std::string(kPeriodicKindPrefix) + "ruler"), (std::set<int64_t>{0, 2, 4}));
    QCOMPARE(metric_steps(st, pose_run->id, "periodic/ruler@256"), (std::set<int64_t>{0, 2, 4}));
    const auto ruler = st.eval_results(pose_run->id, std::string(kPeriodicKindPrefix) + "ruler");
    QCOMPARE(ruler[0].settings["split"], json("validation"));  // the periodic plan's
    QCOMPARE(ruler[0].settings["origin"], json("periodic"));
    // Training changes the model between evaluations.
    const auto series = st.metric_series(pose_run->id, "periodic/ppl@256");
    QVERIFY(series.front().value != series.back().value);
    // The stored curve point equals the stored result it came from.
    QCOMPARE(series.back().value, ppl.back().results[0]["perplexity"].get<double>());

    // A run that does not train is evaluated once, before anything.
    const auto pi = st.find_run(e->id, "pi-no-finetune");
    QCOMPARE(steps_of(st, pi->id, kPeriodicPerplexityKind), (std::set<int64_t>{0}));
    // Step 0 of PoSE is the same model as the untrained PI run (same weights, same RoPE).
    QCOMPARE(st.metric_series(pi->id, "periodic/ppl@2048")[0].value,
             st.metric_series(pose_run->id, "periodic/ppl@2048")[0].value);

    // `pose runs --json` reads them back by step.
    QCOMPARE(run_pose({"runs", "--store", store, "--json"}, &out), 0);
    const json runs = json::parse(out);
    bool found = false;
    for (const auto& r : runs) {
      if (r["run"] != "pose-linear") continue;
      found = true;
      QCOMPARE(r["periodic"].size(), std::size_t(3));
      QCOMPARE(r["periodic"][1]["step"].get<int64_t>(), int64_t(2));
      QVERIFY(r["periodic"][1]["ppl@2048"].is_number());
      QVERIFY(r["periodic"][1]["passkey@256"].is_number());
      QVERIFY(r["periodic"][1]["attention_beyond_lc"].is_number());
    }
    QVERIFY(found);
  }

  void cancelDuringAnEvaluationLeavesAConsistentStore() {
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    json spec_json = read_json_file(kSpec);
    spec_json["name"] = "micro-pose-periodic-cancel";
    write_json_file(d + "/spec.json", spec_json);
    const auto spec = load_experiment_spec(d + "/spec.json", "quick");

    RunnerOptions o;
    o.store_file = d + "/store.sqlite";
    o.work_dir = d + "/work";
    o.only_runs = {"pose-linear"};
    train::RunControl control;
    CancelAtEvaluation observer(control, "pose-linear: step 2: periodic evaluation");
    o.observer = &observer;
    o.control = &control;
    const auto summary = run_experiment(spec, o);
    QVERIFY(observer.fired);
    QVERIFY(summary.cancelled);
    QCOMPARE(observer.events.size(), std::size_t(1));  // step 0 only
    QCOMPARE(observer.events[0].step, int64_t(0));

    {
      auto st = store::ExperimentStore::open(o.store_file, store::ExperimentStore::Mode::ReadOnly);
      QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
      const auto e = st.find_experiment("micro-pose-periodic-cancel");
      const auto run = st.find_run(e->id, "pose-linear");
      QCOMPARE(run->status, store::RunStatus::Cancelled);
      // The evaluation under way stored nothing; the one before it is whole.
      for (const char* kind : {kPeriodicPerplexityKind, kPeriodicPasskeyKind, kPeriodicAttentionKind}) {
        QCOMPARE(steps_of(st, run->id, kind), (std::set<int64_t>{0}));
      }
      for (const auto& series : st.metric_names(run->id)) {
        if (series.rfind("periodic/", 0) == 0) QCOMPARE(metric_steps(st, run->id, series), (std::set<int64_t>{0}));
      }
      // Training got to step 2 and kept it (the cancel checkpoints there).
      QCOMPARE(st.last_metric(run->id, "train/loss")->step, int64_t(2));
    }

    // A process killed after evaluating a step but before that step's
    // checkpoint leaves an evaluation beyond the checkpoint (here: step 4,
    // checkpoint at 2). The resume drops it and evaluates step 4 again.
    {
      auto st = store::ExperimentStore::open(o.store_file);
      const auto run = st.find_run(st.find_experiment("micro-pose-periodic-cancel")->id, "pose-linear");
      st.add_evaluation(run->id, {{0, run->id, kPeriodicPerplexityKind, json::object(), json::object(), 4, {}}},
                        {{"periodic/ppl@2048", 4, 1e9, 0.0}});
    }

    // Resuming evaluates the step that was cut short, then goes on.
    train::RunControl fresh;
    CancelAtEvaluation watcher(fresh, "never");
    o.control = &fresh;
    o.observer = &watcher;
    o.resume = true;
    const auto resumed = run_experiment(spec, o);
    QVERIFY(!resumed.cancelled);
    Steps seen;
    for (const auto& ev : watcher.events) seen.push_back(ev.step);
    QCOMPARE(seen, (Steps{2, 4}));
    auto st = store::ExperimentStore::open(o.store_file, store::ExperimentStore::Mode::ReadOnly);
    QCOMPARE(QString::fromStdString(st.integrity_check()), QStringLiteral("ok"));
    const auto e = st.find_experiment("micro-pose-periodic-cancel");
    const auto run = st.find_run(e->id, "pose-linear");
    QCOMPARE(run->status, store::RunStatus::Done);
    for (const char* kind : {kPeriodicPerplexityKind, kPeriodicPasskeyKind, kPeriodicAttentionKind}) {
      QCOMPARE(st.eval_results(run->id, kind).size(), std::size_t(3));  // each step once
      QCOMPARE(steps_of(st, run->id, kind), (std::set<int64_t>{0, 2, 4}));
    }
    const auto ppl = st.metric_series(run->id, "periodic/ppl@2048");
    QCOMPARE(ppl.size(), std::size_t(3));
    QCOMPARE(ppl.back().step, int64_t(4));
    QVERIFY(ppl.back().value < 1e6);  // evaluated again, not the stale point
  }
};

QTEST_APPLESS_MAIN(TestPeriodicEval)
#include "test_periodic_eval.moc"
