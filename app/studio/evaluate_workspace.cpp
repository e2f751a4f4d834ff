// LibTorch before Qt: Qt's `slots` macro breaks torch headers (ruler_eval.h
// reaches them through its TokenPredictor).
#include "eval/ruler_eval.h"
#include "results/effective_length.h"

#include "evaluate_workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QFileDialog>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "flow_layout.h"
#include "gui_advice.h"
#include "attention_distance_plot.h"
#include "eval_controller.h"
#include "perplexity_length_plot.h"
#include "probe_table.h"
#include "retrieval_heatmap.h"
#include "score_length_plot.h"
#include "store_reader.h"

namespace pose::studio {

namespace {

// The original model, as the experiment evaluates it: no RoPE scaling, no fine-tuning.
bool is_original(const StoredRun& run) {
  if (run.kind != QLatin1String("extend") || !run.spec.is_object()) return false;
  const auto method = run.spec.value("/rope/method"_json_pointer, std::string());
  return method == "none" && run.spec.value("steps", qint64(0)) == 0;
}

const QString kRuler = QStringLiteral("ruler");

// An evaluation made with another RoPE than the run's own (`pose eval --rope`): its override, else empty.
QString ropeOverride(const StoredEval& e) {
  const std::string rope = e.settings.value("/rope/override"_json_pointer, std::string());
  return rope.empty() || rope == "own" ? QString() : QString::fromStdString(rope);
}

// RULER's average over its tasks at each length the result has one.
QVector<pose::widgets::ScorePoint> rulerAverages(const eval::RulerResult& r) {
  QVector<pose::widgets::ScorePoint> out;
  for (const int64_t length : r.lengths()) {
    if (const auto avg = r.average(length)) out.push_back({static_cast<double>(length), *avg});
  }
  return out;
}

// A RULER cell as the heatmap draws it: a partial score, the first sample's
// expected strings and answer. Tasks without a depth keep kNoDepth (< 0),
// which the heatmap labels "all".
pose::widgets::HeatmapCell heatmapCell(const eval::RulerCell& c) {
  pose::widgets::HeatmapCell h;
  h.length = c.length;
  h.depth = c.depth;
  h.trials = c.trials;
  h.score = c.score_sum;
  h.promptTokens = c.prompt_tokens;
  if (!c.samples.empty()) {
    h.expected = QString::fromStdString(c.samples.front().expected_joined);
    h.predicted = QString::fromStdString(c.samples.front().generated);
  }
  h.skipped = QString::fromStdString(c.skipped);
  return h;
}

}  // namespace

EvaluateWorkspace::EvaluateWorkspace(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  source_ = new QLabel(this);
  source_->setObjectName(QStringLiteral("evaluateSource"));
  source_->setWordWrap(true);
  bar->addWidget(source_, 1);
  auto* refreshButton = new QPushButton(tr("Refresh"), this);
  refreshButton->setShortcut(QKeySequence::Refresh);
  bar->addWidget(refreshButton);
  layout->addLayout(bar);

  // Launch bar: evaluate the run chosen below with other lengths or RoPE
  // scalings. It wraps on a narrow window instead of widening the workspace.
  auto* launchBar = new pose::widgets::FlowLayout;
  launchBar->addWidget(new QLabel(tr("Evaluate the chosen run:"), this));
  // One box per registered suite (experiment/eval_suite.h), so a new suite
  // appears here without an edit; known names get a translated word.
  const std::map<QString, QString> suiteWords = {
      {QStringLiteral("ppl"), tr("perplexity")}, {QStringLiteral("passkey"), tr("passkey")},
      {QStringLiteral("kv"), tr("key-value")},   {QStringLiteral("probe"), tr("probe")},
      {QStringLiteral("attention"), tr("attention")}, {kRuler, tr("RULER")}};
  for (const SuiteChoice& suite : eval_suite_choices()) {
    const auto word = suiteWords.find(suite.name);
    auto* box = new QCheckBox(word != suiteWords.end() ? word->second : suite.name, this);
    box->setObjectName(QStringLiteral("suite_%1").arg(suite.name));
    box->setProperty("suite", suite.name);
    box->setToolTip(suite.description);
    box->setChecked(suite.name == QLatin1String("ppl"));
    suites_ << box;
    launchBar->addWidget(box);
  }
  lengths_ = new QLineEdit(this);
  lengths_->setPlaceholderText(tr("lengths (default: the run's)"));
  lengths_->setToolTip(tr("Comma-separated context lengths, e.g. 256,1024,4096"));
  // In the wrapping bar a field gets its own width, not the line's rest:
  // wide enough to read its hint.
  const auto fitHint = [](QLineEdit* field) {
    field->setMinimumWidth(field->fontMetrics().horizontalAdvance(field->placeholderText()) + 16);
  };
  fitHint(lengths_);
  launchBar->addWidget(lengths_);
  ropes_ = new QLineEdit(this);
  ropes_->setPlaceholderText(tr("RoPE overrides, e.g. dynamic:8,yarn:8"));
  ropes_->setToolTip(tr("Evaluate with other RoPE scalings than the run was trained with: none, linear:F, ntk:F, "
                        "dynamic:F, yarn:F, yarn-pose:F, llama3:F (factor relative to the original window)"));
  fitHint(ropes_);
  launchBar->addWidget(ropes_);
  launch_ = new QPushButton(tr("Evaluate"), this);
  launch_->setObjectName(QStringLiteral("launchEvaluation"));
  launchBar->addWidget(launch_);
  launchStatus_ = new QLabel(this);
  launchStatus_->setObjectName(QStringLiteral("launchStatus"));
  launchBar->addWidget(launchStatus_);
  layout->addLayout(launchBar);

  // The probe's own inputs, shown while "probe" is ticked: a document, a
  // question asked after it, and the answer a right reply contains.
  probeBar_ = new QWidget(this);
  auto* probeLayout = new QHBoxLayout(probeBar_);
  probeLayout->setContentsMargins(0, 0, 0, 0);
  probeLayout->addWidget(new QLabel(tr("Probe document:"), probeBar_));
  probeDocument_ = new QLineEdit(probeBar_);
  probeDocument_->setObjectName(QStringLiteral("probeDocument"));
  probeDocument_->setPlaceholderText(tr("a UTF-8 text file"));
  probeLayout->addWidget(probeDocument_, 2);
  auto* browse = new QPushButton(tr("Browse…"), probeBar_);
  probeLayout->addWidget(browse);
  probeQuestion_ = new QLineEdit(probeBar_);
  probeQuestion_->setObjectName(QStringLiteral("probeQuestion"));
  probeQuestion_->setPlaceholderText(tr("question, e.g. Question: what is the title of this text? Answer:"));
  probeLayout->addWidget(probeQuestion_, 3);
  probeAnswer_ = new QLineEdit(probeBar_);
  probeAnswer_->setObjectName(QStringLiteral("probeAnswer"));
  probeAnswer_->setPlaceholderText(tr("expected answer"));
  probeLayout->addWidget(probeAnswer_, 1);
  layout->addWidget(probeBar_);
  probeBar_->setVisible(false);
  connect(suiteCheck(QStringLiteral("probe")), &QCheckBox::toggled, probeBar_, &QWidget::setVisible);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Probe document"), probeDocument_->text(),
                                                      tr("Text (*.txt *.md);;All files (*)"));
    if (!file.isEmpty()) probeDocument_->setText(file);
  });

  // RULER's tasks, shown while "ruler" is ticked: typed as `pose eval --tasks`
  // takes them, or picked from the menu beside the field.
  rulerBar_ = new QWidget(this);
  auto* rulerLayout = new QHBoxLayout(rulerBar_);
  rulerLayout->setContentsMargins(0, 0, 0, 0);
  rulerLayout->addWidget(new QLabel(tr("RULER tasks:"), rulerBar_));
  rulerTasks_ = new QLineEdit(rulerBar_);
  rulerTasks_->setObjectName(QStringLiteral("rulerTasks"));
  rulerTasks_->setPlaceholderText(tr("all tasks, or e.g. niah_single_1,vt,cwe"));
  QString taskHelp = tr("RULER's tasks to run, comma-separated; empty runs every task:");
  for (const RulerTaskChoice& task : ruler_task_choices()) {
    taskHelp += QStringLiteral("<br><b>%1</b>: %2").arg(task.name, task.description.toHtmlEscaped());
  }
  rulerTasks_->setToolTip(taskHelp);
  rulerLayout->addWidget(rulerTasks_, 1);
  rulerTaskMenu_ = new QToolButton(rulerBar_);
  rulerTaskMenu_->setObjectName(QStringLiteral("rulerTaskMenu"));
  rulerTaskMenu_->setText(tr("Choose…"));
  rulerTaskMenu_->setPopupMode(QToolButton::InstantPopup);
  auto* taskMenu = new QMenu(rulerTaskMenu_);
  for (const RulerTaskChoice& task : ruler_task_choices()) {
    QAction* a = taskMenu->addAction(task.name);
    a->setCheckable(true);
    a->setToolTip(task.description);
    a->setData(task.name);
  }
  taskMenu->setToolTipsVisible(true);
  // The menu shows what the field says; ticking a task rewrites the field.
  connect(taskMenu, &QMenu::aboutToShow, this, [this, taskMenu] {
    const QStringList chosen = rulerTasks_->text().split(QLatin1Char(','), Qt::SkipEmptyParts);
    QStringList names;
    for (const QString& c : chosen) names << c.trimmed();
    for (QAction* a : taskMenu->actions()) a->setChecked(names.contains(a->data().toString()));
  });
  connect(taskMenu, &QMenu::triggered, this, [this, taskMenu] {
    QStringList names;
    for (QAction* a : taskMenu->actions()) {
      if (a->isChecked()) names << a->data().toString();
    }
    rulerTasks_->setText(names.join(QLatin1Char(',')));
  });
  rulerTaskMenu_->setMenu(taskMenu);
  rulerLayout->addWidget(rulerTaskMenu_);
  rulerLayout->addStretch(1);
  layout->addWidget(rulerBar_);
  rulerBar_->setVisible(false);
  if (QCheckBox* ruler = suiteCheck(kRuler)) connect(ruler, &QCheckBox::toggled, rulerBar_, &QWidget::setVisible);

  evals_ = new EvalController(this);
  connect(launch_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!launchEvaluation(&error)) launchStatus_->setText(tr("Cannot evaluate: %1").arg(with_gui_advice(error)));
  });
  connect(evals_, &EvalController::progress, launchStatus_, &QLabel::setText);
  connect(evals_, &EvalController::finished, this, [this](bool ok, const QString& message) {
    launch_->setEnabled(true);
    launchStatus_->setText(ok ? tr("Done: %1").arg(message) : tr("Failed: %1").arg(message));
    refresh();
  });

  auto* vertical = new QSplitter(Qt::Vertical, this);
  auto* top = new QSplitter(Qt::Horizontal, vertical);
  // Perplexity and RULER's score against length share a place: both are read
  // against the same length axis, beside attention by distance.
  plotTabs_ = new QTabWidget(top);
  plotTabs_->setObjectName(QStringLiteral("evaluatePlotTabs"));
  plotTabs_->setDocumentMode(true);
  perplexity_ = new pose::widgets::PerplexityLengthPlot(plotTabs_);
  score_ = new pose::widgets::ScoreLengthPlot(plotTabs_);
  score_->setObjectName(QStringLiteral("rulerScorePlot"));
  score_->setTitle(tr("RULER average against context length"));
  score_->setScoreLabel(tr("average score"));
  score_->setEmptyText(tr("No RULER evaluation stored: tick RULER above and press Evaluate"));
  plotTabs_->addTab(perplexity_, tr("Perplexity"));
  plotTabs_->addTab(score_, tr("RULER"));
  auto* attentionBox = new QWidget(top);
  auto* attentionLayout = new QVBoxLayout(attentionBox);
  attentionLayout->setContentsMargins(0, 0, 0, 0);
  auto* attentionBar = new QHBoxLayout;
  attentionBar->addWidget(new QLabel(tr("Attention by distance:"), attentionBox));
  layer_ = new QComboBox(attentionBox);
  layer_->setObjectName(QStringLiteral("layerCombo"));
  attentionBar->addWidget(layer_, 1);
  attentionLayout->addLayout(attentionBar);
  attention_ = new pose::widgets::AttentionDistancePlot(attentionBox);
  attentionLayout->addWidget(attention_, 1);

  auto* bottom = new QWidget(vertical);
  auto* bottomLayout = new QVBoxLayout(bottom);
  bottomLayout->setContentsMargins(0, 0, 0, 0);
  auto* heatBar = new QHBoxLayout;
  heatBar->addWidget(new QLabel(tr("Retrieval of run:"), bottom));
  run_ = new QComboBox(bottom);
  run_->setObjectName(QStringLiteral("heatmapRunCombo"));
  heatBar->addWidget(run_, 1);
  kind_ = new QComboBox(bottom);
  kind_->setObjectName(QStringLiteral("heatmapKindCombo"));
  kind_->addItem(tr("Passkey"), QStringLiteral("passkey"));
  kind_->addItem(tr("Key-value"), QStringLiteral("kv"));
  kind_->addItem(tr("Probe"), QStringLiteral("probe"));
  kind_->addItem(tr("RULER"), kRuler);
  heatBar->addWidget(kind_);
  rulerTask_ = new QComboBox(bottom);
  rulerTask_->setObjectName(QStringLiteral("rulerTaskCombo"));
  rulerTask_->addItem(tr("average over tasks"), QString());
  rulerTask_->setItemData(0, tr("Every task's score per length, and their average, from which the effective length is read"),
                          Qt::ToolTipRole);
  for (const RulerTaskChoice& task : ruler_task_choices()) {
    rulerTask_->addItem(task.name, task.name);
    rulerTask_->setItemData(rulerTask_->count() - 1, task.description, Qt::ToolTipRole);
  }
  rulerTask_->setVisible(false);
  heatBar->addWidget(rulerTask_);
  heatBar->addWidget(new QLabel(tr("at"), bottom));
  step_ = new QComboBox(bottom);
  step_->setObjectName(QStringLiteral("heatmapStepCombo"));
  step_->setToolTip(tr("The run's final evaluation, or one made during training at a checkpoint's step"));
  heatBar->addWidget(step_);
  bottomLayout->addLayout(heatBar);
  results_ = new QStackedWidget(bottom);
  heatmap_ = new pose::widgets::RetrievalHeatmap(results_);
  probe_ = new pose::widgets::ProbeTable(results_);
  results_->addWidget(heatmap_);
  results_->addWidget(probe_);
  bottomLayout->addWidget(results_, 1);
  vertical->setStretchFactor(0, 1);
  vertical->setStretchFactor(1, 1);
  layout->addWidget(vertical, 1);

  connect(refreshButton, &QPushButton::clicked, this, &EvaluateWorkspace::refresh);
  connect(run_, &QComboBox::currentIndexChanged, this, [this] {
    fillSteps();
    showHeatmap();
  });
  connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
    rulerTask_->setVisible(kind_->currentData().toString() == kRuler);
    fillSteps();
    showHeatmap();
  });
  connect(rulerTask_, &QComboBox::currentIndexChanged, this, [this] { showHeatmap(); });
  connect(step_, &QComboBox::currentIndexChanged, this, [this] { showHeatmap(); });
  connect(layer_, &QComboBox::currentIndexChanged, this, [this] { showAttention(); });
  refresh();
}

