// The Train and Evaluate workspaces draw what the store holds: perplexity of
// every evaluated run against length with Lc/Lt and the original model's
// reference, the chosen run's passkey / key-value / RULER heatmap, RULER's
// average against length, attention curves; the Train curves of one group of
// runs at a time.
// LibTorch before Qt (ruler_eval.h reaches it): Qt's `slots` macro breaks its headers.
#include "eval/ruler_eval.h"

#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextDocumentFragment>

#include <qcustomplot.h>

#include "attention_distance_plot.h"
#include "compare_workspace.h"
#include "experiment_browser.h"
#include "main_window.h"
#include "runs_table.h"
#include "eval_controller.h"
#include "evaluate_workspace.h"
#include "perplexity_length_plot.h"
#include "retrieval_heatmap.h"
#include "run_colors.h"
#include "run_controller.h"
#include "score_length_plot.h"
#include "store/experiment_store.h"
#include "live_eval_view.h"
#include "probe_table.h"
#include "results/metric_names.h"
#include "train_workspace.h"
#include "training_curves_view.h"

using nlohmann::json;
using pose::store::ExperimentStore;

namespace {

json perplexity(double at256, double at2048) {
  return json::array({{{"length", 256}, {"stride", 255}, {"perplexity", at256}, {"mean_nll", 3.0}, {"tokens", 100},
                       {"windows", 1}, {"documents", 1}},
                      {{"length", 2048}, {"stride", 512}, {"perplexity", at2048}, {"mean_nll", 3.5}, {"tokens", 90},
                       {"windows", 1}, {"documents", 1}}});
}

json retrieval(int correct) {
  json cells = json::array();
  for (const int length : {256, 2048}) {
    for (const double depth : {0.0, 1.0}) {
      cells.push_back({{"length", length}, {"prompt_tokens", length - 3}, {"depth", depth}, {"trials", 4},
                       {"correct", length == 256 ? correct : 0}, {"accuracy", (length == 256 ? correct : 0) / 4.0},
                       {"samples", json::array({{{"expected", "123"}, {"predicted", "124"}, {"correct", false}}})}});
    }
  }
  return cells;
}

json attention(double beyond) {
  return {{"bins", json::array({{0, 0}, {1, 1}, {2, 3}})},
          {"layers", json::array({{{"layer", 0}, {"mass", {0.5, 0.3, 0.2}}, {"beyond_window", beyond}},
                                  {{"layer", 1}, {"mass", {0.2, 0.3, 0.5}}, {"beyond_window", beyond}}})},
          {"sequences", 1},
          {"mean_beyond_window", beyond}};
}

// An experiment as the runner stores it: data, base, an original-model run and a PoSE run.
QString makeStore(const QTemporaryDir& dir) {
  const QString file = dir.filePath("store.sqlite");
  auto st = ExperimentStore::open(file.toStdString());
  const json spec = {{"name", "demo"}, {"base_model", {{"train_len", 256}}}, {"target_len", 2048}};
  const auto e = st.upsert_experiment("demo", spec);
  st.ensure_run(e, "data", "data", json::object());
  const auto base = st.ensure_run(e, "base", "base", {{"steps", 3}});
  st.append_metrics(base, {{"train/loss", 1, 5.0, 0}, {"train/loss", 2, 4.0, 0}, {"train/loss", 3, 3.0, 0}});
  const auto original = st.ensure_run(e, "no-finetune", "extend", {{"rope", {{"method", "none"}}}, {"steps", 0}});
  st.append_metrics(original, {{"periodic/ppl@256", 0, 31.0, 0}, {"periodic/ppl@2048", 0, 95.0, 0}});
  st.add_eval_result({0, original, "perplexity", json::object(), perplexity(30.0, 90.0), 0, {}});
  st.add_eval_result({0, original, "passkey", json::object(), retrieval(4), 0, {}});
  st.add_eval_result({0, original, "attention", json::object(), attention(0.7), 0, {}});
  const auto pose = st.ensure_run(e, "pose", "extend", {{"rope", {{"method", "yarn"}}}, {"steps", 2}});
  st.append_metrics(pose, {{"train/loss", 1, 3.5, 0}, {"train/loss", 2, 3.4, 0}});
  // Evaluations during training at steps 0 and 2.
  st.append_metrics(pose, {{"periodic/ppl@256", 0, 40.0, 0}, {"periodic/ppl@2048", 0, 50.0, 0},
                           {"periodic/passkey", 0, 0.5, 0}, {"periodic/attention_beyond_lc", 0, 0.6, 0},
                           {"periodic/ppl@256", 2, 35.0, 0}, {"periodic/ppl@2048", 2, 38.0, 0},
                           {"periodic/passkey", 2, 0.25, 0}, {"periodic/attention_beyond_lc", 2, 0.45, 0}});
  st.add_eval_result({0, pose, "perplexity", json::object(), perplexity(33.0, 36.0), 2, {}});
  st.add_eval_result({0, pose, "passkey", json::object(), retrieval(1), 2, {}});
  st.add_eval_result({0, pose, "kv", json::object(), retrieval(2), 2, {}});
  st.add_eval_result({0, pose, "attention", json::object(), attention(0.4), 2, {}});
  return file;
}

// The pose run's final RULER evaluation as the runner stores it: the results
// (eval::to_json(RulerResult)) and the average per length as eval/ruler@L.
// niah_single_1 at depths 0 and 1, vt without depth; averages 0.875 at 256
// and 0.3125 at 2048.
void addRuler(const QString& file) {
  auto st = ExperimentStore::open(file.toStdString());
  const auto pose = st.find_run(st.find_experiment("demo")->id, "pose")->id;
  const auto cell = [](const char* task, int64_t length, double depth, int64_t trials, double score) {
    pose::eval::RulerCell c;
    c.task = task;
    c.length = length;
    c.depth = depth;
    c.trials = trials;
    c.score_sum = score;
    c.prompt_tokens = length - 10;
    c.samples.push_back({"7321", score > 0 ? "7321" : "1111", score > 0 ? 1.0 : 0.0});
    return c;
  };
  pose::eval::RulerResult r;
  r.cells = {cell("niah_single_1", 256, 0.0, 4, 4.0), cell("niah_single_1", 256, 1.0, 4, 3.0),
             cell("niah_single_1", 2048, 0.0, 4, 2.0), cell("niah_single_1", 2048, 1.0, 4, 1.0),
             cell("vt", 256, pose::eval::kNoDepth, 8, 7.0), cell("vt", 2048, pose::eval::kNoDepth, 8, 2.0)};
  st.add_eval_result({0, pose, "ruler", json::object(), pose::eval::to_json(r), 2, {}});
  st.append_metrics(pose, {{"eval/ruler@256", 2, *r.average(256), 0}, {"eval/ruler@2048", 2, *r.average(2048), 0}});
}

// The pose run trained by two processes, as the runner stores a data-parallel
// run: its world size, the slowest rank by step and their tokens/s.
void makeDataParallel(const QString& file) {
  namespace r = pose::results;
  auto st = ExperimentStore::open(file.toStdString());
  const auto pose = st.find_run(st.find_experiment("demo")->id, "pose")->id;
  st.append_metrics(pose, {{r::kTrainTokensPerS, 1, 46000.0, 0},
                           {r::kTrainSlowestRank, 1, 1.0, 0},
                           {r::kTrainSlowestRankTokensPerS, 1, 23000.0, 0},
                           {r::kTrainTokensPerS, 2, 47000.0, 0},
                           {r::kTrainSlowestRank, 2, 0.0, 0},
                           {r::kTrainSlowestRankTokensPerS, 2, 23200.0, 0},
                           {r::kRunTokensPerS, 2, 47405.0, 0},
                           {r::kRunWorldSize, 2, 2.0, 0}});
}

// The main window at 1024x700 for a screenshot: on POSE_SCREENSHOT_STORE when
// set, else on a demo store in `dir` completed by `fill`, showing
// POSE_SCREENSHOT_EXPERIMENT (default "demo").
bool openForScreenshot(pose::studio::MainWindow& w, const QTemporaryDir& dir, void (*fill)(const QString&)) {
  QStandardPaths::setTestModeEnabled(true);
  QString file = qEnvironmentVariable("POSE_SCREENSHOT_STORE");
  if (file.isEmpty()) {
    file = makeStore(dir);
    fill(file);
  }
  w.resize(1024, 700);
  w.show();
  if (!QTest::qWaitForWindowExposed(&w)) return false;
  w.setStoreFile(file);
  w.experimentBrowser()->setCurrentExperiment(qEnvironmentVariable("POSE_SCREENSHOT_EXPERIMENT", "demo"));
  return true;
}

// Brings up the workspace tab that holds `inner`.
void showWorkspaceOf(pose::studio::MainWindow& w, QWidget* inner) {
  for (int i = 0; i < w.workspaces()->count(); ++i) {
    if (w.workspaces()->widget(i)->isAncestorOf(inner)) w.workspaces()->setCurrentIndex(i);
  }
}

// The widest way down from `page`: at each level the shown child asking for
// the most width, as "class name:minimum width", to name what forces a scroll.
QString widestChain(QWidget* page) {
  QString chain;
  for (QWidget* at = page; at;) {
    chain += QStringLiteral(" > %1 %2:%3")
                 .arg(QString::fromLatin1(at->metaObject()->className()), at->objectName())
                 .arg(at->minimumSizeHint().expandedTo(at->minimumSize()).width());
    QWidget* widest = nullptr;
    for (QWidget* c : at->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
      if (!c->isVisibleTo(at) || c->isWindow()) continue;
      const int width = c->minimumSizeHint().expandedTo(c->minimumSize()).width();
      if (!widest || width > widest->minimumSizeHint().expandedTo(widest->minimumSize()).width()) widest = c;
    }
    at = widest;
  }
  return chain;
}

}  // namespace

