#include "store_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "experiment/cost_estimate.h"
#include "model/model_config.h"
#include "results/metric_names.h"
#include "results/stored_summaries.h"
#include "store/experiment_store.h"

namespace pose::studio {

namespace {

using store::ExperimentStore;

std::optional<ExperimentStore> open(const QString& file) {
  if (file.isEmpty() || !std::filesystem::exists(file.toStdString())) return std::nullopt;
  return ExperimentStore::open(file.toStdString(), ExperimentStore::Mode::ReadOnly);
}

StoredExperiment convert(const ExperimentStore& st, const store::ExperimentRecord& e) {
  StoredExperiment out;
  out.id = e.id;
  out.name = QString::fromStdString(e.name);
  out.spec = e.spec;
  const auto summaries = results::summarize_experiment(st, e);
  int index = 0;
  for (const auto& r : st.runs(e.id)) {
    StoredRun run;
    run.id = r.id;
    run.name = QString::fromStdString(r.name);
    run.kind = QString::fromStdString(r.kind);
    run.status = QString::fromStdString(store::display_status(r));
    run.message = QString::fromStdString(r.message);
    run.colorIndex = index++;
    run.spec = r.spec;
    run.summary = summaries.at(r.id);
    out.runs.push_back(std::move(run));
  }
  return out;
}

StoredEval convert(const store::EvalRecord& e) {
  return {QString::fromStdString(e.kind), e.settings, e.results, e.checkpoint_step, QString::fromStdString(e.created_at)};
}

}  // namespace

qint64 StoredExperiment::trainLen() const { return results::experiment_lc(spec); }

qint64 StoredExperiment::targetLen() const {
  if (spec.is_object() && spec.contains("target_len")) return spec["target_len"].get<qint64>();
  for (const auto& r : runs) {
    if (r.spec.is_object() && r.spec.contains("target_len")) return r.spec["target_len"].get<qint64>();
  }
  return 0;
}

QVector<StoredExperiment> StoreReader::experiments() const {
  QVector<StoredExperiment> out;
  const auto st = open(file_);
  if (!st) return out;
  for (const auto& e : st->experiments()) out.push_back(convert(*st, e));
  return out;
}

std::optional<StoredExperiment> StoreReader::experiment(const QString& name) const {
  const auto st = open(file_);
  if (!st) return std::nullopt;
  const auto e = st->find_experiment(name.toStdString());
  if (!e) return std::nullopt;
  return convert(*st, *e);
}

QVector<pose::widgets::CurvePoint> StoreReader::series(qint64 runId, const QString& series) const {
  QVector<pose::widgets::CurvePoint> out;
  const auto st = open(file_);
  if (!st) return out;
  for (const auto& p : st->metric_series(runId, series.toStdString())) {
    out.push_back({static_cast<double>(p.step), p.value});
  }
  return out;
}

std::optional<StoredEval> StoreReader::evaluation(qint64 runId, const QString& kind) const {
  const auto st = open(file_);
  if (!st) return std::nullopt;
  const auto list = st->eval_results(runId, kind.toStdString());
  if (list.empty()) return std::nullopt;
  for (const auto& e : list) {
    if (e.settings.value("origin", std::string()) != "pose eval") return convert(e);
  }
  return convert(list.back());
}

QVector<StoredEval> StoreReader::evaluations(qint64 runId) const {
  QVector<StoredEval> out;
  const auto st = open(file_);
  if (!st) return out;
  for (const auto& e : st->eval_results(runId)) out.push_back(convert(e));
  return out;
}

QVector<pose::widgets::PeriodicPoint> StoreReader::periodicPoints(qint64 runId) const {
  QVector<pose::widgets::PeriodicPoint> out;
  const auto st = open(file_);
  if (!st) return out;
  std::map<int64_t, pose::widgets::PeriodicPoint> by_step;
  for (const auto& name : st->metric_names(runId)) {
    const auto parsed = results::parse_metric_name(name);
    if (!parsed || parsed->phase != results::EvalPhase::Periodic) continue;
    const auto metric = parsed->metric;
    if (metric != results::EvalMetric::Perplexity && metric != results::EvalMetric::PasskeyMean &&
        metric != results::EvalMetric::AttentionBeyondLc) {
      continue;
    }
    for (const auto& p : st->metric_series(runId, name)) {
      auto& point = by_step[p.step];
      point.step = static_cast<double>(p.step);
      if (metric == results::EvalMetric::Perplexity) {
        point.perplexity.push_back(QPointF(static_cast<double>(*parsed->length), p.value));
      } else if (metric == results::EvalMetric::PasskeyMean) {
        point.passkey = p.value;
      } else {
        point.attentionBeyond = p.value;
      }
    }
  }
  for (auto& [step, point] : by_step) {
    std::sort(point.perplexity.begin(), point.perplexity.end(),
              [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    out.push_back(std::move(point));
  }
  return out;
}

std::optional<double> StoreReader::originalPerplexity(const StoredExperiment& e, qint64 length) const {
  const auto st = open(file_);
  if (!st) return std::nullopt;
  for (const auto& run : e.runs) {
    if (run.kind != QLatin1String("extend") || !results::is_original_model(run.spec)) continue;
    const auto periodic = st->metric_series(run.id, results::ppl_at(length, results::EvalPhase::Periodic));
    if (!periodic.empty()) return periodic.front().value;
    if (const auto last = st->last_metric(run.id, results::ppl_at(length))) return last->value;
  }
  return std::nullopt;
}

std::optional<std::pair<double, QString>> StoreReader::trainingThroughput(const StoredExperiment& e) const {
  const auto st = open(file_);
  if (!st) return std::nullopt;
  // The model's shape: the base run stores the config it resolved.
  std::optional<model::ModelConfig> config;
  for (const auto& run : e.runs) {
    if (run.kind == QLatin1String("base") && run.spec.is_object() && run.spec.contains("resolved_config")) {
      try {
        config = model::config_from_hf_json(run.spec["resolved_config"], "resolved_config");
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  if (!config) return std::nullopt;
  for (auto it = e.runs.rbegin(); it != e.runs.rend(); ++it) {
    if (it->kind != QLatin1String("extend") || it->status != QLatin1String("done")) continue;
    const auto record = st->run(it->id);
    if (!record || record->device != "cpu") continue;
    const auto tokens = st->last_metric(it->id, results::kRunTokensPerS);
    const qint64 len = it->spec.value("train_len", qint64(0));
    if (!tokens || tokens->value <= 0 || len <= 0) continue;
    const double flops = experiment::achieved_flops_per_second(*config, len, tokens->value);
    return std::make_pair(flops, QStringLiteral("run %1 (%2 tokens/s at %3 tokens)")
                                     .arg(it->name)
                                     .arg(static_cast<qint64>(tokens->value))
                                     .arg(len));
  }
  return std::nullopt;
}

}  // namespace pose::studio