void EvaluateWorkspace::setStoreFile(const QString& file) {
  storeFile_ = file;
  refresh();
}

void EvaluateWorkspace::setExperiment(const QString& name) {
  experiment_ = name;
  refresh();
}

void EvaluateWorkspace::refresh() {
  perplexity_->clear();
  score_->clear();
  perplexity_->setReference(QString(), std::numeric_limits<double>::quiet_NaN());
  std::optional<StoredExperiment> e;
  try {
    if (!experiment_.isEmpty()) e = StoreReader(storeFile_).experiment(experiment_);
  } catch (const std::exception& ex) {
    source_->setText(tr("Cannot read the store: %1").arg(QString::fromStdString(ex.what())));
    return;
  }
  if (!e) {
    source_->setText(experiment_.isEmpty()
                         ? tr("Open an experiment to see its evaluations.")
                         : tr("No results of %1 in %2 yet: start it in the Train workspace, or run "
                              "<tt>pose run</tt>.")
                               .arg(experiment_.toHtmlEscaped(), storeFile_.toHtmlEscaped()));
    heatmap_->clear();
    probe_->clear();
    step_->clear();
    attention_->clear();
    score_->setThreshold(std::numeric_limits<double>::quiet_NaN(), QString());
    return;
  }
  const StoreReader reader(storeFile_);
  const double lc = static_cast<double>(e->trainLen());
  const double lt = static_cast<double>(e->targetLen());
  perplexity_->setWindows(lc, lt);
  attention_->setWindow(lc);
  int evaluated = 0;
  const QString previousRun = run_->currentText();
  run_->blockSignals(true);
  run_->clear();
  for (const auto& run : e->runs) {
    // Every run with an evaluation can be browsed below, perplexity or not (RULER alone, say).
    if (reader.evaluations(run.id).isEmpty()) continue;
    ++evaluated;
    run_->addItem(run.name, run.id);
    const auto ppl = reader.evaluation(run.id, QStringLiteral("perplexity"));
    if (!ppl) continue;
    const auto points = pose::widgets::perplexity_points_from_json(ppl->results);
    perplexity_->setRun(run.name, run.colorIndex, points);
    if (is_original(run)) {
      for (const auto& p : points) {
        if (p.length == lc) perplexity_->setReference(tr("original @ Lc"), p.perplexity);
      }
    }
    // Evaluations with another RoPE (`pose eval --rope`) as extra curves.
    for (const auto& other : reader.evaluations(run.id)) {
      if (other.kind != QLatin1String("perplexity")) continue;
      const std::string rope = other.settings.value("/rope/override"_json_pointer, std::string());
      if (rope.empty() || rope == "own") continue;
      perplexity_->setRun(QStringLiteral("%1 · %2").arg(run.name, QString::fromStdString(rope)),
                          run.colorIndex, pose::widgets::perplexity_points_from_json(other.results), true);
    }
  }
  const int keep = run_->findText(previousRun);
  run_->setCurrentIndex(keep >= 0 ? keep : run_->count() - 1);
  run_->blockSignals(false);
  showScores(*e);
  source_->setText(tr("%1: %2 evaluated runs, from %3 (Lc = %4, Lt = %5)")
                       .arg(experiment_.toHtmlEscaped())
                       .arg(evaluated)
                       .arg(storeFile_.toHtmlEscaped())
                       .arg(lc)
                       .arg(lt));
  layer_->blockSignals(true);
  const int previousLayer = layer_->currentIndex();
  layer_->clear();
  layer_->addItem(tr("all runs, mean of layers"), -1);
  int layers = 0;
  for (const auto& run : e->runs) {
    if (const auto a = reader.evaluation(run.id, QStringLiteral("attention"))) {
      layers = std::max(layers, static_cast<int>(a->results.value("layers", nlohmann::json::array()).size()));
    }
  }
  for (int l = 0; l < layers; ++l) layer_->addItem(tr("all runs, layer %1").arg(l), l);
  layer_->addItem(tr("selected run, every layer"), -2);
  layer_->setCurrentIndex(previousLayer >= 0 && previousLayer < layer_->count() ? previousLayer : 0);
  layer_->blockSignals(false);
  fillSteps();
  showHeatmap();
  showAttention();
}