class TestWorkspaces : public QObject {
  Q_OBJECT
 private slots:
  void evaluateDrawsTheStoredEvaluations() {
    QTemporaryDir dir;
    pose::studio::EvaluateWorkspace w;
    w.setStoreFile(makeStore(dir));
    w.setExperiment("demo");
    auto* ppl = w.perplexityPlot();
    QCOMPARE(ppl->runs(), (QStringList{"no-finetune", "pose"}));
    QCPGraph* g = ppl->graph("pose");
    QVERIFY(g);
    QCOMPARE(g->data()->size(), 2);
    QCOMPARE(g->data()->at(1)->value, 36.0);
    QCOMPARE(ppl->markerPositions(), (QVector<double>{256, 2048}));
    bool reference = false;  // the original model at Lc: 30
    for (int i = 0; i < ppl->plot()->itemCount(); ++i) {
      if (auto* t = qobject_cast<QCPItemText*>(ppl->plot()->item(i))) reference |= t->text().contains("30.00");
    }
    QVERIFY(reference);

    // The heatmap shows the selected run (the last evaluated one first), per kind.
    QCOMPARE(w.runCombo()->currentText(), QString("pose"));
    auto* heat = w.heatmap();
    QCOMPARE(heat->lengths(), (QVector<int64_t>{256, 2048}));
    QCOMPARE(heat->cellAt(0, 0)->correct, int64_t(1));
    w.kindCombo()->setCurrentIndex(w.kindCombo()->findData("kv"));
    QCOMPARE(heat->cellAt(0, 0)->correct, int64_t(2));
    w.runCombo()->setCurrentIndex(w.runCombo()->findText("no-finetune"));
    QVERIFY(heat->lengths().isEmpty());  // no key-value evaluation stored for it
    w.kindCombo()->setCurrentIndex(w.kindCombo()->findData("passkey"));
    QCOMPARE(heat->cellAt(0, 0)->correct, int64_t(4));

    // Attention: every run at the mean of layers, then one run's layers.
    QCOMPARE(w.attentionPlot()->curveCount(), 2);
    QVERIFY(w.attentionPlot()->beyondLabel().contains("70.0 %"));
    w.layerCombo()->setCurrentIndex(w.layerCombo()->findData(-2));
    QCOMPARE(w.attentionPlot()->curveCount(), 2);  // two layers of no-finetune
    QVERIFY(w.sourceLabel()->text().contains("2 evaluated runs"));
  }

