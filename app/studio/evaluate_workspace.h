// The Evaluate workspace: an experiment's stored evaluations side by side —
// perplexity against context length with every run overlaid (Lc and Lt
// marked, the original model's perplexity at Lc as a reference line),
// attention mass by distance (runs overlaid at one layer or the mean, or one
// run's layers), and the passkey / key-value heatmap or the probe table of the
// chosen run, final or at any step it was evaluated during training. All
// of it is read from the store (StoreReader); refresh() re-reads it, e.g.
// when a live run reports an evaluation.
#pragma once

#include <QString>
#include <QWidget>

#include <optional>

#include "store_reader.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace pose::widgets {
class AttentionDistancePlot;
class PerplexityLengthPlot;
class ProbeTable;
class RetrievalHeatmap;
}  // namespace pose::widgets

namespace pose::studio {

class EvaluateWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit EvaluateWorkspace(QWidget* parent = nullptr);

  void setStoreFile(const QString& file);
  void setExperiment(const QString& name);
  void refresh();

  pose::widgets::PerplexityLengthPlot* perplexityPlot() const { return perplexity_; }
  pose::widgets::AttentionDistancePlot* attentionPlot() const { return attention_; }
  pose::widgets::RetrievalHeatmap* heatmap() const { return heatmap_; }
  QComboBox* runCombo() const { return run_; }
  QComboBox* kindCombo() const { return kind_; }
  QComboBox* layerCombo() const { return layer_; }
  // Which evaluation of the run: final (data -1) or a step during training.
  QComboBox* stepCombo() const { return step_; }
  pose::widgets::ProbeTable* probeTable() const { return probe_; }
  QLabel* sourceLabel() const { return source_; }

  // Evaluating the selected run from here: `pose eval` with the suites,
  // lengths and RoPE overrides of the launch bar, on a worker thread; the
  // results are stored and drawn (overrides as extra perplexity curves).
  bool launchEvaluation(QString* error = nullptr);
  class EvalController* evalController() const { return evals_; }
  QLineEdit* ropeEdit() const { return ropes_; }
  QLineEdit* lengthsEdit() const { return lengths_; }
  QPushButton* evaluateButton() const { return launch_; }
  QCheckBox* suiteCheck(const QString& suite) const;
  QLineEdit* probeDocumentEdit() const { return probeDocument_; }
  QLineEdit* probeQuestionEdit() const { return probeQuestion_; }
  QLineEdit* probeAnswerEdit() const { return probeAnswer_; }

 private:
  void fillSteps();
  std::optional<StoredEval> chosenEvaluation() const;
  void showHeatmap();
  void showAttention();

  QString storeFile_, experiment_;
  pose::widgets::PerplexityLengthPlot* perplexity_;
  pose::widgets::AttentionDistancePlot* attention_;
  pose::widgets::RetrievalHeatmap* heatmap_;
  pose::widgets::ProbeTable* probe_;
  QStackedWidget* results_;
  QComboBox* run_;
  QComboBox* kind_;
  QComboBox* layer_;
  QComboBox* step_;
  QLabel* source_;
  class EvalController* evals_;
  QList<QCheckBox*> suites_;
  QLineEdit* lengths_;
  QLineEdit* ropes_;
  QWidget* probeBar_;
  QLineEdit* probeDocument_;
  QLineEdit* probeQuestion_;
  QLineEdit* probeAnswer_;
  QPushButton* launch_;
  QLabel* launchStatus_;
};

}  // namespace pose::studio