void EvaluateWorkspace::fillSteps() {
  const QVariant previous = step_->currentData();
  step_->blockSignals(true);
  step_->clear();
  bool hasFinal = false;
  if (run_->currentIndex() >= 0) {
    const qint64 runId = run_->currentData().toLongLong();
    const QString kind = kind_->currentData().toString();
    const StoreReader reader(storeFile_);
    if (const auto final = reader.evaluation(runId, kind)) {
      step_->addItem(final->step ? tr("final (step %1)").arg(*final->step) : tr("final"), qint64(-1));
      hasFinal = true;
    }
    // Evaluations during training (evaluation.periodic), one per checkpoint step.
    QVector<qint64> steps;
    for (const auto& e : reader.evaluations(runId)) {
      if (e.kind == QStringLiteral("periodic-") + kind && e.step && !steps.contains(*e.step)) steps << *e.step;
    }
    std::sort(steps.begin(), steps.end());
    for (const qint64 s : steps) step_->addItem(tr("step %1 (during training)").arg(s), s);
  }
  const int keep = previous.isValid() ? step_->findData(previous) : -1;
  // Without a final evaluation, the latest one made during training.
  step_->setCurrentIndex(keep >= 0 ? keep : (hasFinal ? 0 : step_->count() - 1));
  step_->setEnabled(step_->count() > 1);
  step_->blockSignals(false);
}