  // The heatmap is browsable per checkpoint: the final evaluation and each one
  // made during training; the probe's results show as a table.
  void evaluateBrowsesCheckpointsAndTheProbe() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    {
      auto st = ExperimentStore::open(file.toStdString());
      const auto pose = st.find_run(st.find_experiment("demo")->id, "pose")->id;
      st.add_eval_result({0, pose, "periodic-passkey", json::object(), retrieval(3), 1, {}});
      st.add_eval_result({0, pose, "periodic-passkey", json::object(), retrieval(2), 0, {}});
      st.add_eval_result({0, pose, "probe", {{"question", "Which book?"}, {"answer", "Genesis"}},
                          json::parse(R"([{"length": 256, "prompt_tokens": 250, "document_tokens": 240,
                                           "document_complete": false, "generated": " Genesis", "passed": true,
                                           "answer_exact": true, "answer_nll": 0.5},
                                          {"length": 2048, "skipped": "longer than the document"}])"),
                          2, {}});
    }
    pose::studio::EvaluateWorkspace w;
    w.setStoreFile(file);
    w.setExperiment("demo");
    QCOMPARE(w.runCombo()->currentText(), QString("pose"));
    auto* steps = w.stepCombo();
    QCOMPARE(steps->count(), 3);  // final, then steps 0 and 1 in order
    QCOMPARE(steps->itemText(0), QString("final (step 2)"));
    QCOMPARE(steps->itemData(1).toLongLong(), 0LL);
    QCOMPARE(steps->itemData(2).toLongLong(), 1LL);
    QCOMPARE(w.heatmap()->cellAt(0, 0)->correct, int64_t(1));
    steps->setCurrentIndex(1);
    QCOMPARE(w.heatmap()->cellAt(0, 0)->correct, int64_t(2));
    steps->setCurrentIndex(2);
    QCOMPARE(w.heatmap()->cellAt(0, 0)->correct, int64_t(3));
    // Key-value has no periodic evaluations: only the final one.
    w.kindCombo()->setCurrentIndex(w.kindCombo()->findData("kv"));
    QCOMPARE(steps->count(), 1);
    QVERIFY(!steps->isEnabled());
    QCOMPARE(w.heatmap()->cellAt(0, 0)->correct, int64_t(2));

    w.kindCombo()->setCurrentIndex(w.kindCombo()->findData("probe"));
    auto* probe = w.probeTable();
    QVERIFY(probe->isVisibleTo(&w));
    QVERIFY(!w.heatmap()->isVisibleTo(&w));
    QCOMPARE(probe->rowCount(), 2);
    QCOMPARE(probe->cellText(0, pose::widgets::ProbeTable::Verdict), QString("pass"));
    QCOMPARE(probe->cellText(1, pose::widgets::ProbeTable::Verdict), QString("skipped"));
    QVERIFY2(probe->caption().contains("Which book?"), qPrintable(probe->caption()));
    w.runCombo()->setCurrentIndex(w.runCombo()->findText("no-finetune"));
    QCOMPARE(probe->rowCount(), 0);  // none stored for it

    // Launching the probe needs its three inputs; they appear when it is ticked.
    w.suiteCheck("ppl")->setChecked(false);
    w.suiteCheck("probe")->setChecked(true);
    QVERIFY(w.probeDocumentEdit()->isVisibleTo(&w));
    QString error;
    QVERIFY(!w.launchEvaluation(&error));
    QVERIFY2(error.contains("document, a question and the expected answer"), qPrintable(error));
    w.probeDocumentEdit()->setText(dir.filePath("missing.txt"));
    w.probeQuestionEdit()->setText("Which book?");
    w.probeAnswerEdit()->setText("Genesis");
    QVERIFY(!w.launchEvaluation(&error));
    QVERIFY2(error.contains("missing.txt") && error.contains("cannot be read"), qPrintable(error));
  }

  void evaluateShowsRopeOverridesAndLaunchesEvaluations() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    {
      auto st = ExperimentStore::open(file.toStdString());
      const auto e = st.find_experiment("demo");
      const auto original = st.find_run(e->id, "no-finetune");
      st.add_eval_result({0, original->id, "perplexity",
                          {{"origin", "pose eval"}, {"rope", {{"override", "dynamic:8"}}}}, perplexity(30.0, 45.0), 0, {}});
    }
    pose::studio::EvaluateWorkspace w;
    w.setStoreFile(file);
    w.setExperiment("demo");
    QCOMPARE(w.perplexityPlot()->runs(), (QStringList{"no-finetune", "no-finetune · dynamic:8", "pose"}));
    QCOMPARE(w.perplexityPlot()->graph("no-finetune · dynamic:8")->data()->at(1)->value, 45.0);
    QCOMPARE(w.perplexityPlot()->graph("no-finetune")->data()->at(1)->value, 90.0);  // the run's own stays
    QCOMPARE(w.perplexityPlot()->graph("no-finetune · dynamic:8")->pen().style(), Qt::DashLine);  // a variant of it
    QCOMPARE(w.perplexityPlot()->graph("no-finetune · dynamic:8")->pen().color(),
             w.perplexityPlot()->graph("no-finetune")->pen().color());

    // A malformed override is refused before anything starts.
    w.ropeEdit()->setText("dynamic");
    QString error;
    QVERIFY(!w.launchEvaluation(&error));
    QVERIFY2(error.contains("factor"), qPrintable(error));
    // A run without an exported model: the worker reports why.
    w.ropeEdit()->setText("dynamic:8");
    QSignalSpy done(w.evalController(), &pose::studio::EvalController::finished);
    QVERIFY2(w.launchEvaluation(&error), qPrintable(error));
    QVERIFY(w.evalController()->waitForFinished(60000));
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).toBool(), false);
    QVERIFY2(done.at(0).at(1).toString().contains("no exported model"), qPrintable(done.at(0).at(1).toString()));
  }

  // RULER, as the runner stores a run's final evaluation: the results
  // (eval::to_json(RulerResult)) and the average per length as eval/ruler@L.
  // The heatmap's kind RULER shows one task's lengths x depths or every task
  // with the average; the score plot draws the run's average with its
  // effective length and the threshold.
  void evaluateShowsRuler() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    addRuler(file);
    pose::studio::EvaluateWorkspace w;
    w.setStoreFile(file);
    w.setExperiment("demo");
    QCOMPARE(w.runCombo()->currentText(), QString("pose"));

    // The kind RULER, with its task combo: the average, then every task.
    auto* tasks = w.rulerTaskCombo();
    QVERIFY(!tasks->isVisibleTo(&w));
    const int ruler = w.kindCombo()->findData("ruler");
    QVERIFY(ruler >= 0);
    QCOMPARE(w.kindCombo()->itemText(ruler), QString("RULER"));
    w.kindCombo()->setCurrentIndex(ruler);
    QVERIFY(tasks->isVisibleTo(&w));
    QCOMPARE(tasks->count(), 1 + static_cast<int>(pose::eval::ruler_tasks().size()));
    QCOMPARE(tasks->itemText(0), QString("average over tasks"));
    const int single = tasks->findData("niah_single_1");
    QVERIFY(single > 0);
    QCOMPARE(tasks->itemData(single, Qt::ToolTipRole).toString(),
             QString::fromStdString(pose::eval::ruler_task("niah_single_1").description));
    QVERIFY(tasks->findData("vt") > 0 && tasks->findData("cwe") > 0);
    QCOMPARE(w.stepCombo()->itemText(0), QString("final (step 2)"));

    // Average over tasks: the average on top, then the tasks; lengths in columns.
    auto* heat = w.heatmap();
    QCOMPARE(heat->lengths(), (QVector<int64_t>{256, 2048}));
    QCOMPARE(heat->rowLabels(), (QStringList{"average", "niah_single_1", "vt"}));
    QCOMPARE(heat->rowAxisLabel(), QString("task"));
    QCOMPARE(heat->cellAt(0, 0)->accuracy(), 0.875);
    QCOMPARE(heat->cellAt(1, 0)->accuracy(), 0.3125);
    QCOMPARE(heat->cellAt(1, 1)->accuracy(), 0.375);  // niah_single_1 at 2048: 3 of 8
    QCOMPARE(heat->cellAt(1, 2)->accuracy(), 0.25);   // vt at 2048
    QCOMPARE(heat->cellText(1, 0), QString("0.31"));

    // One task with depths: its cells alone, depths in rows.
    tasks->setCurrentIndex(single);
    QVERIFY2(heat->title().contains("niah_single_1"), qPrintable(heat->title()));
    QCOMPARE(heat->depths(), (QVector<double>{0.0, 1.0}));
    QCOMPARE(heat->rowLabels(), (QStringList{"0%", "100%"}));
    QCOMPARE(heat->rowAxisLabel(), QString("needle depth"));
    QCOMPARE(heat->cellAt(0, 0)->accuracy(), 1.0);
    QCOMPARE(heat->cellAt(0, 1)->accuracy(), 0.75);
    QCOMPARE(heat->cellAt(1, 1)->accuracy(), 0.25);
    QCOMPARE(heat->cellAt(1, 1)->trials, int64_t(4));
    QCOMPARE(heat->cellAt(0, 0)->promptTokens, int64_t(246));
    QVERIFY(heat->toolTipAt(0, 0).contains("7321"));
    // A task without depth: one row, "all".
    tasks->setCurrentIndex(tasks->findData("vt"));
    QCOMPARE(heat->rowLabels(), (QStringList{"all"}));
    QCOMPARE(heat->cellAt(1, 0)->trials, int64_t(8));
    QCOMPARE(heat->cellAt(1, 0)->accuracy(), 0.25);
    // A task the run was not evaluated on: nothing drawn, and the title says so.
    tasks->setCurrentIndex(tasks->findData("cwe"));
    QVERIFY(heat->lengths().isEmpty());
    QVERIFY2(heat->title().contains("not evaluated"), qPrintable(heat->title()));
    // Another run without RULER results: an empty heatmap.
    w.runCombo()->setCurrentIndex(w.runCombo()->findText("no-finetune"));
    QVERIFY(heat->lengths().isEmpty());
    QVERIFY(w.stepCombo()->count() == 0);

    // The score plot: the run's average per length, its effective length, RULER's threshold
    // (the original model has no RULER score of its own here).
    auto* plot = w.scorePlot();
    QVERIFY(w.plotTabs()->indexOf(plot) >= 0);
    QCOMPARE(plot->runs(), (QStringList{"pose"}));
    QCPGraph* g = plot->graph("pose");
    QVERIFY(g);
    QCOMPARE(g->data()->size(), 2);
    QCOMPARE(g->data()->at(0)->key, 256.0);
    QCOMPARE(g->data()->at(0)->value, 0.875);
    QCOMPARE(g->data()->at(1)->value, 0.3125);
    QCOMPARE(plot->legendText("pose"), QString("pose · eff. 256"));
    QCOMPARE(plot->threshold(), 0.856);
    QCOMPARE(plot->thresholdText(), QString("threshold 0.86 (RULER)"));
    QCOMPARE(plot->markerPositions(), (QVector<double>{256, 2048}));

    // Launching: the registry's suites, RULER among them with its description; its tasks are
    // checked before anything starts.
    QCheckBox* box = w.suiteCheck("ruler");
    QVERIFY(box);
    QCOMPARE(box->objectName(), QString("suite_ruler"));
    QCOMPARE(box->text(), QString("RULER"));
    QVERIFY(!box->toolTip().isEmpty());
    QCOMPARE(w.suiteCheck("ppl")->text(), QString("perplexity"));
    QVERIFY(!w.rulerTasksEdit()->isVisibleTo(&w));
    box->setChecked(true);
    QVERIFY(w.rulerTasksEdit()->isVisibleTo(&w));
    w.rulerTasksEdit()->setText("niah_single_1,niah_singel_2");
    QString error;
    QVERIFY(!w.launchEvaluation(&error));
    QVERIFY2(error.contains("unknown RULER task") && error.contains("niah_singel_2"), qPrintable(error));
  }

  // Writes evaluate-ruler-average.png and evaluate-ruler-task.png (the main
  // window at 1024 x 700 on the Evaluate workspace, RULER tab and heatmap) and
  // the whole workspace (*-workspace.png) into POSE_SCREENSHOT_DIR when it is set; POSE_SCREENSHOT_STORE and
  // POSE_SCREENSHOT_EXPERIMENT show another store than this test's.
  void evaluateRulerScreenshot() {
    const QString out = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (out.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshots");
    QTemporaryDir dir;
    pose::studio::MainWindow w;
    QVERIFY(openForScreenshot(w, dir, addRuler));
    auto* e = w.evaluateWorkspace();
    showWorkspaceOf(w, e);
    e->plotTabs()->setCurrentWidget(e->scorePlot());
    e->kindCombo()->setCurrentIndex(e->kindCombo()->findData("ruler"));
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(out + "/evaluate-ruler-average.png"));
    e->rulerTaskCombo()->setCurrentIndex(e->rulerTaskCombo()->findData("niah_single_1"));
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(out + "/evaluate-ruler-task.png"));
    QVERIFY(e->grab().save(out + "/evaluate-ruler-task-workspace.png"));  // the whole workspace, scrolled or not
    e->rulerTaskCombo()->setCurrentIndex(0);
    QCoreApplication::processEvents();
    QVERIFY(e->grab().save(out + "/evaluate-ruler-average-workspace.png"));
  }

  // At 1024 x 700 with the experiment dock at its default width, no
  // workspace scrolls sideways: toolbars wrap, fields and plots shrink.
  void noWorkspaceScrollsSidewaysAt1024() {
    QTemporaryDir dir;
    pose::studio::MainWindow w;
    QVERIFY(w.openExperiment(POSE_DEFAULT_EXPERIMENT));
    QVERIFY(openForScreenshot(w, dir, addRuler));
    QString scrolling;
    for (int i = 0; i < w.workspaces()->count(); ++i) {
      w.workspaces()->setCurrentIndex(i);
      QTest::qWait(100);  // the deferred layout passes and the plots' queued replots
      auto* area = qobject_cast<QScrollArea*>(w.workspaces()->widget(i));
      QVERIFY(area);
      if (area->horizontalScrollBar()->isVisible() || area->horizontalScrollBar()->maximum() > 0) {
        scrolling += QStringLiteral("\n%1 (%2 px wide, %3 more):%4")
                         .arg(w.workspaces()->tabText(i))
                         .arg(area->viewport()->width())
                         .arg(area->horizontalScrollBar()->maximum())
                         .arg(widestChain(area->widget()));
      }
    }
    if (!scrolling.isEmpty()) qInfo().noquote() << "scrolls sideways:" << scrolling;  // QVERIFY2 cuts long messages
    QVERIFY2(scrolling.isEmpty(), qPrintable(QStringLiteral("scrolls sideways:") + scrolling));
  }

  void evaluateExplainsAnEmptyStore() {
    QTemporaryDir dir;
    pose::studio::EvaluateWorkspace w;
    w.setStoreFile(dir.filePath("none.sqlite"));
    w.setExperiment("demo");
    QVERIFY(w.perplexityPlot()->runs().isEmpty());
    QVERIFY(w.sourceLabel()->text().contains("No results"));
  }

  void compareTabulatesAndOverlaysTheSelection() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    {
      auto st = ExperimentStore::open(file.toStdString());
      const auto e = st.find_experiment("demo");
      const auto pose = st.find_run(e->id, "pose");
      st.append_metrics(pose->id, {{"eval/ppl@256", 2, 33.0, 0}, {"eval/ppl@2048", 2, 36.0, 0},
                                   {"eval/passkey@2048", 2, 0.25, 0}});
      const auto original = st.find_run(e->id, "no-finetune");
      st.append_metrics(original->id, {{"eval/ppl@256", 0, 30.0, 0}, {"eval/ppl@2048", 0, 90.0, 0}});
      // A LoRA run with activation checkpointing, its settings as the runner stores them.
      st.ensure_run(e->id, "pose-lora", "extend",
                    {{"strategy", "pose"}, {"steps", 2}, {"activation_checkpointing", true},
                     {"lora", {{"rank", 16}, {"alpha", 32}, {"targets", {"q_proj", "v_proj"}}, {"train_norms", true}}}});
    }
    pose::studio::CompareWorkspace w;
    w.setStoreFile(file);
    w.setExperiment("demo");
    auto* t = w.table();
    QCOMPARE(t->runsInOrder().size(), 3);  // extension runs only
    // How each run trains, in the report's words; a run that does not train has none.
    QCOMPARE(t->cellText("pose", "training"), QString("full"));
    QCOMPARE(t->cellText("pose-lora", "training"), QString::fromUtf8("LoRA r16 \u03b132 q,v + norms, act. ckpt"));
    QCOMPARE(t->cellText("no-finetune", "training"), QString("—"));
    QCOMPARE(t->cellText("pose", "ppl_lt"), QString("36.00"));
    QCOMPARE(t->cellText("no-finetune", "ppl_min"), QString("30.00"));
    QCOMPARE(t->cellText("pose", "pk_lt"), QString("0.25"));
    QCOMPARE(t->cellText("no-finetune", "pk_lt"), QString("—"));
    QCOMPARE(t->cellText("pose", "rope"), QString("yarn"));
    t->sortBy("ppl_lt", Qt::AscendingOrder);
    QCOMPARE(t->runsInOrder(), (QStringList{"pose", "no-finetune", "pose-lora"}));  // missing last
    QCOMPARE(w.perplexityPlot()->runs().size(), 2);  // every run selected at first; pose-lora has no perplexity
    t->selectRuns({"pose"});
    QCOMPARE(w.perplexityPlot()->runs(), (QStringList{"pose"}));
    QCOMPARE(w.curves()->runs(), (QStringList{"pose"}));
  }

  // Ranks: a column only when a run had more than one, its number sorting and
  // the slowest rank's mean tokens/s beside it.
  void compareShowsTheRanksOfDataParallelRuns() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    pose::studio::CompareWorkspace w;
    w.setStoreFile(file);
    w.setExperiment("demo");
    QVERIFY(!w.table()->isColumnVisible("ranks"));  // one process each: nothing to say
    makeDataParallel(file);
    w.refresh();
    QVERIFY(w.table()->isColumnVisible("ranks"));
    QCOMPARE(w.table()->cellText("pose", "ranks"), QString::fromUtf8("2 · slowest 23100"));
    QCOMPARE(w.table()->cellText("pose", "tps"), QString("47405"));
    QCOMPARE(w.table()->cellText("no-finetune", "ranks"), QString("—"));  // it does not train
    auto* combo = w.curves()->findChild<QComboBox*>("seriesCombo");
    QVERIFY(combo->findData(QString::fromLatin1(pose::results::kTrainSlowestRankTokensPerS)) >= 0);
  }

  void mainWindowBrowsesTheStoreAndExportsAReport() {
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    pose::studio::MainWindow w;
    QString error;
    QVERIFY(!w.exportReport(dir.filePath("none.html"), &error));  // nothing shown yet: says so
    QVERIFY2(error.contains("no experiment"), qPrintable(error));
    w.setStoreFile(makeStore(dir));
    auto* browser = w.experimentBrowser();
    QVERIFY(browser->itemFor("demo"));
    QVERIFY(browser->itemFor("demo", "pose"));
    browser->setCurrentExperiment("demo");  // picking a stored experiment shows it everywhere
    QCOMPARE(w.evaluateWorkspace()->perplexityPlot()->runs().size(), 2);
    QCOMPARE(w.compareWorkspace()->table()->runsInOrder().size(), 2);
    const QString html = dir.filePath("demo.html");
    QVERIFY2(w.exportReport(html, &error), qPrintable(error));
    QFile f(html);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.contains("<h1>demo</h1>"));
    QVERIFY(text.contains("<svg"));

    // PDF: pages with the figures drawn in (images), replacing an older file whole.
    const QString pdf = dir.filePath("demo.pdf");
    QVERIFY2(w.exportReport(pdf, &error), qPrintable(error));
    QFile p(pdf);
    QVERIFY(p.open(QIODevice::ReadOnly));
    const QByteArray bytes = p.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    QVERIFY2(bytes.count("/Subtype /Image") >= 4, qPrintable(QString::number(bytes.count("/Subtype /Image"))));
    QVERIFY(bytes.count("/Type /Page\n") + bytes.count("/Type /Page ") + bytes.count("/Type /Page/") >= 2 ||
            bytes.count("/Type /Page") >= 3);  // the page tree plus at least two pages
    QVERIFY(!QFileInfo::exists(pdf + ".part"));

    // Markdown with PNG figures beside it.
    const QString md = dir.filePath("demo.md");
    QVERIFY2(w.exportReport(md, &error), qPrintable(error));
    QFile m(md);
    QVERIFY(m.open(QIODevice::ReadOnly));
    const QByteArray markdown = m.readAll();
    QVERIFY(markdown.contains("](demo-figures/perplexity-vs-length.png)"));
    const QImage figure(dir.filePath("demo-figures/perplexity-vs-length.png"));
    QVERIFY(!figure.isNull());
    QVERIFY(figure.width() >= 1000);  // drawn at twice the SVG's size
  }

  void trainShowsOneGroupOfRunsFromTheStore() {
    QTemporaryDir dir;
    pose::studio::RunController controller;
    pose::studio::TrainWorkspace w(&controller);
    w.setStoreFile(makeStore(dir));
    w.setExperiment("/nonexistent.json", "demo", {"data", "base", "no-finetune", "pose"});
    QCOMPARE(w.curves()->runs(), (QStringList{"pose"}));  // extension runs with a loss curve
    QCOMPARE(w.curves()->rawGraph("pose")->data()->size(), 2);
    w.setRunFilter(pose::studio::TrainWorkspace::RunFilter::Base);
    QCOMPARE(w.curves()->runs(), (QStringList{"base"}));
    QCOMPARE(w.curves()->rawGraph("base")->data()->at(2)->value, 3.0);
    w.setRunFilter(pose::studio::TrainWorkspace::RunFilter::All);
    QCOMPARE(w.curves()->runs().size(), 2);

    // Evaluations during training, read back from the store.
    auto* live = w.liveEval();
    QCOMPARE(live->runs(), (QStringList{"no-finetune", "pose"}));
    QCOMPARE(live->focusRun(), QStringLiteral("pose"));
    QCOMPARE(live->lengthGraphs().size(), 2);  // steps 0 and 2
    using StepPlot = pose::widgets::LiveEvalView::StepPlot;
    QCPGraph* lt = live->stepGraph(StepPlot::PerplexityAtLt, "pose");
    QCOMPARE(lt->data()->size(), 2);
    QCOMPARE(lt->data()->at(1)->value, 38.0);
    QCOMPARE(live->stepGraph(StepPlot::PerplexityAtLt, "no-finetune")->pen().style(), Qt::DashLine);  // does not train
    QCOMPARE(live->stepGraph(StepPlot::Passkey, "pose")->data()->at(1)->value, 0.25);
    // The reference line: the original model's perplexity at Lc.
    bool reference = false;
    for (int i = 0; i < live->stepPlot(StepPlot::PerplexityAtLt)->itemCount(); ++i) {
      if (auto* t = qobject_cast<QCPItemText*>(live->stepPlot(StepPlot::PerplexityAtLt)->item(i))) {
        reference = reference || t->text().contains("31.00");
      }
    }
    QVERIFY(reference);

    // A live event adds to what was stored.
    pose::widgets::PeriodicPoint next;
    next.step = 4;
    next.perplexity = {{256, 34.0}, {2048, 36.0}};
    emit controller.periodicEvalArrived("pose", 4, next);
    QCOMPARE(live->stepGraph(StepPlot::PerplexityAtLt, "pose")->data()->size(), 3);
    QString error;
    QVERIFY(!w.start(&error));  // the spec file does not exist: refused with its name
    QVERIFY2(error.contains("nonexistent.json"), qPrintable(error));
    QVERIFY(!controller.isRunning());
  }

  // A data-parallel run: the stored one's ranks and slowest rank's mean
  // tokens/s over the curves; live, the ranks beside the tokens/s, each rank's
  // tokens/s and the slowest over the curves, and its own curve.
  void trainShowsTheRanksOfADataParallelRun() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    pose::studio::RunController controller;
    pose::studio::TrainWorkspace w(&controller);
    w.setStoreFile(file);
    w.setExperiment("/nonexistent.json", "demo", {"data", "base", "no-finetune", "pose"});
    QVERIFY(!w.ranksLabel()->isVisibleTo(&w));  // one process
    makeDataParallel(file);
    w.reloadFromStore();
    QVERIFY(w.ranksLabel()->isVisibleTo(&w));
    QCOMPARE(QTextDocumentFragment::fromHtml(w.ranksLabel()->text()).toPlainText().replace(QChar(0xa0), ' ').remove(QChar(0x2060)),
             QString::fromUtf8("Data parallel, 2 ranks — slowest rank, mean tokens/s: pose 23100"));
    QVERIFY(w.ranksLabel()->text().contains(pose::widgets::run_color(3).darker(115).name()));  // pose's colour
    w.setRunFilter(pose::studio::TrainWorkspace::RunFilter::Base);
    QVERIFY(!w.ranksLabel()->isVisibleTo(&w));  // the base run trained in one process
    w.setRunFilter(pose::studio::TrainWorkspace::RunFilter::Extensions);

    const QString slowest = QString::fromLatin1(pose::results::kTrainSlowestRankTokensPerS);
    w.curves()->setShownSeries(slowest);
    QCOMPARE(w.curves()->rawGraph("pose")->data()->size(), 2);  // read from the store
    pose::studio::StepSample s;
    s.run = "pose";
    s.step = 3;
    s.totalSteps = 4;
    s.loss = 3.3;
    s.tokensPerS = 19914;
    s.worldSize = 2;
    s.rankTokensPerS = {10114, 9800};
    s.slowestRank = 1;
    emit controller.stepsArrived({s});
    const QString status = w.statusLabel()->text();
    QVERIFY2(status.contains(QString::fromUtf8("· 19914 tokens/s on 2 ranks · ETA")), qPrintable(status));
    const auto plain = [&w] {
      return QTextDocumentFragment::fromHtml(w.ranksLabel()->text()).toPlainText().replace(QChar(0xa0), ' ').remove(QChar(0x2060));
    };
    QVERIFY2(plain().startsWith(QString::fromUtf8("pose step 3, tokens/s by rank: 10114 · 9800 (slowest: rank 1)\n"
                                                  "Data parallel, 2 ranks")),
             qPrintable(plain()));
    QCOMPARE(w.curves()->rawGraph("pose")->data()->size(), 3);
    QCOMPARE(w.curves()->rawGraph("pose")->data()->at(2)->value, 9800.0);

    // One process: the tokens/s alone, and no live line.
    s.step = 4;
    s.worldSize = 1;
    s.rankTokensPerS = {19914};
    s.slowestRank = 0;
    emit controller.stepsArrived({s});
    QVERIFY2(w.statusLabel()->text().contains(QString::fromUtf8("· 19914 tokens/s · ETA")), qPrintable(w.statusLabel()->text()));
    QVERIFY2(plain().startsWith("Data parallel"), qPrintable(plain()));
  }

  // Writes train-data-parallel.png (the main window at 1024 x 700 on the Train
  // workspace, the slowest rank's tokens/s shown) and compare-data-parallel.png
  // (Compare, its table scrolled to the ranks), and the workspaces whole
  // (*-workspace.png), into POSE_SCREENSHOT_DIR when it is set;
  // POSE_SCREENSHOT_STORE and POSE_SCREENSHOT_EXPERIMENT show another store.
  void dataParallelScreenshot() {
    const QString out = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (out.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshots");
    QTemporaryDir dir;
    pose::studio::MainWindow w;
    QVERIFY(openForScreenshot(w, dir, makeDataParallel));
    const auto show = [&w](QWidget* workspace) { showWorkspaceOf(w, workspace); };
    auto* train = w.trainWorkspace();
    show(train);
    train->curves()->setShownSeries(QString::fromLatin1(pose::results::kTrainSlowestRankTokensPerS));
    QCoreApplication::processEvents();
    QVERIFY(train->ranksLabel()->isVisible());
    QVERIFY(w.grab().save(out + "/train-data-parallel.png"));
    QVERIFY(train->grab().save(out + "/train-data-parallel-workspace.png"));
    // A live step of a two-rank run: the status line (train-data-parallel-live.png).
    pose::studio::StepSample live;
    live.run = train->curves()->runs().value(0);
    live.step = 4;
    live.totalSteps = 4;
    live.loss = 4.5;
    live.tokensPerS = 19914;
    live.worldSize = 2;
    live.rankTokensPerS = {10114, 9800};
    live.slowestRank = 1;
    emit w.runController()->stepsArrived({live});
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(out + "/train-data-parallel-live.png"));
    auto* compare = w.compareWorkspace();
    show(compare);
    QCoreApplication::processEvents();
    auto* view = compare->table()->view();
    for (int c = 0; c < view->model()->columnCount(); ++c) {
      if (view->model()->headerData(c, Qt::Horizontal).toString() == "Ranks") {
        view->scrollTo(view->model()->index(0, c + 2));
      }
    }
    QCoreApplication::processEvents();
    QVERIFY(w.grab().save(out + "/compare-data-parallel.png"));
    QVERIFY(compare->grab().save(out + "/compare-data-parallel-workspace.png"));
  }

  // Live curves belong to one attempt of a run: a resume takes the curve back
  // to its checkpoint, a run started again shows none of the earlier attempt
  // (here: a cancelled run whose records the runner reset), and a pause says
  // where the run stopped.
  void trainShowsOneAttemptPerRunAndThePause() {
    QTemporaryDir dir;
    const QString file = makeStore(dir);
    pose::studio::RunController controller;
    pose::studio::TrainWorkspace w(&controller);
    w.setStoreFile(file);
    w.setExperiment("/nonexistent.json", "demo", {"data", "base", "no-finetune", "pose"});
    QCOMPARE(w.curves()->rawGraph("pose")->data()->size(), 2);  // steps 1 and 2 stored

    const auto step = [](qint64 n, double loss) {
      pose::studio::StepSample s;
      s.run = "pose";
      s.step = n;
      s.totalSteps = 4;
      s.loss = loss;
      return s;
    };
    // Resumed from a checkpoint at step 1: step 2 comes again, then 3.
    emit controller.runStarted("pose", "extend");
    emit controller.stepsArrived({step(2, 3.0), step(3, 2.9)});
    QCPGraph* g = w.curves()->rawGraph("pose");
    QCOMPARE(g->data()->size(), 3);
    QCOMPARE(g->data()->at(0)->value, 3.5);
    QCOMPARE(g->data()->at(1)->value, 3.0);
    QCOMPARE(g->data()->at(2)->key, 3.0);

    // Started again with other settings: the runner resets the run's records
    // before it says the run started; its old curve must not show.
    {
      auto st = ExperimentStore::open(file.toStdString());
      st.reset_run(st.find_run(st.find_experiment("demo")->id, "pose")->id);
    }
    emit controller.runStarted("pose", "extend");
    QVERIFY(!w.curves()->rawGraph("pose"));
    QVERIFY(w.liveEval()->points("pose").isEmpty());
    emit controller.stepsArrived({step(1, 4.0)});
    QCOMPARE(w.curves()->rawGraph("pose")->data()->size(), 1);

    // Paused: a banner with where it stopped, gone on resume.
    QVERIFY(!w.pausedBanner()->isVisibleTo(&w));
    emit controller.pausedChanged(true);
    QVERIFY(w.pausedBanner()->isVisibleTo(&w));
    QVERIFY2(w.pausedBanner()->text().contains("pose at step 1 of 4"), qPrintable(w.pausedBanner()->text()));
    QVERIFY(w.pausedBanner()->text().contains("does not count as training time"));
    QVERIFY(w.progress()->format().startsWith("paused"));
    emit controller.pausedChanged(false);
    QVERIFY(!w.pausedBanner()->isVisibleTo(&w));
    QVERIFY(!w.progress()->format().startsWith("paused"));
  }
};

QTEST_MAIN(TestWorkspaces)
#include "test_workspaces.moc"
