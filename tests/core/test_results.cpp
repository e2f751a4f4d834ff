// The results layer: every metric name is built and parsed in one place
// (results/metric_names.h), and a run's summary (results/run_summary.h) reads
// its headline numbers, with the original model as reference, the same way
// for `pose runs`, the report and the workbench.
#include <QtTest>

#include <QTemporaryDir>

#include <stdexcept>

#include "results/effective_length.h"
#include "results/metric_names.h"
#include "results/run_summary.h"
#include "results/stored_summaries.h"
#include "store/experiment_store.h"

using namespace pose::results;

class TestResults : public QObject {
  Q_OBJECT
 private slots:
  void namesAreBuiltAndParsedInOnePlace() {
    QCOMPARE(ppl_at(2048), std::string("eval/ppl@2048"));
    QCOMPARE(passkey_at(256, EvalPhase::Periodic), std::string("periodic/passkey@256"));
    QCOMPARE(metric_name(EvalPhase::Periodic, EvalMetric::PasskeyMean), std::string("periodic/passkey"));
    QCOMPARE(metric_name(EvalPhase::Final, EvalMetric::Ruler, 4096), std::string("eval/ruler@4096"));
    QCOMPARE(metric_name(EvalPhase::Final, retrieval_metric("kv"), 512), std::string("eval/kv@512"));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, metric_name(EvalPhase::Final, EvalMetric::Perplexity));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, metric_name(EvalPhase::Final, EvalMetric::WallS, 8));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, retrieval_metric("probe"));

    // Every metric of every phase, with and without a length, round-trips.
    for (const auto phase : {EvalPhase::Final, EvalPhase::Periodic}) {
      for (const auto metric : {EvalMetric::Perplexity, EvalMetric::Passkey, EvalMetric::Kv, EvalMetric::Ruler,
                                EvalMetric::PasskeyMean, EvalMetric::AttentionBeyondLc, EvalMetric::WallS}) {
        const std::optional<int64_t> length = per_length(metric) ? std::optional<int64_t>(1536) : std::nullopt;
        const auto name = metric_name(phase, metric, length);
        const auto parsed = parse_metric_name(name);
        QVERIFY2(parsed, name.c_str());
        QVERIFY(parsed->phase == phase);
        QVERIFY2(parsed->metric == metric, name.c_str());
        QCOMPARE(parsed->length, length);
      }
    }
    // "passkey" alone is the grid mean, "passkey@L" the accuracy at L.
    QVERIFY(parse_metric_name("periodic/passkey")->metric == EvalMetric::PasskeyMean);
    QVERIFY(parse_metric_name("eval/passkey@2048")->metric == EvalMetric::Passkey);
    for (const char* bad : {"train/loss", "run/wall_s", "eval/ppl", "eval/ppl@", "eval/ppl@x", "eval/ppl@-4",
                            "eval/ppl@12x", "eval/wall_s@3", "eval/unknown@4", "periodic/", "ppl@2048"}) {
      QVERIFY2(!parse_metric_name(bad), bad);
    }
  }

  void summaryReadsHeadlinesAgainstTheOriginalModel() {
    const LastMetrics original = {{"eval/ppl@256", {0, 20.0}}, {"eval/ppl@2048", {0, 90.0}}};
    const LastMetrics run = {{kTrainLoss, {200, 3.25}},
                             {kRunWallS, {200, 41.0}},
                             {kRunTokensPerS, {200, 9000.0}},
                             {"eval/ppl@256", {200, 21.0}},
                             {"eval/ppl@1024", {200, 19.5}},
                             {"eval/ppl@2048", {200, 23.0}},
                             {"eval/passkey@256", {200, 1.0}},
                             {"eval/passkey@2048", {200, 0.5}},
                             {"eval/kv@2048", {200, 0.25}},
                             {"eval/ruler@256", {200, 0.9}},
                             {"eval/ruler@1024", {200, 0.6}},
                             {"eval/ruler@2048", {200, 0.4}},
                             {"eval/attention_beyond_lc", {200, 0.3}},
                             {"periodic/ppl@2048", {150, 1.0}}};  // periodic values never count as final
    const auto s = summarize_run(run, &original, 256, 2048);
    QCOMPARE(*s.steps, int64_t(200));
    QCOMPARE(*s.final_loss, 3.25);
    QCOMPARE(*s.wall_s, 41.0);
    QCOMPARE(*s.tokens_per_s, 9000.0);
    QCOMPARE(*s.ppl_at_lc, 21.0);
    QCOMPARE(*s.ppl_at_lt, 23.0);
    QCOMPARE(*s.min_ppl, 19.5);
    QCOMPARE(*s.passkey_at_lc, 1.0);
    QCOMPARE(*s.passkey_at_lt, 0.5);
    QCOMPARE(*s.kv_at_lt, 0.25);
    QCOMPARE(*s.ruler_at_lt, 0.4);
    // No RULER score of the original model: RULER's own threshold, 0.856, holds at 256 only.
    QCOMPARE(*s.ruler_effective_length, int64_t(256));
    QCOMPARE(*s.ruler_threshold, kRulerThreshold);
    QCOMPARE(*s.attention_beyond_lc, 0.3);
    QCOMPARE(*s.original_ppl_at_lc, 20.0);
    QCOMPARE(*s.ppl_ratio, 23.0 / 20.0);
    QCOMPARE(*s.worst_passkey, 0.5);

    // The JSON shape round-trips; a missing number stays missing.
    const auto j = to_json(s);
    QCOMPARE(j["ppl_ratio"].get<double>(), 23.0 / 20.0);
    const auto back = run_summary_from_json(j);
    QCOMPARE(to_json(back), j);
    const auto empty = summarize_run({}, nullptr, 256, 2048);
    QVERIFY(!empty.ppl_at_lt && !empty.ppl_ratio && !empty.steps);
    QVERIFY(to_json(empty)["ppl_at_lt"].is_null());
    QCOMPARE(to_json(run_summary_from_json(to_json(empty))), to_json(empty));
  }

  void effectiveLengthAgainstTheOriginalModel() {
    // Monotone, non-monotone (a recovery after a failure does not count), none, empty.
    QCOMPARE(*effective_length({{256, 0.9}, {512, 0.88}, {1024, 0.5}}, 0.856), int64_t(512));
    QCOMPARE(*effective_length({{256, 0.9}, {512, 0.2}, {1024, 0.95}}, 0.856), int64_t(256));
    QVERIFY(!effective_length({{256, 0.5}, {512, 0.9}}, 0.856));
    QVERIFY(!effective_length({}, 0.856));
    QCOMPARE(*effective_length({{256, 0.5}, {512, 0.5}}, 0.5), int64_t(512));  // the threshold itself holds

    // With the original model's RULER average at Lc, that is the threshold.
    const LastMetrics original = {{"eval/ruler@256", {0, 0.3}}};
    const LastMetrics run = {{"eval/ruler@256", {9, 0.35}}, {"eval/ruler@512", {9, 0.31}},
                             {"eval/ruler@1024", {9, 0.1}}, {"periodic/ruler@1024", {5, 0.9}}};
    const auto s = summarize_run(run, &original, 256, 1024);
    QCOMPARE(*s.ruler_threshold, 0.3);
    QCOMPARE(s.ruler_threshold_source, std::string("original model at Lc"));
    QCOMPARE(*s.ruler_effective_length, int64_t(512));
    QCOMPARE(*s.ruler_at_lt, 0.1);
    QCOMPARE(*run_summary_from_json(to_json(s)).ruler_effective_length, int64_t(512));
    // An original model that scores 0 at Lc sets no bar: RULER's threshold instead.
    const LastMetrics silent = {{"eval/ruler@256", {0, 0.0}}};
    const auto against_ruler = summarize_run(run, &silent, 256, 1024);
    QCOMPARE(*against_ruler.ruler_threshold, kRulerThreshold);
    QVERIFY(!against_ruler.ruler_effective_length);
    // Without RULER scores there is no threshold and no effective length.
    QVERIFY(!summarize_run({}, &original, 256, 1024).ruler_threshold);
  }

  // A data-parallel run: its world size, and the slowest rank's tokens/s as
  // the mean over the run's steps (one step's value is noise); a single
  // process, and a run stored before world sizes were, counts as one rank.
  void summaryReadsTheRanksOfADataParallelRun() {
    const LastMetrics two = {{kRunTokensPerS, {40, 47405.0}},
                             {kRunWorldSize, {40, 2.0}},
                             {kTrainSlowestRankTokensPerS, {40, 20000.0, 23100.0}}};
    const auto s = summarize_run(two, nullptr, 256, 2048);
    QCOMPARE(s.world_size, int64_t(2));
    QCOMPARE(*s.slowest_rank_tokens_per_s, 23100.0);
    QCOMPARE(*s.tokens_per_s, 47405.0);
    const auto j = to_json(s);
    QCOMPARE(j["world_size"].get<int64_t>(), int64_t(2));
    QCOMPARE(to_json(run_summary_from_json(j)), j);
    // A last point without the mean over the run is not the run's figure.
    const LastMetrics unaveraged = {{kRunWorldSize, {40, 2.0}}, {kTrainSlowestRankTokensPerS, {40, 20000.0}}};
    QVERIFY(!summarize_run(unaveraged, nullptr, 256, 2048).slowest_rank_tokens_per_s);
    const LastMetrics one = {{kRunTokensPerS, {40, 9000.0}}, {kRunWorldSize, {40, 1.0}}};
    QCOMPARE(summarize_run(one, nullptr, 256, 2048).world_size, int64_t(1));
    const auto older = summarize_run({{kRunTokensPerS, {40, 9000.0}}}, nullptr, 256, 2048);
    QCOMPARE(older.world_size, int64_t(1));
    QVERIFY(!older.slowest_rank_tokens_per_s);
    QCOMPARE(run_summary_from_json(nlohmann::json{{"tokens_per_s", 9000.0}}).world_size, int64_t(1));
    QCOMPARE(run_summary_from_json(nlohmann::json{{"world_size", nullptr}}).world_size, int64_t(1));

    // From a store: the mean of every step's slowest rank, not the last step's.
    QTemporaryDir dir;
    auto st = pose::store::ExperimentStore::open(dir.filePath("s.sqlite").toStdString());
    const nlohmann::json spec = {{"base_model", {{"train_len", 256}}}, {"target_len", 2048}};
    const auto e = st.upsert_experiment("demo", spec);
    const auto run = st.ensure_run(e, "pose", "extend", {{"strategy", "pose"}, {"steps", 3}});
    st.append_metrics(run, {{kTrainSlowestRank, 1, 1.0, 0},
                            {kTrainSlowestRankTokensPerS, 1, 1000.0, 0},
                            {kTrainSlowestRank, 2, 0.0, 0},
                            {kTrainSlowestRankTokensPerS, 2, 2000.0, 0},
                            {kTrainSlowestRank, 3, 1.0, 0},
                            {kTrainSlowestRankTokensPerS, 3, 6000.0, 0},
                            {kRunTokensPerS, 3, 7000.0, 0},
                            {kRunWorldSize, 3, 2.0, 0}});
    const auto single = st.ensure_run(e, "pi", "extend", {{"strategy", "pose"}, {"steps", 3}});
    st.append_metrics(single, {{kRunTokensPerS, 3, 4000.0, 0}});
    const auto stored = summarize_experiment(st, *st.find_experiment("demo"));
    QCOMPARE(stored.at(run).world_size, int64_t(2));
    QCOMPARE(*stored.at(run).slowest_rank_tokens_per_s, 3000.0);
    QCOMPARE(stored.at(single).world_size, int64_t(1));
    QVERIFY(!stored.at(single).slowest_rank_tokens_per_s);
  }

  void originalModelAndLengthsFromStoredSpecs() {
    const nlohmann::json original = {{"strategy", "none"}, {"steps", 0}, {"rope", {{"method", "none"}}}};
    const nlohmann::json interpolated = {{"strategy", "none"}, {"steps", 0}, {"rope", {{"method", "linear"}}}};
    const nlohmann::json pose = {{"strategy", "pose"}, {"steps", 200}, {"rope", {{"method", "none"}}},
                                 {"target_len", 4096}};
    QVERIFY(is_original_model(original));
    QVERIFY(!is_original_model(interpolated));
    QVERIFY(!is_original_model(pose));  // fine-tuned, even with its RoPE unchanged
    QVERIFY(run_trains(pose));
    QVERIFY(!run_trains(original));
    const nlohmann::json experiment = {{"base_model", {{"train_len", 256}}}, {"target_len", 2048}};
    QCOMPARE(experiment_lc(experiment), int64_t(256));
    QCOMPARE(experiment_lc(nlohmann::json{{"base_model", {{"kind", "hf"}}}}), int64_t(0));
    QCOMPARE(run_lt(experiment, pose), int64_t(4096));
    QCOMPARE(run_lt(experiment, original), int64_t(2048));
  }
};

QTEST_APPLESS_MAIN(TestResults)
#include "test_results.moc"