std::optional<StoredEval> EvaluateWorkspace::chosenEvaluation() const {
  if (run_->currentIndex() < 0 || step_->currentIndex() < 0) return std::nullopt;
  const qint64 runId = run_->currentData().toLongLong();
  const QString kind = kind_->currentData().toString();
  const qint64 step = step_->currentData().toLongLong();
  const StoreReader reader(storeFile_);
  if (step < 0) return reader.evaluation(runId, kind);
  std::optional<StoredEval> found;
  for (const auto& e : reader.evaluations(runId)) {
    if (e.kind == QStringLiteral("periodic-") + kind && e.step == step) found = e;  // the latest at that step
  }
  return found;
}

QCheckBox* EvaluateWorkspace::suiteCheck(const QString& suite) const {
  for (auto* box : suites_) {
    if (box->property("suite").toString() == suite) return box;
  }
  return nullptr;
}

bool EvaluateWorkspace::launchEvaluation(QString* error) {
  if (experiment_.isEmpty() || run_->currentIndex() < 0) {
    if (error) *error = tr("no evaluated run is selected");
    return false;
  }
  EvalLaunch launch;
  launch.storeFile = storeFile_;
  launch.run = experiment_ + QLatin1Char('/') + run_->currentText();
  for (auto* box : suites_) {
    if (box->isChecked()) launch.suites << box->property("suite").toString();
  }
  launch.lengths = lengths_->text();
  launch.ropes = ropes_->text();
  if (launch.suites.contains(QStringLiteral("probe"))) {
    launch.probeDocument = probeDocument_->text().trimmed();
    launch.probeQuestion = probeQuestion_->text();
    launch.probeAnswer = probeAnswer_->text();
  }
  if (launch.suites.contains(kRuler)) launch.rulerTasks = rulerTasks_->text().trimmed();
  if (!evals_->start(launch, error)) return false;
  launch_->setEnabled(false);
  launchStatus_->setText(tr("Evaluating %1…").arg(launch.run));
  return true;
}

