#include "evaluate_workspace.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QFileDialog>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>

#include "attention_distance_plot.h"
#include "eval_controller.h"
#include "perplexity_length_plot.h"
#include "probe_table.h"
#include "retrieval_heatmap.h"
#include "store_reader.h"

namespace pose::studio {

namespace {

// The original model, as the experiment evaluates it: no RoPE scaling, no fine-tuning.
bool is_original(const StoredRun& run) {
  if (run.kind != QLatin1String("extend") || !run.spec.is_object()) return false;
  const auto method = run.spec.value("/rope/method"_json_pointer, std::string());
  return method == "none" && run.spec.value("steps", qint64(0)) == 0;
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

  // Launch bar: evaluate the run chosen below with other lengths or RoPE scalings.
  auto* launchBar = new QHBoxLayout;
  launchBar->addWidget(new QLabel(tr("Evaluate the chosen run:"), this));
  for (const auto& [suite, label] : {std::pair{"ppl", tr("perplexity")}, std::pair{"passkey", tr("passkey")},
                                     std::pair{"kv", tr("key-value")}, std::pair{"probe", tr("probe")},
                                     std::pair{"attention", tr("attention")}}) {
    auto* box = new QCheckBox(label, this);
    box->setObjectName(QStringLiteral("suite_%1").arg(QLatin1String(suite)));
    box->setProperty("suite", QString::fromLatin1(suite));
    box->setChecked(QLatin1String(suite) == QLatin1String("ppl"));
    suites_ << box;
    launchBar->addWidget(box);
  }
  lengths_ = new QLineEdit(this);
  lengths_->setPlaceholderText(tr("lengths (default: the run's)"));
  lengths_->setToolTip(tr("Comma-separated context lengths, e.g. 256,1024,4096"));
  launchBar->addWidget(lengths_, 1);
  ropes_ = new QLineEdit(this);
  ropes_->setPlaceholderText(tr("RoPE overrides, e.g. dynamic:8,yarn:8"));
  ropes_->setToolTip(tr("Evaluate with other RoPE scalings than the run was trained with: none, linear:F, ntk:F, "
                        "dynamic:F, yarn:F, yarn-pose:F, llama3:F (factor relative to the original window)"));
  launchBar->addWidget(ropes_, 1);
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

  evals_ = new EvalController(this);
  connect(launch_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!launchEvaluation(&error)) launchStatus_->setText(tr("Cannot evaluate: %1").arg(error));
  });
  connect(evals_, &EvalController::progress, launchStatus_, &QLabel::setText);
  connect(evals_, &EvalController::finished, this, [this](bool ok, const QString& message) {
    launch_->setEnabled(true);
    launchStatus_->setText(ok ? tr("Done: %1").arg(message) : tr("Failed: %1").arg(message));
    refresh();
  });

  auto* vertical = new QSplitter(Qt::Vertical, this);
  auto* top = new QSplitter(Qt::Horizontal, vertical);
  perplexity_ = new pose::widgets::PerplexityLengthPlot(top);
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
  heatBar->addWidget(kind_);
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
    fillSteps();
    showHeatmap();
  });
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
    const auto ppl = reader.evaluation(run.id, QStringLiteral("perplexity"));
    if (!ppl) continue;
    ++evaluated;
    const auto points = pose::widgets::perplexity_points_from_json(ppl->results);
    perplexity_->setRun(run.name, run.colorIndex, points);
    if (is_original(run)) {
      for (const auto& p : points) {
        if (p.length == lc) perplexity_->setReference(tr("original @ Lc"), p.perplexity);
      }
    }
    run_->addItem(run.name, run.id);
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
  heatmap_->setTitle(title);
  if (!eval) return;
  heatmap_->setCells(pose::widgets::heatmap_cells_from_json(eval->results));
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
