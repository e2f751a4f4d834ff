// The Compare workspace: every extension run of an experiment in one sortable
// table — design (strategy, RoPE method and factor, chunks, the run's training
// length → Lt, steps,
// how it trains: full fine-tuning or LoRA)
// and key metrics (final loss, wall time, tokens/s — with the ranks and the
// slowest rank's tokens/s of data-parallel runs — perplexity at Lc and Lt
// and its minimum over lengths, passkey and key-value accuracy, attention
// beyond Lc) — the PoSE paper's claim for the design beside what the run
// measured, and the selected runs overlaid: perplexity against length and
// their loss curves. Where the experiment was repeated over seeds
// (replicate_seeds), each number is the mean with its range over the seeds
// (results/seed_spread.h) and the claim is judged on the mean. Everything is
// read from the store.
#pragma once

#include <QMap>
#include <QString>
#include <QWidget>

namespace pose::widgets {
class PerplexityLengthPlot;
class RunsTable;
class TrainingCurvesView;
}  // namespace pose::widgets

namespace pose::studio {

class CompareWorkspace : public QWidget {
  Q_OBJECT
 public:
  explicit CompareWorkspace(QWidget* parent = nullptr);

  void setStoreFile(const QString& file);
  void setExperiment(const QString& name);
  void refresh();

  pose::widgets::RunsTable* table() const { return table_; }
  pose::widgets::PerplexityLengthPlot* perplexityPlot() const { return perplexity_; }
  pose::widgets::TrainingCurvesView* curves() const { return curves_; }

 private:
  void showSelection();

  QString storeFile_, experiment_;
  QMap<QString, int> decimals_;  // by column key, as the table shows them
  pose::widgets::RunsTable* table_;
  pose::widgets::PerplexityLengthPlot* perplexity_;
  pose::widgets::TrainingCurvesView* curves_;
};

}  // namespace pose::studio
