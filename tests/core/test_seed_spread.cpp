// The seed spread: the headline table against the summary's JSON, mean / min /
// max / n per run and quantity, a store's replicate groups (finished runs
// only), and what `pose runs` and the report show of it.
#include <QtTest>

#include <QTemporaryDir>

#include "pose_cli_runner.h"
#include "report/experiment_report.h"
#include "report/paper_claims.h"
#include "results/headline.h"
#include "results/metric_names.h"
#include "results/seed_spread.h"
#include "results/stored_summaries.h"
#include "store/experiment_store.h"

using nlohmann::json;
using pose::results::Headline;
using pose::store::ExperimentStore;
namespace r = pose::results;

namespace {

// One experiment of a replicate group as the runner stores it: an original
// model run and a PoSE run with their final evaluation.
void add_experiment(ExperimentStore& st, const std::string& name, const json& extra_spec, double original_ppl_at_lc,
                    double pose_ppl_at_lt, double pose_passkey_at_lt, pose::store::RunStatus pose_status) {
  json spec = {{"name", name}, {"base_model", {{"train_len", 256}}}, {"target_len", 2048}};
  spec.update(extra_spec);
  const auto e = st.upsert_experiment(name, spec);
  const auto original = st.ensure_run(e, "no-finetune", "extend", {{"rope", {{"method", "none"}}}, {"strategy", "none"}, {"steps", 0}});
  st.append_metrics(original, {{r::ppl_at(256), 0, original_ppl_at_lc, 0}, {r::ppl_at(2048), 0, 900.0, 0}});
  st.finish_run(original, pose::store::RunStatus::Done);
  const auto pose = st.ensure_run(e, "pose", "extend", {{"rope", {{"method", "linear"}, {"factor", 8}}}, {"strategy", "pose"}, {"steps", 4}});
  st.append_metrics(pose, {{r::kTrainLoss, 4, 3.0, 0},
                           {r::ppl_at(2048), 4, pose_ppl_at_lt, 0},
                           {r::passkey_at(256), 4, 1.0, 0},
                           {r::passkey_at(2048), 4, pose_passkey_at_lt, 0}});
  st.finish_run(pose, pose_status, pose_status == pose::store::RunStatus::Failed ? "out of memory" : "");
}

// demo (seed 1234) and its replicates demo.seed-1 and demo.seed-2, whose PoSE
// run failed; an unrelated experiment beside them.
QString make_store(const QTemporaryDir& dir) {
  const QString file = dir.filePath("store.sqlite");
  auto st = ExperimentStore::open(file.toStdString());
  using pose::store::RunStatus;
  add_experiment(st, "demo", {{"seed", 1234}, {"replicate_seeds", {1, 2}}}, 30.0, 34.0, 0.5, RunStatus::Done);
  add_experiment(st, "other", {{"seed", 5}}, 10.0, 11.0, 1.0, RunStatus::Done);
  add_experiment(st, "demo.seed-1", {{"seed", 1}, {"replicate_of", "demo"}}, 20.0, 38.0, 0.0, RunStatus::Done);
  add_experiment(st, "demo.seed-2", {{"seed", 2}, {"replicate_of", "demo"}}, 25.0, 99.0, 0.0, RunStatus::Failed);
  return file;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

class TestSeedSpread : public QObject {
  Q_OBJECT
 private slots:
  void headlinesAreTheSummaryJsonFields() {
    r::RunSummary s;
    s.final_loss = 2.5;
    s.ppl_at_lt = 36.0;
    s.ruler_effective_length = 1024;
    s.worst_passkey = 0.25;
    const json j = r::to_json(s);
    for (const Headline h : r::headlines()) {
      const std::string key(r::headline_key(h));
      QVERIFY2(j.contains(key), key.c_str());
      const auto v = r::headline_value(s, h);
      QCOMPARE(j[key].is_null(), !v.has_value());
      if (v) QCOMPARE(j[key].get<double>(), *v);
    }
    QVERIFY(j["ruler_effective_length"].is_number_integer());  // a length stays a whole number
    QVERIFY(r::headline_is_whole(Headline::RulerEffectiveLength));
    QVERIFY(!r::headline_is_whole(Headline::PplAtLt));
    const auto back = r::run_summary_from_json(j);
    QCOMPARE(*back.final_loss, 2.5);
    QCOMPARE(*back.ruler_effective_length, int64_t(1024));
    QCOMPARE(*back.worst_passkey, 0.25);
    QVERIFY(!back.ppl_at_lc);
    QCOMPARE(r::to_json(back), j);
  }

  void spreadIsMeanMinMaxAndCountPerRunAndQuantity() {
    const auto summary = [](double loss, std::optional<double> ppl) {
      r::RunSummary s;
      s.final_loss = loss;
      s.ppl_at_lt = ppl;
      return s;
    };
    const std::vector<r::SeedRuns> group = {
        {"demo", 1234, {{"pose", summary(3.0, 30.0)}, {"full", summary(2.0, 20.0)}}},
        {"demo.seed-1", 1, {{"pose", summary(4.0, 36.0)}}},
        {"demo.seed-2", 2, {{"pose", summary(5.0, std::nullopt)}, {"full", summary(2.5, 22.0)}}},
    };
    const auto spread = r::seed_spread(group);
    QCOMPARE(spread.experiments, (std::vector<std::string>{"demo", "demo.seed-1", "demo.seed-2"}));
    QCOMPARE(spread.seeds, (std::vector<uint64_t>{1234, 1, 2}));
    const auto* pose = spread.find("pose");
    QVERIFY(pose);
    QCOMPARE(pose->seeds, 3);
    const auto* loss = pose->find(Headline::FinalLoss);
    QCOMPARE(loss->mean, 4.0);
    QCOMPARE(loss->min, 3.0);
    QCOMPARE(loss->max, 5.0);
    QCOMPARE(loss->n, 3);
    const auto* ppl = pose->find(Headline::PplAtLt);  // one seed measured none
    QCOMPARE(ppl->mean, 33.0);
    QCOMPARE(ppl->n, 2);
    QVERIFY(!pose->find(Headline::PplAtLc));  // no seed measured it
    QCOMPARE(spread.find("full")->seeds, 2);
    QCOMPARE(spread.find("full")->find(Headline::FinalLoss)->mean, 2.25);
    QVERIFY(!spread.find("yarn"));

    const auto number = [](double v) { return std::to_string(static_cast<int>(v)); };
    QCOMPARE(r::mean_and_range(*loss, number), std::string("4 (3\u20135)"));
    QCOMPARE(r::mean_and_range(r::Spread{7.0, 7.0, 7.0, 1}, number), std::string("7"));  // one seed: its value

    // JSON: numbers under the summary's names, and back.
    const json j = r::to_json(*pose);
    QCOMPARE(j["n"].get<int>(), 3);
    QCOMPARE(j["final_loss"]["mean"].get<double>(), 4.0);
    QCOMPARE(j["ppl_at_lt"]["n"].get<int>(), 2);
    QVERIFY(!j.contains("ppl_at_lc"));
    const auto back = r::run_spread_from_json(j);
    QCOMPARE(back.seeds, 3);
    QCOMPARE(back.find(Headline::PplAtLt)->max, 36.0);
    QCOMPARE(r::to_json(back), j);
  }

  void storeGroupsAnExperimentWithItsReplicates() {
    QTemporaryDir dir;
    const auto st = ExperimentStore::open(make_store(dir).toStdString(), ExperimentStore::Mode::ReadOnly);
    const auto group = r::summarize_replicates(st, "demo");
    QCOMPARE(group.size(), std::size_t(3));
    QCOMPARE(group[0].experiment, std::string("demo"));
    QCOMPARE(group[1].experiment, std::string("demo.seed-1"));
    QCOMPARE(*group[2].seed, uint64_t(2));
    QVERIFY(!group[2].runs.count("pose"));  // failed: measured nothing to average
    QVERIFY(group[2].runs.count("no-finetune"));
    QCOMPARE(r::summarize_replicates(st, "other").size(), std::size_t(1));
    QVERIFY(r::summarize_replicates(st, "absent").empty());
    const auto spread = r::seed_spread(group);
    const auto* pose = spread.find("pose");
    QCOMPARE(pose->seeds, 2);
    QCOMPARE(pose->find(Headline::PplAtLt)->mean, 36.0);
    // Each seed's ratio against its own original model: 34/30 and 38/20.
    QCOMPARE(pose->find(Headline::PplRatio)->min, 34.0 / 30.0);
    QCOMPARE(pose->find(Headline::PplRatio)->max, 38.0 / 20.0);
    QCOMPARE(pose->find(Headline::WorstPasskey)->mean, 0.25);
    QCOMPARE(pose::report::measured_outcome_text(*pose),
             std::string("ppl@Lt 1.52x original@Lc (1.13\u20131.90); passkey >= 0.25 (0.00\u20130.50) up to Lt; mean of 2 seeds"));
  }

  void poseRunsShowsMeanAndRangeWithTheSeedsOnce() {
    QTemporaryDir dir;
    const std::string file = make_store(dir).toStdString();
    std::string out;
    QCOMPARE(run_pose({"runs", "--store", file}, &out), 0);
    QVERIFY2(contains(out, "# demo: 3 seeds (1234, 1, 2); each number is mean (min\u2013max)"), out.c_str());
    std::istringstream lines(out);
    std::string line, pose_line, other_line;
    int demo_rows = 0;
    while (std::getline(lines, line)) {
      if (line.rfind("demo ", 0) == 0) ++demo_rows;
      if (line.rfind("demo ", 0) == 0 && contains(line, " pose ")) pose_line = line;
      if (line.rfind("other ", 0) == 0 && contains(line, " pose ")) other_line = line;
    }
    QCOMPARE(demo_rows, 2);  // one line per run name, not per seed
    QVERIFY2(contains(pose_line, "2/3 done"), pose_line.c_str());
    QVERIFY2(contains(pose_line, "36 (34\u201338)"), pose_line.c_str());   // ppl@Lt
    QVERIFY2(contains(pose_line, "0.25 (0\u20130.5)"), pose_line.c_str());  // passkey@Lt
    QVERIFY2(contains(out, "    demo.seed-2: out of memory"), out.c_str());
    QVERIFY2(contains(other_line, " 11 ") && !contains(other_line, "\u2013"), other_line.c_str());  // one seed: plain

    // One seed's experiment alone.
    QCOMPARE(run_pose({"runs", "--store", file, "--experiment", "demo.seed-1"}, &out), 0);
    QVERIFY2(contains(out, "demo.seed-1") && contains(out, " 38 ") && !contains(out, "# demo"), out.c_str());

    // --json: every run of every seed, the spread as numbers.
    QCOMPARE(run_pose({"runs", "--store", file, "--experiment", "demo", "--json"}, &out), 0);
    const json rows = json::parse(out);
    QCOMPARE(rows.size(), std::size_t(6));
    int checked = 0;
    for (const auto& row : rows) {
      if (row["run"] != "pose") continue;
      QCOMPARE(row["seed_spread"]["n"].get<int>(), 2);
      QCOMPARE(row["seed_spread"]["seeds"], json({1234, 1, 2}));
      QCOMPARE(row["seed_spread"]["ppl_at_lt"]["mean"].get<double>(), 36.0);
      QCOMPARE(row["seed_spread"]["ppl_at_lt"]["min"].get<double>(), 34.0);
      QCOMPARE(row["seed_spread"]["ppl_at_lt"]["max"].get<double>(), 38.0);
      if (row["experiment"] == "demo.seed-1") {
        QCOMPARE(row["seed"].get<uint64_t>(), uint64_t(1));
        QCOMPARE(row["replicate_of"], json("demo"));
        QCOMPARE(row["ppl_at_lt"].get<double>(), 38.0);  // its own number beside the spread
      }
      if (row["experiment"] == "demo") QVERIFY(row["replicate_of"].is_null());
      ++checked;
    }
    QCOMPARE(checked, 3);
    QCOMPARE(run_pose({"runs", "--store", file, "--experiment", "other", "--json"}, &out), 0);
    QVERIFY(!json::parse(out)[0].contains("seed_spread"));
  }

  void reportTablesShowTheSpreadAndJudgeTheClaimOnTheMean() {
    QTemporaryDir dir;
    const auto st = ExperimentStore::open(make_store(dir).toStdString(), ExperimentStore::Mode::ReadOnly);
    const json report = pose::report::collect_report(st, {"demo", {}});
    QCOMPARE(report["seed_spread"]["seeds"], json({1234, 1, 2}));
    QCOMPARE(report["seed_spread"]["runs"]["pose"]["ppl_at_lt"]["mean"].get<double>(), 36.0);
    const std::string html = pose::report::render_html(report);
    const std::string md = pose::report::render_markdown(report, "figures");
    const std::string printed = pose::report::render_html(report, {false});  // the PDF's
    for (const std::string* text : {&html, &printed}) {
      // The range under the mean, so that the tables of spreads fit a page.
      QVERIFY2(contains(*text, ">36.00<br>(34.00\u201338.00)<"), text->c_str());  // ppl@2048
    }
    // Headers of several words may wrap; one word never breaks.
    QVERIFY2(contains(printed, "<th style=\"vertical-align:bottom;white-space:nowrap\">ppl@2048</th>"), printed.c_str());
    QVERIFY2(contains(printed, "<th style=\"vertical-align:bottom\">attention beyond Lc</th>"), printed.c_str());
    for (const std::string* text : {&html, &md, &printed}) {
      QVERIFY2(contains(*text, "ran with 3 seeds (1234, 1, 2"), text->c_str());
      QVERIFY2(contains(*text, "passkey &gt;= 0.25 (0.00\u20130.50) up to Lt; mean of 2 seeds") ||
                   contains(*text, "passkey >= 0.25 (0.00\u20130.50) up to Lt; mean of 2 seeds"),
               text->c_str());
    }
    QVERIFY2(contains(md, "| pose | 36.00 (34.00\u201338.00) |") || contains(md, "36.00 (34.00\u201338.00) |"), md.c_str());
    // A replicate's report is its own seed's, and says whose replicate it is.
    const json one = pose::report::collect_report(st, {"demo.seed-1", {}});
    QVERIFY(one["seed_spread"].is_null());
    const std::string one_html = pose::report::render_html(one);
    QVERIFY2(contains(one_html, "repeats demo with seed 1"), one_html.c_str());
    QVERIFY2(contains(one_html, ">38.00<") && !contains(one_html, "34.00\u2013"), one_html.c_str());
    // An experiment without replicates: one seed's numbers, as before.
    const std::string other = pose::report::render_html(pose::report::collect_report(st, {"other", {}}));
    QVERIFY2(contains(other, ">11.00<") && contains(other, "Seed 5."), other.c_str());
  }
};

QTEST_APPLESS_MAIN(TestSeedSpread)
#include "test_seed_spread.moc"
