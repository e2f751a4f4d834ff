#include "compare_workspace.h"

#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "experiment/lora_json.h"
#include "perplexity_length_plot.h"
#include "report/paper_claims.h"
#include "results/headline.h"
#include "results/metric_names.h"
#include "results/replicate_record.h"
#include "results/seed_spread.h"
#include "results/stored_summaries.h"
#include "runs_table.h"
#include "store_reader.h"
#include "training_curves_view.h"

namespace pose::studio {

namespace {

template <typename T>
QVariant optional_value(const std::optional<T>& v) {
  if (!v) return {};
  if constexpr (std::is_integral_v<T>) return QVariant(static_cast<qlonglong>(*v));
  return QVariant(static_cast<double>(*v));
}

QVariant spec_value(const nlohmann::json& spec, const char* pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!spec.is_object() || !spec.contains(p)) return {};
  const auto& v = spec.at(p);
  if (v.is_number_integer()) return QVariant(static_cast<qlonglong>(v.get<int64_t>()));
  if (v.is_number()) return QVariant(v.get<double>());
  if (v.is_string()) return QVariant(QString::fromStdString(v.get<std::string>()));
  return {};
}

// The columns that show a headline number of the run's summary (results/headline.h).
struct HeadlineColumn {
  const char* key;
  pose::results::Headline headline;
};
const HeadlineColumn kHeadlineColumns[] = {
    {"loss", pose::results::Headline::FinalLoss},
    {"wall", pose::results::Headline::WallS},
    {"tps", pose::results::Headline::TokensPerS},
    {"ppl_lc", pose::results::Headline::PplAtLc},
    {"ppl_lt", pose::results::Headline::PplAtLt},
    {"ppl_min", pose::results::Headline::MinPpl},
    {"pk_lc", pose::results::Headline::PasskeyAtLc},
    {"pk_lt", pose::results::Headline::PasskeyAtLt},
    {"kv_lt", pose::results::Headline::KvAtLt},
    {"beyond", pose::results::Headline::AttentionBeyondLc},
    {"ruler_leff", pose::results::Headline::RulerEffectiveLength},
};

// The spread over the seeds of an experiment and its replicates
// (results/seed_spread.h), when it has replicates in the store; a replicate
// itself shows its own seed.
std::optional<pose::results::SeedSpread> seed_spread_of(const QString& storeFile, const QString& experiment) {
  try {
    const auto st = pose::store::ExperimentStore::open(storeFile.toStdString(), pose::store::ExperimentStore::Mode::ReadOnly);
    const auto e = st.find_experiment(experiment.toStdString());
    if (!e || pose::results::replicate_of(e->spec)) return std::nullopt;
    const auto group = pose::results::summarize_replicates(st, e->name);
    if (group.size() < 2) return std::nullopt;
    return pose::results::seed_spread(group);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

QString seed_list(const pose::results::SeedSpread& spread) {
  QStringList seeds;
  for (const auto seed : spread.seeds) seeds << QString::number(static_cast<qulonglong>(seed));
  return seeds.join(QStringLiteral(", "));
}

QVariant training_text(const nlohmann::json& spec) {
  const std::string text = pose::experiment::describe_training(spec);
  return text.empty() ? QVariant() : QVariant(QString::fromStdString(text));
}

}  // namespace

CompareWorkspace::CompareWorkspace(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new pose::widgets::RunsTable(split);
  const QVector<pose::widgets::RunsTableColumn> columns = {{QStringLiteral("run"), tr("Run")},
                      {QStringLiteral("strategy"), tr("Strategy")},
                      {QStringLiteral("rope"), tr("RoPE")},
                      {QStringLiteral("factor"), tr("Factor"), 2},
                      {QStringLiteral("chunks"), tr("Chunks")},
                      // The run's own training length (PoSE's chunks span it); Lc is the
                      // original model's window, the paper's meaning, and no column here.
                      {QStringLiteral("train_len"), tr("Train length")},
                      {QStringLiteral("lt"), tr("Lt")},
                      {QStringLiteral("steps"), tr("Steps")},
                      // How the run trains: full fine-tuning, its LoRA adapters, with checkpointing.
                      {QStringLiteral("training"), tr("Training")},
                      // How many seeds the numbers are over; shown only when the experiment has replicates.
                      {QStringLiteral("seeds"), tr("Seeds")},
                      {QStringLiteral("loss"), tr("Final loss"), 3},
                      {QStringLiteral("wall"), tr("Wall s"), 1},
                      {QStringLiteral("tps"), tr("Tokens/s"), 0},
                      // Data parallelism: the processes that trained the run and the slowest one's
                      // tokens/s; shown only when some run had more than one.
                      {QStringLiteral("ranks"), tr("Ranks")},
                      {QStringLiteral("ppl_lc"), tr("ppl@Lc"), 2},
                      {QStringLiteral("ppl_lt"), tr("ppl@Lt"), 2},
                      {QStringLiteral("ppl_min"), tr("min ppl"), 2},
                      {QStringLiteral("pk_lc"), tr("passkey@Lc"), 2},
                      {QStringLiteral("pk_lt"), tr("passkey@Lt"), 2},
                      {QStringLiteral("kv_lt"), tr("kv@Lt"), 2},
                      {QStringLiteral("beyond"), tr("attention beyond Lc"), 3},
                      // RULER's effective length: the longest length whose average score holds the threshold.
                      {QStringLiteral("ruler_leff"), tr("RULER eff. length")},
                      // The PoSE paper's claim for the run's design beside what this run measured
                      // (core/report/paper_claims.h, docs/FIDELITY.md).
                      {QStringLiteral("claim"), tr("Paper claims")},
                      {QStringLiteral("measured"), tr("Measured")}};
  for (const auto& column : columns) decimals_.insert(column.key, column.decimals);
  table_->setColumns(columns);
  auto* plots = new QSplitter(Qt::Horizontal, split);
  perplexity_ = new pose::widgets::PerplexityLengthPlot(plots);
  curves_ = new pose::widgets::TrainingCurvesView(plots);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 2);
  layout->addWidget(split);
  connect(table_, &pose::widgets::RunsTable::selectionChanged, this, [this] { showSelection(); });
}

void CompareWorkspace::setStoreFile(const QString& file) {
  storeFile_ = file;
  refresh();
}

void CompareWorkspace::setExperiment(const QString& name) {
  experiment_ = name;
  refresh();
}

void CompareWorkspace::refresh() {
  std::optional<StoredExperiment> e;
  try {
    if (!experiment_.isEmpty()) e = StoreReader(storeFile_).experiment(experiment_);
  } catch (const std::exception&) {
    e.reset();
  }
  QVector<pose::widgets::RunsTableRow> rows;
  bool dataParallel = false;
  const auto spread = e ? seed_spread_of(storeFile_, experiment_) : std::nullopt;
  if (e) {
    for (const auto& run : e->runs) {
      if (run.kind != QLatin1String("extend")) continue;
      // Every number from the run's summary (results/run_summary.h), read from the store.
      const auto& m = run.summary;
      pose::widgets::RunsTableRow row;
      row.run = run.name;
      row.colorIndex = run.colorIndex;
      row.values = {{QStringLiteral("strategy"), spec_value(run.spec, "/strategy")},
                    {QStringLiteral("rope"), spec_value(run.spec, "/rope/method")},
                    {QStringLiteral("factor"), spec_value(run.spec, "/rope/factor")},
                    // Chunks mean something for PoSE only.
                    {QStringLiteral("chunks"), run.spec.value("strategy", std::string()) == "pose"
                                                   ? spec_value(run.spec, "/chunks")
                                                   : QVariant()},
                    {QStringLiteral("train_len"), spec_value(run.spec, "/train_len")},
                    {QStringLiteral("lt"), spec_value(run.spec, "/target_len")},
                    {QStringLiteral("steps"), spec_value(run.spec, "/steps")},
                    // The report's words ("full", "LoRA r8 α16 q,k,v,o + norms"); a run that does not
                    // train has none (shown as —).
                    {QStringLiteral("training"), training_text(run.spec)},
                    {QStringLiteral("loss"), optional_value(m.final_loss)},
                    {QStringLiteral("wall"), optional_value(m.wall_s)},
                    {QStringLiteral("tps"), optional_value(m.tokens_per_s)},
                    {QStringLiteral("ppl_lc"), optional_value(m.ppl_at_lc)},
                    {QStringLiteral("ppl_lt"), optional_value(m.ppl_at_lt)},
                    {QStringLiteral("ppl_min"), optional_value(m.min_ppl)},
                    {QStringLiteral("pk_lc"), optional_value(m.passkey_at_lc)},
                    {QStringLiteral("pk_lt"), optional_value(m.passkey_at_lt)},
                    {QStringLiteral("kv_lt"), optional_value(m.kv_at_lt)},
                    {QStringLiteral("beyond"), optional_value(m.attention_beyond_lc)},
                    {QStringLiteral("ruler_leff"), optional_value(m.ruler_effective_length)}};
      // Ranks of a run that trained: sorted by their number, the slowest rank's mean tokens/s beside it.
      if (m.world_size > 1) {
        row.values.insert(QStringLiteral("ranks"), static_cast<qlonglong>(m.world_size));
        if (m.slowest_rank_tokens_per_s) {
          const auto slowest = static_cast<qint64>(*m.slowest_rank_tokens_per_s);
          row.texts.insert(QStringLiteral("ranks"), tr("%1 · slowest %2").arg(m.world_size).arg(slowest));
          row.toolTips.insert(QStringLiteral("ranks"),
                              tr("%1 processes trained this run (data parallelism); Tokens/s counts them all. "
                                 "The slowest rank managed %2 tokens/s in its forward and backward on its share of "
                                 "each step, on average over the steps.")
                                  .arg(m.world_size)
                                  .arg(slowest));
        }
        dataParallel = true;
      } else if (m.tokens_per_s) {
        row.values.insert(QStringLiteral("ranks"), qlonglong(1));
      }
      // Over several seeds: each headline number is the mean (it sorts by it) shown with its range.
      const auto* runSpread = spread ? spread->find(run.name.toStdString()) : nullptr;
      if (runSpread && runSpread->seeds < 2) runSpread = nullptr;
      if (runSpread) {
        row.values.insert(QStringLiteral("seeds"), runSpread->seeds);
        row.toolTips.insert(QStringLiteral("seeds"), tr("Seeds %1: the numbers of this row are the mean (lowest–highest) "
                                                        "over the %2 seeds that finished this run.")
                                                         .arg(seed_list(*spread))
                                                         .arg(runSpread->seeds));
        for (const auto& column : kHeadlineColumns) {
          const QString key = QString::fromLatin1(column.key);
          const auto* s = runSpread->find(column.headline);
          if (!s) {
            row.values.remove(key);
            continue;
          }
          const int decimals = pose::results::headline_is_whole(column.headline) ? 0 : decimals_.value(key, 2);
          const auto number = [decimals](double v) { return QString::number(v, 'f', std::max(decimals, 0)).toStdString(); };
          row.values.insert(key, s->mean);
          row.texts.insert(key, QString::fromStdString(pose::results::mean_and_range(*s, number)));
          row.toolTips.insert(key, tr("Mean over %1 seeds; lowest %2, highest %3")
                                       .arg(s->n)
                                       .arg(QString::fromStdString(number(s->min)))
                                       .arg(QString::fromStdString(number(s->max))));
        }
      }
      const std::string claim = pose::report::paper_claim(run.spec);
      if (!claim.empty()) row.values.insert(QStringLiteral("claim"), QString::fromStdString(claim));
      // The claim is judged on the mean over the seeds where there are several.
      const auto measured = runSpread ? pose::report::measured_outcome_text(*runSpread) : pose::report::measured_outcome_text(m);
      if (!measured.empty()) row.values.insert(QStringLiteral("measured"), QString::fromStdString(measured));
      rows.push_back(std::move(row));
    }
    perplexity_->setWindows(static_cast<double>(e->trainLen()), static_cast<double>(e->targetLen()));
  }
  table_->setColumnVisible(QStringLiteral("ranks"), dataParallel);
  table_->setColumnVisible(QStringLiteral("seeds"), spread.has_value());
  table_->setRows(rows);
  if (table_->selectedRuns().isEmpty() && !rows.isEmpty()) {
    QStringList all;
    for (const auto& r : rows) all << r.run;
    table_->selectRuns(all);
  }
  showSelection();
}

void CompareWorkspace::showSelection() {
  perplexity_->clear();
  curves_->clear();
  const auto e = experiment_.isEmpty() ? std::nullopt : StoreReader(storeFile_).experiment(experiment_);
  if (!e) return;
  const StoreReader reader(storeFile_);
  const QStringList selected = table_->selectedRuns();
  for (const auto& run : e->runs) {
    if (!selected.contains(run.name)) continue;
    if (const auto ppl = reader.evaluation(run.id, QStringLiteral("perplexity"))) {
      perplexity_->setRun(run.name, run.colorIndex, pose::widgets::perplexity_points_from_json(ppl->results));
    }
    const auto loss = reader.series(run.id, QString::fromLatin1(pose::results::kTrainLoss));
    if (!loss.isEmpty()) {
      curves_->addRun(run.name, run.colorIndex);
      for (const auto& series : pose::widgets::training_series_names()) {
        curves_->setSeries(run.name, series, reader.series(run.id, series));
      }
    }
  }
}

}  // namespace pose::studio
