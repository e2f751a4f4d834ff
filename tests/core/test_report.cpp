// Reports: what the store holds, gathered and rendered — runs and their
// numbers, figures inline in HTML, names escaped, Markdown with its SVG files,
// CSV in long format, the paper's reference only for its design, and clear
// errors for unknown experiments and runs; `pose report` end to end.
#include <QtTest>

#include <QTemporaryDir>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "commands.h"
#include "common/error.h"
#include "experiment/experiment_spec.h"
#include "report/experiment_report.h"
#include "report/paper_claims.h"
#include "results/metric_names.h"
#include "store/experiment_store.h"

using nlohmann::json;
using pose::store::ExperimentStore;
namespace fs = std::filesystem;

namespace {

const std::string kHostile = "<script>alert(1)</script>";

void fill(ExperimentStore& st, int64_t lc, int64_t lt) {
  const json spec = {{"name", "demo"}, {"description", "a & b"}, {"base_model", {{"train_len", lc}}}, {"target_len", lt}};
  const auto e = st.upsert_experiment("demo", spec);
  const auto base = st.ensure_run(e, "base", "base", {{"steps", 3}});
  st.mark_running(base, "cpu", {{"pose", "0.1.0"}, {"libtorch", "1.13.0"}});
  st.append_metrics(base, {{"train/loss", 1, 5.0, 0}, {"train/loss", 2, 4.0, 0}, {"train/loss", 3, 3.0, 0}});
  st.finish_run(base, pose::store::RunStatus::Done);
  const auto run = st.ensure_run(e, kHostile, "extend", {{"rope", {{"method", "yarn"}, {"factor", 8}}}, {"strategy", "pose"}});
  st.append_metrics(run, {{"train/loss", 1, 3.5, 0}, {"eval/ppl@" + std::to_string(lt), 1, 36.5, 0},
                          {"run/tokens_per_s", 1, 35723.4, 0}});
  st.add_eval_result({0, run, "perplexity", {{"lengths", {lc, lt}}, {"stride", 512}},
                      json::array({{{"length", lc}, {"perplexity", 33.0}, {"tokens", 10}},
                                   {{"length", lt}, {"perplexity", 36.5}, {"tokens", 10}}}),
                      1, {}});
  st.add_eval_result({0, run, "passkey", {{"lengths", {lc}}, {"depths", {0.0, 1.0}}},
                      json::array({{{"length", lc}, {"depth", 0.0}, {"trials", 4}, {"correct", 3}, {"accuracy", 0.75}},
                                   {{"length", lc}, {"depth", 1.0}, {"trials", 0}, {"correct", 0}, {"accuracy", 0.0},
                                    {"skipped", "too short"}}}),
                      1, {}});
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

class TestReport : public QObject {
  Q_OBJECT
 private slots:
  void collectsWhatTheStoreHolds() {
    QTemporaryDir dir;
    auto st = ExperimentStore::open(dir.filePath("s.sqlite").toStdString());
    fill(st, 256, 2048);
    const auto r = pose::report::collect_report(st, {"demo", {}});
    QCOMPARE(r["runs"].size(), std::size_t(2));
    QCOMPARE(r["lc"].get<int64_t>(), int64_t(256));
    QCOMPARE(r["runs"][0]["series"]["train/loss"].size(), std::size_t(3));
    QCOMPARE(r["runs"][1]["metrics"]["eval/ppl@2048"].get<double>(), 36.5);
    QCOMPARE(r["runs"][1]["evaluations"][0]["settings"]["stride"].get<int>(), 512);  // settings kept
    QCOMPARE(r["environments"].size(), std::size_t(1));
    QVERIFY(r["paper_reference"].is_null());  // 256 -> 2048 is not the paper's design
    const auto only = pose::report::collect_report(st, {"demo", {"base"}});
    QCOMPARE(only["runs"].size(), std::size_t(1));
    QCOMPARE(only["runs"][0]["color"], r["runs"][0]["color"]);  // colour from the run's place in the experiment

    try {
      pose::report::collect_report(st, {"dmeo", {}});
      QFAIL("unknown experiment accepted");
    } catch (const pose::UserError& e) {
      QVERIFY2(std::string(e.what()).find("did you mean demo") != std::string::npos, e.what());
    }
    QVERIFY_THROWS_EXCEPTION(pose::UserError, pose::report::collect_report(st, {"demo", {"bsae"}}));
  }

  void htmlIsSelfContainedAndEscaped() {
    QTemporaryDir dir;
    auto st = ExperimentStore::open(dir.filePath("s.sqlite").toStdString());
    fill(st, 2048, 16384);
    const auto r = pose::report::collect_report(st, {"demo", {}});
    QVERIFY(!r["paper_reference"].is_null());
    const std::string html = pose::report::render_html(r);
    QVERIFY(html.find(kHostile) == std::string::npos);  // never raw
    QVERIFY(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    QVERIFY(html.find("a &amp; b") != std::string::npos);
    QVERIFY(html.find("<svg") != std::string::npos);          // figures inline
    QVERIFY(html.find("src=\"http") == std::string::npos);    // nothing fetched
    QVERIFY(html.find("2.95") != std::string::npos);          // the paper's PoSE at 2k
    QVERIFY(html.find("perplexity-vs-length") != std::string::npos);
    QVERIFY(html.find("&quot;stride&quot;: 512") != std::string::npos);  // evaluation settings shown
    const auto figures = pose::report::report_figures(r);
    QCOMPARE(figures.size(), std::size_t(4));  // ppl, two loss plots, one passkey heatmap
    // The run tables: three narrow ones, numbers without exponents.
    const auto tables = html.substr(html.find("<h2>Runs</h2>"), html.find("<h2>Figures</h2>") - html.find("<h2>Runs</h2>"));
    for (const char* title : {"<h3>Design</h3>", "<h3>Results</h3>", "<h3>Against the PoSE paper</h3>"}) {
      QVERIFY2(tables.find(title) != std::string::npos, title);
    }
    QVERIFY2(tables.find("e+0") == std::string::npos, tables.c_str());
    QVERIFY2(tables.find(">35723<") != std::string::npos, tables.c_str());
    // Printed (the workbench's PDF): one line per evaluation instead of pages of JSON.
    pose::report::HtmlOptions printed;
    printed.settings_in_full = false;
    const std::string pdf_html = pose::report::render_html(r, printed);
    QVERIFY(pdf_html.find("<h2>Specification</h2>") == std::string::npos);
    QVERIFY(pdf_html.find("&quot;stride&quot;") == std::string::npos);
    QVERIFY(pdf_html.find("Every setting of the experiment") != std::string::npos);
    QVERIFY(pdf_html.find("<h3>Results</h3>") != std::string::npos);
    QVERIFY(html.find("<h2>Specification</h2>") != std::string::npos);  // the full report keeps them
  }

  void periodicEvaluationsAreDrawnAgainstTheStep() {
    QTemporaryDir dir;
    auto st = ExperimentStore::open(dir.filePath("s.sqlite").toStdString());
    fill(st, 256, 2048);
    const auto e = st.find_experiment("demo")->id;
    // An original model (no RoPE change, no fine-tuning): one point, the reference at Lc.
    const auto original = st.ensure_run(e, "no-finetune", "extend", {{"rope", {{"method", "none"}}}, {"strategy", "none"}, {"steps", 0}});
    st.append_metrics(original, {{"periodic/ppl@256", 0, 30.0, 0}, {"periodic/ppl@2048", 0, 400.0, 0}});
    const auto run = st.find_run(e, kHostile)->id;
    for (int64_t step : {0, 10, 20}) {
      const double ppl = 100.0 - 2.0 * static_cast<double>(step);
      st.add_evaluation(run,
                        {{0, run, "periodic-perplexity", {{"lengths", {256, 2048}}, {"wall_s", 0.5}, {"origin", "periodic"}},
                          json::array({{{"length", 2048}, {"perplexity", ppl}}}), step, {}}},
                        {{"periodic/ppl@2048", step, ppl, 0},
                         {"periodic/passkey", step, static_cast<double>(step) / 40.0, 0},
                         {"periodic/attention_beyond_lc", step, 0.7 - static_cast<double>(step) / 100.0, 0}});
    }
    const auto r = pose::report::collect_report(st, {"demo", {}});
    QCOMPARE(r["runs"][1]["series"]["periodic/ppl@2048"].size(), std::size_t(3));
    std::map<std::string, std::string> figures;
    for (const auto& [id, svg] : pose::report::report_figures(r)) figures[id] = svg;
    QVERIFY(figures.count("perplexity-at-lt-vs-step"));
    QVERIFY(figures.count("passkey-vs-step"));
    QVERIFY(figures.count("attention-beyond-lc-vs-step"));
    // The reference line is the original model's perplexity at Lc.
    QVERIFY2(figures["perplexity-at-lt-vs-step"].find("original at Lc 30") != std::string::npos,
             figures["perplexity-at-lt-vs-step"].c_str());
    QVERIFY(figures["perplexity-at-lt-vs-step"].find("no-finetune") != std::string::npos);

    // Periodic settings are listed once per kind, with their steps.
    const std::string html = pose::report::render_html(r);
    QVERIFY(html.find("periodic-perplexity (at steps 0, 10, 20)") != std::string::npos);
    std::size_t listed = 0;
    for (auto at = html.find("· periodic-perplexity"); at != std::string::npos; at = html.find("· periodic-perplexity", at + 1)) {
      ++listed;
    }
    QCOMPARE(listed, std::size_t(1));
    QVERIFY(pose::report::render_csv(r).find(",periodic,periodic/ppl@2048,,,10,80\n") != std::string::npos);
  }

  // A data-parallel run's tokens/s cell says how many ranks trained it and its
  // slowest rank's mean tokens/s; a single process's cell is the number alone.
  void dataParallelRunsShowTheirRanks() {
    QTemporaryDir dir;
    auto st = ExperimentStore::open(dir.filePath("s.sqlite").toStdString());
    fill(st, 256, 2048);
    const auto e = st.find_experiment("demo")->id;
    const auto ddp = st.ensure_run(e, "pose-ddp", "extend", {{"strategy", "pose"}, {"steps", 2}});
    st.mark_running(ddp, "cpu x 2 ranks (gloo)", {{"pose", "0.1.0"}});
    namespace r = pose::results;
    st.append_metrics(ddp, {{r::kTrainLoss, 1, 3.5, 0},
                            {r::kTrainSlowestRank, 1, 1.0, 0},
                            {r::kTrainSlowestRankTokensPerS, 1, 23000.0, 0},
                            {r::kTrainLoss, 2, 3.4, 0},
                            {r::kTrainSlowestRank, 2, 0.0, 0},
                            {r::kTrainSlowestRankTokensPerS, 2, 23200.0, 0},
                            {r::kRunTokensPerS, 2, 47405.2, 0},
                            {r::kRunWorldSize, 2, 2.0, 0}});
    st.finish_run(ddp, pose::store::RunStatus::Done);
    const auto report = pose::report::collect_report(st, {"demo", {}});
    QCOMPARE(report["runs"][2]["summary"]["world_size"].get<int64_t>(), int64_t(2));
    QCOMPARE(report["runs"][2]["series"][r::kTrainSlowestRankTokensPerS].size(), std::size_t(2));
    const std::string html = pose::report::render_html(report);
    QVERIFY2(html.find(">47405 (2 ranks; slowest 23100)<") != std::string::npos, html.c_str());
    QVERIFY(html.find(">35723<") != std::string::npos);  // one process: no ranks
    QVERIFY(html.find("cpu x 2 ranks (gloo)") != std::string::npos);  // the environment it ran in
    const std::string md = pose::report::render_markdown(report, "figures");
    QVERIFY(md.find("| 47405 (2 ranks; slowest 23100) |") != std::string::npos);
    // What "slowest" measures is said under the table, once.
    QVERIFY(md.find("forward and backward passes alone") != std::string::npos);
    QVERIFY(html.find("<p class=\"note\">tokens/s: every rank") != std::string::npos);
    const std::string csv_row = std::string("pose-ddp,train,") + r::kTrainSlowestRankTokensPerS + ",,,2,23200\n";
    QVERIFY(pose::report::render_csv(report).find(csv_row) != std::string::npos);
  }

  void csvMarkdownAndTheCommand() {
    QTemporaryDir dir;
    const std::string store = dir.filePath("s.sqlite").toStdString();
    {
      auto st = ExperimentStore::open(store);
      fill(st, 256, 2048);
    }
    std::ostringstream out, err;
    const std::string md = dir.filePath("report.md").toStdString();
    QCOMPARE(pose::cli::run_cli({"pose", "report", "--experiment", "demo", "--out", md, "--store", store}, out, err), 0);
    const std::string text = read(md);
    QVERIFY(text.find("![perplexity-vs-length](report-figures/perplexity-vs-length.svg)") != std::string::npos);
    QVERIFY(fs::exists(dir.filePath("report-figures/perplexity-vs-length.svg").toStdString()));
    QVERIFY(read(dir.filePath("report-figures/perplexity-vs-length.svg").toStdString()).rfind("<svg", 0) == 0);
    QVERIFY(text.find("forward and backward passes alone") == std::string::npos);  // no data-parallel run: no note

    const std::string csv = dir.filePath("report.csv").toStdString();
    QCOMPARE(pose::cli::run_cli({"pose", "report", "--experiment", "demo", "--out", csv, "--store", store}, out, err), 0);
    const std::string rows = read(csv);
    QVERIFY(rows.rfind("run,kind,metric,length,depth,step,value\n", 0) == 0);
    QVERIFY(rows.find("base,train,train/loss,,,2,4\n") != std::string::npos);
    QVERIFY(rows.find(",perplexity,perplexity,2048,,1,36.5\n") != std::string::npos);
    QVERIFY(rows.find(",passkey,accuracy,256,0.0,1,0.75\n") != std::string::npos);
    QVERIFY(rows.find("too short") == std::string::npos);  // skipped cells have no value

    const std::string js = dir.filePath("report.json").toStdString();
    QCOMPARE(pose::cli::run_cli({"pose", "report", "--experiment", "demo", "--out", js, "--store", store}, out, err), 0);
    QCOMPARE(json::parse(read(js))["runs"].size(), std::size_t(2));

    QCOMPARE(pose::cli::run_cli({"pose", "report", "--experiment", "demo", "--out", dir.filePath("x.pdf").toStdString(),
                                 "--store", store},
                                out, err),
             2);
    QVERIFY(err.str().find(".pdf") != std::string::npos);
    QVERIFY2(err.str().find("--export-report") != std::string::npos, err.str().c_str());  // where PDF is made
  }

  void paperClaimAndMeasuredOutcomeSideBySide() {
    using pose::report::paper_claim;
    const auto run = [](const char* strategy, const char* rope, int steps, double factor = 8) {
      return nlohmann::json{{"strategy", strategy}, {"rope", {{"method", rope}, {"factor", factor}}}, {"steps", steps}};
    };
    QVERIFY(paper_claim(run("pose", "yarn", 200)).find("as Full-length") != std::string::npos);
    QVERIFY(paper_claim(run("pose", "yarn", 200)).find("[Table 1") != std::string::npos);  // where it stands
    QVERIFY(paper_claim(run("full", "linear", 200)).find("2.53 at 16k") != std::string::npos);
    QVERIFY(paper_claim(run("randpos", "linear", 200)).find("worse") != std::string::npos);
    QVERIFY(paper_claim(run("none", "none", 0, 1)).find("fails beyond Lc") != std::string::npos);
    QVERIFY(paper_claim(run("none", "linear", 0)).empty());  // no published figure

    // The factor picks the paper's setting: 2k -> 32k is Table 1's second PoSE row,
    // 2k -> 128k Table 2, by RoPE family (yarn-pose is YaRN); the paper has no
    // 32k figure for NTK, nor any Full-length run beyond 16k.
    QVERIFY(paper_claim(run("pose", "linear", 1000, 16)).find("2.59 at 32k") != std::string::npos);
    QVERIFY(paper_claim(run("randpos", "linear", 1000, 16)).find("66.47 at 32k") != std::string::npos);
    QVERIFY(paper_claim(run("pose", "ntk", 1000, 16)).empty());
    QVERIFY(paper_claim(run("full", "linear", 1000, 16)).empty());
    QVERIFY(paper_claim(run("pose", "yarn-pose", 1000, 64)).find("11.33 at 128k") != std::string::npos);
    QVERIFY(paper_claim(run("pose", "linear", 1000, 64)).find("31.18 at 128k") != std::string::npos);
    QVERIFY(paper_claim(run("pose", "ntk", 1000, 48)).find("38.73 at 96k") != std::string::npos);
    QVERIFY(paper_claim(run("pose", "linear", 1000, 4)).empty());  // 2k -> 8k: no published perplexity

    const pose::results::LastMetrics original = {{"eval/ppl@256", {0, 20.0}}, {"eval/ppl@2048", {0, 80.0}}};
    const pose::results::LastMetrics metrics = {{"eval/ppl@256", {40, 21.0}},        {"eval/ppl@2048", {40, 22.0}},
                                                {"eval/passkey@256", {40, 0.9}},     {"eval/passkey@1024", {40, 0.25}},
                                                {"eval/passkey@2048", {40, 0.5}},    {"eval/passkey@4096", {40, 0.0}},
                                                {"periodic/passkey@2048", {40, 0.0}}};
    const auto m = pose::results::summarize_run(metrics, &original, 256, 2048);
    QVERIFY(m.ppl_ratio && std::abs(*m.ppl_ratio - 1.1) < 1e-12);
    QCOMPARE(*m.worst_passkey, 0.25);  // lengths beyond Lt and periodic values are not read
    QCOMPARE(pose::report::measured_outcome_text(m), std::string("ppl@Lt 1.10x original@Lc; passkey >= 0.25 up to Lt"));
    const auto alone = pose::results::summarize_run(metrics, nullptr, 256, 2048);
    QVERIFY(!alone.ppl_ratio);
    QCOMPARE(pose::report::measured_outcome_text(alone), std::string("passkey >= 0.25 up to Lt"));
  }

  // The paper's specs carry its figures for every design it published one for:
  // each run of the 32k and 128k specs (and the 96k preset) as stored.
  void theShippedPaperSpecsCarryThePapersFigures() {
    using pose::report::paper_claim;
    const std::string dir = std::string(POSE_SOURCE_DIR) + "/experiments/";
    std::map<std::string, std::string> claims;
    const auto collect = [&](const std::string& file, const std::string& preset, const std::string& tag) {
      const auto spec = pose::experiment::load_experiment_spec(dir + file, preset);
      for (const auto& run : spec.extend) claims[tag + "/" + run.name] = paper_claim(pose::experiment::to_json(run));
    };
    collect("paper-llama7b-16k.json", "", "16k");
    collect("paper-llama7b-32k.json", "", "32k");
    collect("paper-llama7b-128k.json", "", "128k");
    collect("paper-llama7b-128k.json", "lt96k", "96k");
    QVERIFY(claims["16k/original"].find("fails beyond Lc") != std::string::npos);
    QVERIFY(claims["16k/full-length-16k"].find("2.53 at 16k") != std::string::npos);
    QVERIFY(claims["16k/pose-yarn"].find("2.60 at 16k") != std::string::npos);
    QVERIFY(claims["32k/pose-linear"].find("2.59 at 32k") != std::string::npos);
    QVERIFY(claims["32k/randpos-linear"].find("66.47 at 32k") != std::string::npos);
    QVERIFY(claims["32k/pose-yarn"].empty());  // Table 1 is linear PI only
    QVERIFY(claims["128k/pose-yarn"].find("11.33 at 128k") != std::string::npos);
    QVERIFY(claims["128k/pose-ntk"].find("34.80 at 128k") != std::string::npos);
    QVERIFY(claims["96k/pose-linear"].find("13.57 at 96k") != std::string::npos);
    QVERIFY(claims["96k/pose-yarn"].find("9.36 at 96k") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestReport)
#include "test_report.moc"
