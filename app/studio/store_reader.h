// What the workbench shows, read from the experiment store into plain data for
// the widgets. Every number drawn in the Train and Evaluate workspaces comes
// through here (or from a live RunController event). The store is opened
// read-only for each read: the running experiment writes it at the same time
// (WAL), and a missing store file simply reads as empty.
#pragma once

#include <QString>
#include <QVector>

#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "live_eval_view.h"
#include "results/run_summary.h"
#include "training_curves_view.h"

namespace pose::studio {

struct StoredRun {
  qint64 id = 0;
  QString name, kind, status, message;
  int colorIndex = 0;   // position in its experiment: the run's colour everywhere
  nlohmann::json spec;  // resolved settings (target_len, rope, strategy, ...)
  // Headline numbers from the store (results/run_summary.h), the original
  // model of the experiment as reference.
  pose::results::RunSummary summary;
};

struct StoredExperiment {
  qint64 id = 0;
  QString name;
  nlohmann::json spec;
  QVector<StoredRun> runs;
  qint64 trainLen() const;   // Lc: base_model.train_len, 0 when unknown
  qint64 targetLen() const;  // Lt: the spec's target_len, else the first run's; 0 when unknown
};

struct StoredEval {
  QString kind;
  nlohmann::json settings, results;
  std::optional<qint64> step;
  QString createdAt;
};

class StoreReader {
 public:
  explicit StoreReader(QString storeFile) : file_(std::move(storeFile)) {}
  const QString& file() const { return file_; }

  // Throws std::exception with a message naming the file for a store that
  // exists but cannot be read.
  QVector<StoredExperiment> experiments() const;
  std::optional<StoredExperiment> experiment(const QString& name) const;
  QVector<pose::widgets::CurvePoint> series(qint64 runId, const QString& series) const;
  // The run's own evaluation of a kind (the runner's), else the latest one.
  std::optional<StoredEval> evaluation(qint64 runId, const QString& kind) const;
  QVector<StoredEval> evaluations(qint64 runId) const;
  // The run's periodic evaluations (evaluation.periodic) by step, from the
  // metric series "periodic/ppl@L", "periodic/passkey", "periodic/attention_beyond_lc".
  QVector<pose::widgets::PeriodicPoint> periodicPoints(qint64 runId) const;
  // The original model's perplexity at `length` (from the run that keeps the
  // original RoPE and does not fine-tune: its periodic value at step 0, else its
  // final evaluation); nullopt when the experiment has no such run or value.
  std::optional<double> originalPerplexity(const StoredExperiment& experiment, qint64 length) const;
  // The training throughput (FLOP/s) the experiment's last finished fine-tuning
  // run achieved on the CPU, and a description of where it comes from.
  std::optional<std::pair<double, QString>> trainingThroughput(const StoredExperiment& experiment) const;

 private:
  QString file_;
};

}  // namespace pose::studio