void EvaluateWorkspace::showHeatmap() {
  heatmap_->clear();
  const bool probe = kind_->currentData().toString() == QLatin1String("probe");
  results_->setCurrentWidget(probe ? static_cast<QWidget*>(probe_) : heatmap_);
  if (probe) probe_->clear();
  if (run_->currentIndex() < 0) return;
  const auto eval = chosenEvaluation();
  QString title = QStringLiteral("%1 · %2").arg(run_->currentText(), kind_->currentText());
  if (step_->currentIndex() >= 0) title += QStringLiteral(" · ") + step_->currentText();
  if (probe) {
    if (!eval) return;
    const auto text = [&](const char* key) {
      return QString::fromStdString(eval->settings.value(key, std::string()));
    };
    try {
      probe_->setProbe(title, text("question"), text("answer"), pose::widgets::probe_rows_from_json(eval->results));
    } catch (const std::exception& e) {
      probe_->clear(tr("The stored probe results cannot be read: %1").arg(QString::fromStdString(e.what())));
    }
    return;
  }
  heatmap_->setRowAxisLabel(QString());
  if (kind_->currentData().toString() == kRuler) {
    title += QStringLiteral(" · ") + rulerTask_->currentText();
    heatmap_->setTitle(title);
    if (eval) showRulerHeatmap(*eval, title);
    return;
  }
  heatmap_->setTitle(title);
  if (!eval) return;
  heatmap_->setCells(pose::widgets::heatmap_cells_from_json(eval->results));
}

