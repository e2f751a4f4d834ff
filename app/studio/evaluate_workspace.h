// The Evaluate workspace: an experiment's stored evaluations side by side —
// perplexity against context length with every run overlaid (Lc and Lt
// marked, the original model's perplexity at Lc as a reference line), beside
// it on a tab RULER's average against length with the threshold of its
// effective length, attention mass by distance (runs overlaid at one layer or
// the mean, or one run's layers), and the passkey / key-value / RULER heatmap
// or the probe table of the chosen run, final or at any step it was evaluated
// during training (RULER: one task's lengths × depths, or every task's score
// per length with their average). All
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
class QTabWidget;
class QToolButton;

namespace pose::widgets {
class AttentionDistancePlot;
class PerplexityLengthPlot;
class ProbeTable;
class RetrievalHeatmap;
class ScoreLengthPlot;
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
  // RULER's average against length, every run with a RULER evaluation.
  pose::widgets::ScoreLengthPlot* scorePlot() const { return score_; }
  QTabWidget* plotTabs() const { return plotTabs_; }  // Perplexity | RULER
  pose::widgets::RetrievalHeatmap* heatmap() const { return heatmap_; }
  QComboBox* runCombo() const { return run_; }
  QComboBox* kindCombo() const { return kind_; }
  // RULER's heatmap: "average over tasks" (data "") or one task (its name); shown while the kind is RULER.
  QComboBox* rulerTaskCombo() const { return rulerTask_; }
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
  // RULER's tasks to run, as `pose eval --tasks` takes them (empty: all); shown while "ruler" is ticked.
  QLineEdit* rulerTasksEdit() const { return rulerTasks_; }

 private:
  void fillSteps();
  std::optional<StoredEval> chosenEvaluation() const;
  void showHeatmap();
  void showAttention();
  void showScores(const StoredExperiment& experiment);
  void showRulerHeatmap(const StoredEval& eval, const QString& title);

  QString storeFile_, experiment_;
  pose::widgets::PerplexityLengthPlot* perplexity_;
  pose::widgets::AttentionDistancePlot* attention_;
  pose::widgets::ScoreLengthPlot* score_;
  QTabWidget* plotTabs_;
  pose::widgets::RetrievalHeatmap* heatmap_;
  pose::widgets::ProbeTable* probe_;
  QStackedWidget* results_;
  QComboBox* run_;
  QComboBox* kind_;
  QComboBox* rulerTask_;
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
  QWidget* rulerBar_;
  QLineEdit* rulerTasks_;
  QToolButton* rulerTaskMenu_;
  QPushButton* launch_;
  QLabel* launchStatus_;
};

}  // namespace pose::studio