// One task: its cells, lengths × depths (one row "all" for a task without
// depth). The average: rows are the tasks, plus RULER's average over them on
// top, each cell the task's trial-weighted score at the length — the numbers
// RulerResult gives, so the top row is the plot's curve.
void EvaluateWorkspace::showRulerHeatmap(const StoredEval& eval, const QString& title) {
  eval::RulerResult result;
  try {
    result = eval::ruler_result_from_json(eval.results);
  } catch (const std::exception& e) {
    heatmap_->setTitle(tr("%1: the stored RULER results cannot be read (%2)").arg(title, QString::fromStdString(e.what())));
    return;
  }
  QVector<pose::widgets::HeatmapCell> cells;
  const QString task = rulerTask_->currentData().toString();
  if (!task.isEmpty()) {
    for (const auto& c : result.cells) {
      if (QString::fromStdString(c.task) == task) cells.push_back(heatmapCell(c));
    }
    if (cells.isEmpty()) heatmap_->setTitle(tr("%1 (not evaluated in this run)").arg(title));
    heatmap_->setCells(cells);
    return;
  }
  // Tasks in the order the result has them (RULER's order when it ran them all).
  std::vector<std::string> tasks;
  for (const auto& c : result.cells) {
    if (std::find(tasks.begin(), tasks.end(), c.task) == tasks.end()) tasks.push_back(c.task);
  }
  for (const int64_t length : result.lengths()) {
    int64_t allTrials = 0;
    for (std::size_t t = 0; t < tasks.size(); ++t) {
      pose::widgets::HeatmapCell h;
      h.length = length;
      h.depth = static_cast<double>(t);
      h.rowLabel = QString::fromStdString(tasks[t]);
      for (const auto& c : result.cells) {
        if (c.task != tasks[t] || c.length != length) continue;
        h.trials += c.trials;
        h.promptTokens = std::max(h.promptTokens, c.prompt_tokens);
        if (h.skipped.isEmpty()) h.skipped = QString::fromStdString(c.skipped);
      }
      if (const auto accuracy = result.accuracy(tasks[t], length)) {
        h.score = *accuracy * static_cast<double>(h.trials);
        h.skipped.clear();
        allTrials += h.trials;
      } else if (h.skipped.isEmpty()) {
        continue;  // the task has no cell at this length
      }
      cells.push_back(h);
    }
    pose::widgets::HeatmapCell average;
    average.length = length;
    average.depth = -1.0;  // above the tasks
    average.rowLabel = tr("average");
    if (const auto avg = result.average(length)) {
      average.trials = allTrials;
      average.score = *avg * static_cast<double>(allTrials);
    } else {
      average.skipped = tr("no task was evaluated at this length");
    }
    cells.push_back(average);
  }
  heatmap_->setRowAxisLabel(tr("task"));
  heatmap_->setCells(cells);
}

// RULER's average against length for every run with a RULER evaluation, its
// effective length and the threshold from the run summaries (the original
// model's average at Lc, else RULER's 85.6%). A run whose summary has no RULER
// numbers (an evaluation by `pose eval`, which stores no metric series) gets
// its effective length from the same definition (results::effective_length)
// against that threshold.
void EvaluateWorkspace::showScores(const StoredExperiment& experiment) {
  score_->clear();
  score_->setWindows(static_cast<double>(experiment.trainLen()), static_cast<double>(experiment.targetLen()));
  double threshold = std::numeric_limits<double>::quiet_NaN();
  QString source;
  for (const auto& run : experiment.runs) {
    if (!run.summary.ruler_threshold) continue;
    threshold = *run.summary.ruler_threshold;
    source = run.summary.ruler_threshold_source == "original model at Lc" ? tr("original model at Lc") : tr("RULER");
    break;
  }
  const StoreReader reader(storeFile_);
  bool any = false;
  const auto averages = [](const StoredEval& e) -> std::optional<QVector<pose::widgets::ScorePoint>> {
    try {
      return rulerAverages(eval::ruler_result_from_json(e.results));
    } catch (const std::exception&) {
      return std::nullopt;  // the heatmap says why when the run is chosen
    }
  };
  for (const auto& run : experiment.runs) {
    // The run's own evaluation (the runner's preferred), then those with other RoPE scalings, dashed.
    const auto own = reader.evaluation(run.id, kRuler);
    if (own && ropeOverride(*own).isEmpty()) {
      if (const auto points = averages(*own)) {
        any = true;
        pose::widgets::ScoreRun s;
        s.name = run.name;
        s.colorIndex = run.colorIndex;
        s.points = *points;
        if (run.summary.ruler_threshold) {
          s.effectiveLength = run.summary.ruler_effective_length.value_or(0);
        } else {
          std::map<int64_t, double> byLength;
          for (const auto& p : s.points) byLength[static_cast<int64_t>(p.length)] = p.score;
          s.effectiveLength =
              results::effective_length(byLength, std::isnan(threshold) ? results::kRulerThreshold : threshold).value_or(0);
        }
        score_->setRun(s);
      }
    }
    for (const auto& e : reader.evaluations(run.id)) {
      const QString rope = ropeOverride(e);
      if (e.kind != kRuler || rope.isEmpty()) continue;
      if (const auto points = averages(e)) {
        any = true;
        pose::widgets::ScoreRun s;
        s.name = QStringLiteral("%1 · %2").arg(run.name, rope);
        s.colorIndex = run.colorIndex;
        s.points = *points;
        s.dashed = true;
        score_->setRun(s);  // the latest of an override replaces an earlier one
      }
    }
  }
  if (any && std::isnan(threshold)) {
    threshold = results::kRulerThreshold;
    source = tr("RULER");
  }
  score_->setThreshold(threshold, source);
}

void EvaluateWorkspace::showAttention() {
  attention_->clear();
  const auto e = experiment_.isEmpty() ? std::nullopt : StoreReader(storeFile_).experiment(experiment_);
  if (!e) return;
  const StoreReader reader(storeFile_);
  const int mode = layer_->currentData().toInt();
  if (mode == -2) {
    if (run_->currentIndex() < 0) return;
    const auto a = reader.evaluation(run_->currentData().toLongLong(), QStringLiteral("attention"));
    if (a) attention_->showLayers(run_->currentText(), pose::widgets::attention_profile_from_json(a->results));
    return;
  }
  QVector<std::tuple<QString, int, pose::widgets::AttentionProfile>> runs;
  for (const auto& run : e->runs) {
    const auto a = reader.evaluation(run.id, QStringLiteral("attention"));
    if (a) runs.push_back({run.name, run.colorIndex, pose::widgets::attention_profile_from_json(a->results)});
  }
  if (!runs.isEmpty()) attention_->showRuns(mode, runs);
}

}  // namespace pose::studio
