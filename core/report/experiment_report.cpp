#include "report/experiment_report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <locale>
#include <optional>
#include <set>
#include <sstream>

#include "common/durable_file.h"
#include "common/error.h"
#include "common/suggest.h"
#include "common/version.h"
#include "eval/retrieval_grid.h"
#include "experiment/lora_json.h"
#include "eval/ruler_eval.h"
#include "report/paper_claims.h"
#include "report/svg_plot.h"
#include "results/headline.h"
#include "results/metric_names.h"
#include "results/replicate_record.h"
#include "results/seed_spread.h"
#include "results/stored_summaries.h"

namespace pose::report {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// The workbench's run colours (widgets/run_colors.cpp), so that a report's
// figures match what the GUI showed.
const char* run_color(int index) {
  static const char* kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                   "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kPalette[((index % 10) + 10) % 10];
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream s;
  s << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return s.str();
}

std::string number(double v, int precision = 4) {
  if (!std::isfinite(v)) return "—";
  std::ostringstream s;
  s << std::setprecision(precision) << v;
  return s.str();
}

std::string short_length(double v) {
  const auto n = static_cast<long long>(v);
  if (n >= 1024 && n % 1024 == 0) return std::to_string(n / 1024) + "k";
  return std::to_string(n);
}

// The PoSE paper's LLaMA-7B figures (v2), shown when a report's design is the
// paper's: Lc 2048 extended to Lt 16384.
json paper_reference(int64_t lc, int64_t lt) {
  if (lc != 2048 || lt != 16384) return nullptr;
  return {{"source", "PoSE (Zhu et al.), LLaMA-7B, Proof-pile perplexity, paper v2"},
          {"lengths", {2048, 4096, 8192, 16384}},
          {"perplexity",
           {{"none", {2.83, nullptr, nullptr, nullptr}},
            {"full-length-16k", {2.93, 2.71, 2.58, 2.53}},
            {"randpos", {7.26, 6.83, 6.76, 7.73}},
            {"pose", {2.95, 2.74, 2.61, 2.60}}}},
          {"note", "none: > 1000 beyond 2k"},
          {"cost", "1000 steps at 16k: Full-length 56.4 h vs PoSE 6.8 h on 8xV100 (8.3x)"}};
}

json last_metrics(const store::ExperimentStore& st, int64_t run) {
  json m = json::object();
  for (const auto& name : st.metric_names(run)) {
    if (auto last = st.last_metric(run, name)) m[name] = last->value;
  }
  return m;
}

json series_of(const store::ExperimentStore& st, int64_t run, const std::string& name) {
  json points = json::array();
  for (const auto& p : st.metric_series(run, name)) points.push_back({p.step, p.value});
  return points;
}

// The run's own evaluation of each kind (the runner's) and any from `pose eval`.
json evaluations_of(const store::ExperimentStore& st, int64_t run) {
  json out = json::array();
  for (const auto& e : st.eval_results(run)) {
    json j = {{"kind", e.kind}, {"settings", e.settings}, {"results", e.results}, {"created_at", e.created_at}};
    if (e.checkpoint_step) j["step"] = *e.checkpoint_step;
    j["origin"] = e.settings.value("origin", std::string("run"));
    out.push_back(std::move(j));
  }
  return out;
}

const json* own_eval(const json& run, const std::string& kind) {
  for (const auto& e : run["evaluations"]) {
    if (e["kind"] == kind && e["origin"] == "run") return &e;
  }
  for (const auto& e : run["evaluations"]) {
    if (e["kind"] == kind) return &e;
  }
  return nullptr;
}

bool is_periodic_kind(const std::string& kind) { return kind.rfind("periodic-", 0) == 0; }

bool is_periodic_series(const std::string& name) {
  const auto parsed = results::parse_metric_name(name);
  return parsed && parsed->phase == results::EvalPhase::Periodic;
}

// The steps of a run's periodic evaluations of one kind, "0, 10, 20".
std::string periodic_steps_of(const json& run, const std::string& kind) {
  std::string steps;
  for (const auto& e : run["evaluations"]) {
    if (e["kind"] != kind || !e.contains("step")) continue;
    steps += (steps.empty() ? "" : ", ") + e["step"].dump();
  }
  return steps;
}

// Evaluations whose settings a report lists: each one, except periodic
// evaluations, whose settings are the same at every step and are listed once
// per run and kind, with the steps. Calls back with (evaluation, label suffix).
void for_each_listed_evaluation(const json& run, const std::function<void(const json&, const std::string&)>& f) {
  std::vector<std::string> periodic_seen;
  for (const auto& e : run["evaluations"]) {
    const std::string kind = e["kind"];
    if (!is_periodic_kind(kind)) {
      f(e, " (" + e["origin"].get<std::string>() + ")");
      continue;
    }
    if (std::find(periodic_seen.begin(), periodic_seen.end(), kind) != periodic_seen.end()) continue;
    periodic_seen.push_back(kind);
    json shown = e;
    shown["settings"].erase("wall_s");
    f(shown, " (at steps " + periodic_steps_of(run, kind) + ")");
  }
}

// A run's points of a series as (x, y).
void points_of(const json& run, const std::string& series, Series& s) {
  if (!run["series"].contains(series)) return;
  for (const auto& p : run["series"][series]) {
    s.x.push_back(p[0].get<double>());
    s.y.push_back(p[1].get<double>());
  }
}

// The original model's perplexity at Lc, the reference line of "perplexity at
// Lt vs step": from a run that keeps the original RoPE and does not fine-tune.
std::optional<double> original_perplexity_at(const json& report, double lc) {
  const auto length = static_cast<int64_t>(lc);
  for (const auto& run : report["runs"]) {
    if (run["kind"] != "extend" || !results::is_original_model(run["spec"])) continue;
    const std::string periodic = results::ppl_at(length, results::EvalPhase::Periodic);
    if (run["series"].contains(periodic) && !run["series"][periodic].empty()) return run["series"][periodic][0][1].get<double>();
    if (run["metrics"].contains(results::ppl_at(length))) return run["metrics"][results::ppl_at(length)].get<double>();
  }
  return std::nullopt;
}

std::string slug(const std::string& s) {
  std::string out;
  for (const char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  return out;
}

std::string html_escape(const std::string& s) { return xml_escape(s); }

}  // namespace

ReportFormat parse_report_format(const std::string& name) {
  if (name == "html") return ReportFormat::Html;
  if (name == "md" || name == "markdown") return ReportFormat::Markdown;
  if (name == "csv") return ReportFormat::Csv;
  if (name == "json") return ReportFormat::Json;
  throw UserError("report format '" + name + "' is not known", "use html, md, csv or json");
}

ReportFormat format_for_path(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html" || ext == ".htm") return ReportFormat::Html;
  if (ext == ".md") return ReportFormat::Markdown;
  if (ext == ".csv") return ReportFormat::Csv;
  if (ext == ".json") return ReportFormat::Json;
  if (ext == ".pdf") {
    throw UserError(path.string() + ": PDF needs the workbench's renderer",
                    "write .html, .md, .csv or .json here, or run `pose-studio --experiment SPEC --store FILE "
                    "--export-report " + path.string() + "` (QT_QPA_PLATFORM=offscreen without a display)");
  }
  throw UserError(path.string() + ": cannot tell the report format from the extension '" + ext + "'",
                  "name the file .html, .md, .csv or .json, or give --format");
}

json collect_report(const store::ExperimentStore& st, const ReportOptions& o) {
  const auto experiment = st.find_experiment(o.experiment);
  if (!experiment) {
    std::vector<std::string> names;
    for (const auto& e : st.experiments()) names.push_back(e.name);
    const auto near = closest_match(o.experiment, names);
    throw UserError("no experiment '" + o.experiment + "' in " + st.path().string(),
                    near.empty() ? "see `pose runs` for the experiments in the store" : "did you mean " + near + "?");
  }
  const auto runs = st.runs(experiment->id);
  for (const auto& wanted : o.runs) {
    const bool found = std::any_of(runs.begin(), runs.end(), [&](const auto& r) { return r.name == wanted; });
    if (!found) {
      std::vector<std::string> names;
      for (const auto& r : runs) names.push_back(r.name);
      const auto near = closest_match(wanted, names);
      throw UserError("experiment " + o.experiment + " has no run '" + wanted + "'",
                      near.empty() ? "see `pose runs --experiment " + o.experiment + "`" : "did you mean " + near + "?");
    }
  }
  const json& spec = experiment->spec;
  const int64_t lc = results::experiment_lc(spec);
  int64_t lt = spec.value("target_len", int64_t(0));
  const auto summaries = results::summarize_experiment(st, *experiment);

  json out_runs = json::array();
  json environments = json::array();
  int index = 0;
  for (const auto& r : runs) {
    const int color = index++;
    if (!o.runs.empty() && std::find(o.runs.begin(), o.runs.end(), r.name) == o.runs.end()) continue;
    if (lt == 0 && r.spec.is_object()) lt = r.spec.value("target_len", int64_t(0));
    json series = json::object();
    for (const char* name : {results::kTrainLoss, results::kTrainLr, results::kTrainGradNorm, results::kTrainTokensPerS,
                             results::kTrainMemoryMb, results::kTrainSlowestRank, results::kTrainSlowestRankTokensPerS}) {
      auto points = series_of(st, r.id, name);
      if (!points.empty()) series[name] = std::move(points);
    }
    // Periodic evaluations while training, by step (evaluation.periodic).
    for (const auto& name : st.metric_names(r.id)) {
      if (is_periodic_series(name)) series[name] = series_of(st, r.id, name);
    }
    json run = {{"id", r.id},
                {"name", r.name},
                {"kind", r.kind},
                {"status", store::display_status(r)},
                {"message", r.message},
                {"color", run_color(color)},
                {"spec", r.spec},
                {"device", r.device},
                {"versions", r.versions},
                {"started_at", r.started_at},
                {"finished_at", r.finished_at},
                {"metrics", last_metrics(st, r.id)},
                {"summary", results::to_json(summaries.at(r.id))},
                {"series", series},
                {"evaluations", evaluations_of(st, r.id)}};
    const json env = {{"device", r.device}, {"versions", r.versions}};
    if (!r.device.empty() && std::find(environments.begin(), environments.end(), env) == environments.end()) {
      environments.push_back(env);
    }
    out_runs.push_back(std::move(run));
  }
  // An experiment repeated over seeds: the spread of each run's headline numbers
  // over them (results/seed_spread.h), which the run tables show; a replicate's
  // own report shows its seed and says whose it is.
  json seed_spread = nullptr;
  const auto replicate_of = results::replicate_of(spec);
  if (!replicate_of) {
    const auto group = results::summarize_replicates(st, experiment->name);
    if (group.size() > 1) seed_spread = results::to_json(results::seed_spread(group));
  }
  const auto seed = results::experiment_seed(spec);
  return {{"format", "pose-studio-report/1"},
          {"generated_at", utc_now()},
          {"generated_by", "PoSE Studio " + product_version() + " (LibTorch " + torch_version() + ")"},
          {"store", st.path().string()},
          {"experiment",
           {{"name", experiment->name},
            {"spec", spec},
            {"created_at", experiment->created_at},
            {"seed", seed ? json(*seed) : json()},
            {"replicate_of", replicate_of ? json(*replicate_of) : json()}}},
          {"seed_spread", seed_spread},
          {"lc", lc},
          {"lt", lt},
          {"environments", environments},
          {"runs", out_runs},
          {"paper_reference", paper_reference(lc, lt)}};
}

std::vector<std::pair<std::string, std::string>> report_figures(const json& report) {
  std::vector<std::pair<std::string, std::string>> figures;
  const double lc = report.value("lc", 0.0), lt = report.value("lt", 0.0);

  // Perplexity against length, every evaluated run.
  LinePlotSpec ppl;
  ppl.title = "Perplexity against context length";
  ppl.x_label = "context length (tokens)";
  ppl.y_label = "perplexity";
  ppl.log_x = ppl.log2_x = ppl.log_y = true;
  if (lc > 0) ppl.vmarkers.push_back({lc, "Lc = " + short_length(lc)});
  if (lt > 0) ppl.vmarkers.push_back({lt, "Lt = " + short_length(lt)});
  for (const auto& run : report["runs"]) {
    const json* e = own_eval(run, "perplexity");
    if (!e) continue;
    Series s{run["name"], run["color"], {}, {}, true, 1.8, false};
    for (const auto& p : e->at("results")) {
      s.x.push_back(p["length"].get<double>());
      s.y.push_back(p["perplexity"].is_number() ? p["perplexity"].get<double>() : std::nan(""));
    }
    ppl.series.push_back(std::move(s));
  }
  if (!ppl.series.empty()) figures.emplace_back("perplexity-vs-length", render_line_plot(ppl));

  // Periodic evaluations against the step: the extended window's perplexity,
  // passkey accuracy and attention beyond Lc as each run learned. A run that
  // does not train has one point (step 0): it is drawn as a dashed level.
  double last_step = 0;
  for (const auto& run : report["runs"]) {
    for (const auto& [name, points] : run["series"].items()) {
      if (is_periodic_series(name) && !points.empty()) last_step = std::max(last_step, points.back()[0].get<double>());
    }
  }
  const auto by_step = [&](const std::string& id, const std::string& title, const std::string& y_label,
                           const std::string& series, bool log_y, std::optional<std::pair<double, double>> y_range,
                           std::optional<HorizontalMarker> reference) {
    LinePlotSpec plot;
    plot.title = title;
    plot.x_label = "step";
    plot.y_label = y_label;
    plot.log_y = log_y;
    plot.y_range = y_range;
    if (reference) plot.hmarkers.push_back(*reference);
    for (const auto& run : report["runs"]) {
      Series s{run["name"], run["color"], {}, {}, true, 1.6, false};
      points_of(run, series, s);
      if (s.x.empty()) continue;
      if (s.x.size() == 1 && last_step > 0) {
        s.x = {0.0, last_step};
        s.y = {s.y[0], s.y[0]};
        s.dashed = true;
        s.markers = false;
      }
      plot.series.push_back(std::move(s));
    }
    if (!plot.series.empty()) figures.emplace_back(id, render_line_plot(plot));
  };
  if (lt > 0) {
    std::optional<HorizontalMarker> reference;
    if (const auto original = original_perplexity_at(report, lc)) {
      reference = HorizontalMarker{*original, "original at Lc " + number(*original, 3)};
    }
    by_step("perplexity-at-lt-vs-step", "Perplexity at Lt = " + short_length(lt) + " during training",
            "perplexity", results::ppl_at(static_cast<int64_t>(lt), results::EvalPhase::Periodic), true,
            std::nullopt, reference);
  }
  by_step("passkey-vs-step", "Passkey accuracy during training (mean over lengths and depths)", "accuracy",
          results::metric_name(results::EvalPhase::Periodic, results::EvalMetric::PasskeyMean), false, std::make_pair(0.0, 1.0), std::nullopt);
  by_step("attention-beyond-lc-vs-step", "Attention mass beyond Lc during training (mean over layers)",
          "attention mass at distance ≥ Lc",
          results::metric_name(results::EvalPhase::Periodic, results::EvalMetric::AttentionBeyondLc), false,
          std::nullopt, std::nullopt);

  // Loss curves: the base model, then the extension runs (step axes far apart).
  for (const bool base : {false, true}) {
    LinePlotSpec loss;
    loss.title = base ? "Training loss: base model" : "Training loss: extension runs";
    loss.x_label = "step";
    loss.y_label = "loss";
    for (const auto& run : report["runs"]) {
      if ((run["kind"] == "base") != base || !run["series"].contains(results::kTrainLoss)) continue;
      Series s{run["name"], run["color"], {}, {}, false, 1.4, false};
      for (const auto& p : run["series"][results::kTrainLoss]) {
        s.x.push_back(p[0].get<double>());
        s.y.push_back(p[1].get<double>());
      }
      loss.series.push_back(std::move(s));
    }
    if (!loss.series.empty()) figures.emplace_back(base ? "loss-base" : "loss-extension-runs", render_line_plot(loss));
  }

  // Attention mass by distance, mean over layers, every run.
  LinePlotSpec attention;
  attention.title = "Attention mass by distance (mean over layers; legend: share beyond Lc)";
  attention.x_label = "distance between query and key (bins from this distance)";
  attention.y_label = "attention mass";
  attention.log_x = attention.log2_x = true;
  if (lc > 0) attention.vmarkers.push_back({lc, "Lc = " + short_length(lc)});
  for (const auto& run : report["runs"]) {
    const json* e = own_eval(run, "attention");
    if (!e) continue;
    const auto& r = e->at("results");
    Series s{run["name"].get<std::string>() + " " + number(100.0 * r.value("mean_beyond_window", 0.0), 3) + " %",
             run["color"], {}, {}, true, 1.6, false};
    const auto& bins = r["bins"];
    const auto& layers = r["layers"];
    for (std::size_t b = 0; b < bins.size(); ++b) {
      double mean = 0.0;
      for (const auto& l : layers) mean += l["mass"][b].get<double>();
      const double lo = bins[b][0].get<double>(), hi = bins[b][1].get<double>();
      s.x.push_back(lo == 0 ? 0.5 : std::sqrt(lo * hi));
      s.y.push_back(layers.empty() ? 0.0 : mean / static_cast<double>(layers.size()));
    }
    attention.series.push_back(std::move(s));
  }
  if (!attention.series.empty()) figures.emplace_back("attention-by-distance", render_line_plot(attention));

  // Retrieval heatmaps per run.
  for (const char* kind : {"passkey", "kv"}) {
    for (const auto& run : report["runs"]) {
      const json* e = own_eval(run, kind);
      if (!e) continue;
      const auto cells = eval::retrieval_cells_from_json(e->at("results"));
      std::vector<int64_t> lengths;
      std::vector<double> depths;
      for (const auto& c : cells) {
        if (std::find(lengths.begin(), lengths.end(), c.length) == lengths.end()) lengths.push_back(c.length);
        if (std::find(depths.begin(), depths.end(), c.depth) == depths.end()) depths.push_back(c.depth);
      }
      std::sort(lengths.begin(), lengths.end());
      std::sort(depths.begin(), depths.end());
      HeatmapSpec h;
      h.title = run["name"].get<std::string>() + " · " + (std::string(kind) == "kv" ? "key-value retrieval" : "passkey");
      h.x_label = "context length (tokens)";
      h.y_label = "depth";
      for (const auto L : lengths) h.columns.push_back(short_length(static_cast<double>(L)));
      for (const auto d : depths) h.rows.push_back(number(100.0 * d, 3) + "%");
      h.values.assign(depths.size(), std::vector<double>(lengths.size(), std::nan("")));
      h.cell_text.assign(depths.size(), std::vector<std::string>(lengths.size(), "—"));
      for (const auto& c : cells) {
        const auto col = std::find(lengths.begin(), lengths.end(), c.length) - lengths.begin();
        const auto row = std::find(depths.begin(), depths.end(), c.depth) - depths.begin();
        if (!c.skipped.empty() || c.trials == 0) continue;
        h.values[row][col] = c.accuracy();
        h.cell_text[row][col] = number(c.accuracy(), 2) + "\n" + std::to_string(c.correct) + "/" + std::to_string(c.trials);
      }
      figures.emplace_back(std::string(kind) + "-" + slug(run["name"]), render_heatmap(h));
    }
  }

  // RULER: the average over its tasks against length for every run, the
  // effective length's threshold marked (the runs' summary says which), then
  // per run its tasks × lengths.
  LinePlotSpec ruler;
  ruler.title = "RULER: average score over the tasks";
  ruler.x_label = "context length (tokens)";
  ruler.y_label = "score";
  ruler.log_x = ruler.log2_x = true;
  ruler.y_range = std::make_pair(0.0, 1.0);
  if (lc > 0) ruler.vmarkers.push_back({lc, "Lc = " + short_length(lc)});
  if (lt > 0) ruler.vmarkers.push_back({lt, "Lt = " + short_length(lt)});
  std::vector<std::pair<std::string, eval::RulerResult>> ruler_runs;
  for (const auto& run : report["runs"]) {
    const json* e = own_eval(run, "ruler");
    if (!e) continue;
    const auto summary = results::run_summary_from_json(run.value("summary", json()));
    if (ruler.hmarkers.empty() && summary.ruler_threshold) {
      ruler.hmarkers.push_back({*summary.ruler_threshold, "threshold " + number(*summary.ruler_threshold, 3) + " (" +
                                                              summary.ruler_threshold_source + ")"});
    }
    auto r = eval::ruler_result_from_json(e->at("results"));
    std::string name = run["name"];
    if (summary.ruler_effective_length) name += " (effective " + short_length(static_cast<double>(*summary.ruler_effective_length)) + ")";
    Series s{name, run["color"], {}, {}, true, 1.6, false};
    for (const auto L : r.lengths()) {
      if (const auto avg = r.average(L)) {
        s.x.push_back(static_cast<double>(L));
        s.y.push_back(*avg);
      }
    }
    ruler.series.push_back(std::move(s));
    ruler_runs.emplace_back(run["name"].get<std::string>(), std::move(r));
  }
  if (!ruler.series.empty()) figures.emplace_back("ruler-vs-length", render_line_plot(ruler));
  for (const auto& [name, r] : ruler_runs) {
    const auto lengths = r.lengths();
    std::vector<std::string> tasks;
    for (const auto& c : r.cells) {
      if (std::find(tasks.begin(), tasks.end(), c.task) == tasks.end()) tasks.push_back(c.task);
    }
    HeatmapSpec h;
    h.title = name + " · RULER";
    h.x_label = "context length (tokens)";
    h.y_label = "task";
    for (const auto L : lengths) h.columns.push_back(short_length(static_cast<double>(L)));
    h.rows = tasks;
    h.rows.push_back("average");
    h.values.assign(h.rows.size(), std::vector<double>(lengths.size(), std::nan("")));
    h.cell_text.assign(h.rows.size(), std::vector<std::string>(lengths.size(), "—"));
    for (std::size_t row = 0; row < h.rows.size(); ++row) {
      for (std::size_t col = 0; col < lengths.size(); ++col) {
        const auto v = row < tasks.size() ? r.accuracy(tasks[row], lengths[col]) : r.average(lengths[col]);
        if (!v) continue;
        h.values[row][col] = *v;
        h.cell_text[row][col] = number(*v, 2);
      }
    }
    figures.emplace_back("ruler-" + slug(name), render_heatmap(h));
  }
  return figures;
}

namespace {

// The spread of a run's numbers over the experiment's seeds, when the report
// has replicates (collect_report's "seed_spread") and more than one seed finished the run.
std::optional<results::RunSpread> seed_spread_of(const json& report, const json& run) {
  const json& spread = report.value("seed_spread", json());
  if (!spread.is_object() || !spread.contains("runs") || !spread["runs"].contains(run["name"].get<std::string>())) {
    return std::nullopt;
  }
  auto s = results::run_spread_from_json(spread["runs"][run["name"].get<std::string>()]);
  if (s.seeds < 2) return std::nullopt;
  return s;
}

// What the run tables' numbers are: one seed's, or the mean and range over the seeds.
std::string seeds_sentence(const json& report) {
  const json& spread = report.value("seed_spread", json());
  const json& experiment = report["experiment"];
  const json seed = experiment.value("seed", json());
  const std::string seed_text = seed.is_null() ? std::string("?") : seed.dump();
  if (spread.is_object()) {
    std::string seeds, names;
    for (const auto& s : spread["seeds"]) seeds += (seeds.empty() ? "" : ", ") + s.dump();
    for (const auto& e : spread["experiments"]) names += (names.empty() ? "" : ", ") + e.get<std::string>();
    return "The experiment ran with " + std::to_string(spread["experiments"].size()) + " seeds (" + seeds +
           "; experiments " + names + "). Each number in the run tables is the mean (min–max) over the seeds that "
           "finished the run, and the paper's claims are judged on the mean; the figures show seed " + seed_text + ".";
  }
  const json of = experiment.value("replicate_of", json());
  if (of.is_string()) {
    return "This experiment repeats " + of.get<std::string>() + " with seed " + seed_text + "; the report of " +
           of.get<std::string>() + " shows the spread over its seeds.";
  }
  return seed.is_null() ? std::string() : "Seed " + seed_text + ".";
}

struct SummaryColumn {
  std::string title;
  std::function<std::string(const json& run)> cell;
};

std::string spec_text(const json& run, const char* pointer) {
  const json::json_pointer p(pointer);
  if (!run.contains("spec") || !run["spec"].is_object() || !run["spec"].contains(p)) return "";
  const auto& v = run["spec"].at(p);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// A number for a table cell: fixed decimals, never an exponent ("35723", not
// "3.572e+04"), so a narrow column breaks no number in two.
std::string table_number(double v, int decimals) {
  if (!std::isfinite(v)) return "—";
  std::ostringstream s;
  s.imbue(std::locale::classic());
  s << std::fixed << std::setprecision(std::abs(v) >= 1000 ? 0 : decimals) << v;
  return s.str();
}

// The run tables: what each run is (design), what it measured (results), and
// the PoSE paper's claim beside its outcome. Three narrow tables instead of one
// wide one, so that neither a page nor a screen breaks a word or a number.
struct SummaryTable {
  std::string title;
  std::vector<SummaryColumn> columns;
  std::string note;  // printed under the table when not empty
};

std::vector<SummaryTable> summary_tables(const json& report) {
  const std::string lc = std::to_string(report.value("lc", int64_t(0)));
  const std::string lt = std::to_string(report.value("lt", int64_t(0)));
  const auto spec = [](const char* pointer) {
    return [p = json::json_pointer(pointer)](const json& run) -> std::string {
      if (!run["spec"].is_object() || !run["spec"].contains(p)) return "—";
      const auto& v = run["spec"].at(p);
      return v.is_string() ? v.get<std::string>() : v.dump();
    };
  };
  // The run's summary (results/run_summary.h), as collect_report stored it;
  // over the seeds of an experiment with replicates, "mean (min–max)".
  const auto summary = [&report](results::Headline h, int decimals) {
    return [&report, h, decimals](const json& run) -> std::string {
      const auto number = [&](double v) { return table_number(v, decimals); };
      if (const auto spread = seed_spread_of(report, run)) {
        const auto* s = spread->find(h);
        // The range on a line of its own: a table of spreads must still fit a page.
        return s ? results::mean_and_range(*s, number, "\n") : "—";
      }
      const auto v = results::headline_value(results::run_summary_from_json(run.value("summary", json())), h);
      return v ? number(*v) : "—";
    };
  };
  const SummaryColumn name{"run", [](const json& run) { return run["name"].get<std::string>(); }};
  SummaryTable design{"Design",
                      {name,
                       {"status", [](const json& run) { return run["status"].get<std::string>(); }},
                       {"strategy", spec("/strategy")},
                       {"RoPE", spec("/rope/method")},
                       {"factor", spec("/rope/factor")},
                       {"chunks", [](const json& run) -> std::string {
                          // Chunks mean something for PoSE only.
                          if (spec_text(run, "/strategy") != "pose") return "—";
                          const auto chunks = spec_text(run, "/chunks");
                          return chunks.empty() ? "—" : chunks;
                        }},
                       {"steps", spec("/steps")},
                       {"training", [](const json& run) -> std::string {
                          // Full fine-tuning or LoRA (rank, alpha, targets), as the run stored it.
                          const auto text = experiment::describe_training(run["spec"]);
                          return text.empty() ? "—" : text;
                        }},
                       {"final loss", summary(results::Headline::FinalLoss, 3)},
                       {"wall s", summary(results::Headline::WallS, 1)},
                       {"tokens/s", [&report, summary](const json& run) -> std::string {
                          // Every rank's tokens together; a data-parallel run says how many ranks and
                          // what its slowest one managed on its share of the steps, on average.
                          const auto s = results::run_summary_from_json(run.value("summary", json()));
                          if (seed_spread_of(report, run)) return summary(results::Headline::TokensPerS, 0)(run);
                          if (!s.tokens_per_s) return "—";
                          std::string text = table_number(*s.tokens_per_s, 0);
                          if (s.world_size > 1) {
                            text += " (" + std::to_string(s.world_size) + " ranks";
                            if (s.slowest_rank_tokens_per_s) text += "; slowest " + table_number(*s.slowest_rank_tokens_per_s, 0);
                            text += ")";
                          }
                          return text;
                        }}}, ""};
  SummaryTable results{"Results",
                       {name,
                        {"ppl@" + lc, summary(results::Headline::PplAtLc, 2)},
                        {"ppl@" + lt, summary(results::Headline::PplAtLt, 2)},
                        {"passkey@" + lc, summary(results::Headline::PasskeyAtLc, 2)},
                        {"passkey@" + lt, summary(results::Headline::PasskeyAtLt, 2)},
                        {"kv@" + lt, summary(results::Headline::KvAtLt, 2)},
                        {"attention beyond Lc", summary(results::Headline::AttentionBeyondLc, 3)},
                        {"RULER@" + lt, summary(results::Headline::RulerAtLt, 2)},
                        {"RULER eff. length", summary(results::Headline::RulerEffectiveLength, 0)}}, ""};
  SummaryTable claims{"Against the PoSE paper",
                      {name,
                       {"paper claims", [](const json& run) {
                          const auto claim = paper_claim(run["spec"]);
                          return claim.empty() ? std::string("—") : claim;
                        }},
                       {"measured", [&report](const json& run) {
                          // Judged on the mean over the seeds where the experiment has replicates.
                          const auto spread = seed_spread_of(report, run);
                          const auto text = spread ? measured_outcome_text(*spread)
                                                   : measured_outcome_text(results::run_summary_from_json(run.value("summary", json())));
                          return text.empty() ? std::string("—") : text;
                        }}}, ""};
  bool data_parallel = false;
  for (const auto& run : report["runs"]) {
    data_parallel = data_parallel || results::run_summary_from_json(run.value("summary", json())).world_size > 1;
  }
  if (data_parallel) {
    design.note = "tokens/s: every rank's tokens over the run's training time. For a data-parallel run, \"slowest\" "
                  "is its slowest rank's own tokens over that rank's forward and backward passes alone, without the "
                  "gradient exchange and the waits: it shows a straggler, and it can exceed the run's own figure "
                  "where communication dominates.";
  }
  return {design, results, claims};
}

std::string markdown_cell(std::string s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += " ";
    else out.push_back(c);
  }
  return out;
}

}  // namespace

std::string render_html(const json& report, const HtmlOptions& options) {
  const auto figures = report_figures(report);
  const std::string name = report["experiment"]["name"];
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
    << html_escape(name) << " — PoSE Studio report</title>\n"
    << "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;"
       "text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f2f2f2}"
       "pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}figure{margin:1.5em 0}"
       "details{margin:.5em 0}</style></head><body>\n";
  h << "<h1>" << html_escape(name) << "</h1>\n";
  const std::string description = report["experiment"]["spec"].value("description", std::string());
  if (!description.empty()) h << "<p>" << html_escape(description) << "</p>\n";
  h << "<p>Generated " << html_escape(report["generated_at"]) << " by " << html_escape(report["generated_by"])
    << " from <code>" << html_escape(report["store"]) << "</code>. Lc = " << report["lc"] << ", Lt = " << report["lt"]
    << ". Every number below is read from the store.</p>\n";

  h << "<h2>Runs</h2>\n";
  if (const auto seeds = seeds_sentence(report); !seeds.empty()) h << "<p>" << html_escape(seeds) << "</p>\n";
  for (const auto& table : summary_tables(report)) {
    h << "<h3>" << html_escape(table.title) << "</h3>\n<table><tr>";
    // Styles on the cells themselves: Qt's HTML engine (the PDF) reads no :first-child.
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      // Headers of several words wrap between them ("attention beyond Lc"); a
      // one-word header ("passkey@256") and the cells never break.
      const bool one_word = table.columns[i].title.find(' ') == std::string::npos;
      h << "<th style=\"vertical-align:bottom" << (one_word ? ";white-space:nowrap" : "")
        << (i == 0 || table.columns.size() <= 3 ? ";text-align:left" : "") << "\">"
        << html_escape(table.columns[i].title) << "</th>";
    }
    h << "</tr>\n";
    for (const auto& run : report["runs"]) {
      h << "<tr>";
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        std::string text = html_escape(table.columns[i].cell(run));
        // A cell's second line (a seed range) under its first.
        for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) {
          text.replace(at, 1, "<br>");
        }
        if (i == 0) {
          h << "<td style=\"color:" << run["color"].get<std::string>()
            << ";font-weight:bold;white-space:nowrap;text-align:left\">" << text << "</td>";
        } else {
          // Words and numbers are never broken; the claims' prose wraps between words.
          h << "<td" << (table.columns.size() > 3 ? " style=\"white-space:nowrap\"" : " style=\"text-align:left\"") << ">"
            << text << "</td>";
        }
      }
      h << "</tr>\n";
    }
    h << "</table>\n";
    if (!table.note.empty()) h << "<p class=\"note\">" << html_escape(table.note) << "</p>\n";
  }

  h << "<h2>Figures</h2>\n";
  for (const auto& [id, svg] : figures) h << "<figure id=\"" << html_escape(id) << "\">" << svg << "</figure>\n";

  h << "<h2>Reference figures</h2>\n";
  if (report["paper_reference"].is_null()) {
    h << "<p>The PoSE paper reports LLaMA-7B extended from 2k to 16k; this design (Lc " << report["lc"] << " → Lt "
      << report["lt"] << ") has no matching published figure.</p>\n";
  } else {
    const auto& ref = report["paper_reference"];
    h << "<p>" << html_escape(ref["source"]) << "</p>\n<table><tr><th>method</th>";
    for (const auto& L : ref["lengths"]) h << "<th>" << L << "</th>";
    h << "</tr>\n";
    for (const auto& [method, values] : ref["perplexity"].items()) {
      h << "<tr><td>" << html_escape(method) << "</td>";
      for (const auto& v : values) h << "<td>" << (v.is_null() ? std::string("&gt; 1000") : number(v.get<double>())) << "</td>";
      h << "</tr>\n";
    }
    h << "</table>\n<p>" << html_escape(ref["cost"]) << "</p>\n";
  }

  if (!options.settings_in_full) {
    // One line per evaluation: its kind and the settings that decide what it measured.
    h << "<h2>Evaluation settings</h2>\n<p>Every setting of the experiment, its runs and their evaluations is in "
         "the report's HTML or JSON export (<code>pose report --experiment "
      << html_escape(name) << " --out FILE.html</code>).</p>\n<ul>\n";
    for (const auto& run : report["runs"]) {
      for_each_listed_evaluation(run, [&](const json& e, const std::string& label) {
        std::string line;
        for (const char* key : {"lengths", "depths", "trials", "tasks", "length", "sequences", "split", "max_tokens"}) {
          if (!e["settings"].contains(key)) continue;
          const auto& v = e["settings"][key];
          // A long list (RULER's tasks) as its count: the line stays a line.
          const std::string value = v.is_string()                  ? v.get<std::string>()
                                    : v.is_array() && v.size() > 6 ? std::to_string(v.size()) + " of them"
                                                                   : v.dump();
          line += (line.empty() ? "" : "; ") + std::string(key) + " " + value;
        }
        h << "<li><b>" << html_escape(run["name"]) << "</b> · " << html_escape(e["kind"]) << html_escape(label) << ": "
          << html_escape(line) << "</li>\n";
      });
    }
    h << "</ul>\n<h2>Environment</h2>\n<ul>\n";
    for (const auto& env : report["environments"]) {
      std::string versions;
      for (const auto& [key, value] : env["versions"].items()) {
        versions += (versions.empty() ? "" : ", ") + key + " " + (value.is_string() ? value.get<std::string>() : value.dump());
      }
      h << "<li>" << html_escape(env.value("device", std::string())) << ": " << html_escape(versions) << "</li>\n";
    }
    h << "</ul>\n</body></html>\n";
    return h.str();
  }
  h << "<h2>Evaluation settings</h2>\n";
  for (const auto& run : report["runs"]) {
    for_each_listed_evaluation(run, [&](const json& e, const std::string& label) {
      h << "<details><summary>" << html_escape(run["name"]) << " · " << html_escape(e["kind"]) << html_escape(label)
        << "</summary><pre>" << html_escape(e["settings"].dump(2)) << "</pre></details>\n";
    });
  }
  h << "<h2>Environment</h2>\n<pre>" << html_escape(report["environments"].dump(2)) << "</pre>\n";
  h << "<h2>Specification</h2>\n<pre>" << html_escape(report["experiment"]["spec"].dump(2)) << "</pre>\n";
  for (const auto& run : report["runs"]) {
    h << "<details><summary>run " << html_escape(run["name"]) << " settings</summary><pre>"
      << html_escape(run["spec"].dump(2)) << "</pre></details>\n";
  }
  h << "</body></html>\n";
  return h.str();
}

std::string render_markdown(const json& report, const std::string& figure_dir, const std::string& figure_extension) {
  std::ostringstream m;
  m << "# " << markdown_cell(report["experiment"]["name"]) << "\n\n";
  const std::string description = report["experiment"]["spec"].value("description", std::string());
  if (!description.empty()) m << description << "\n\n";
  m << "Generated " << report["generated_at"].get<std::string>() << " by " << report["generated_by"].get<std::string>()
    << " from `" << report["store"].get<std::string>() << "`. Lc = " << report["lc"] << ", Lt = " << report["lt"]
    << ".\n\n## Runs\n";
  if (const auto seeds = seeds_sentence(report); !seeds.empty()) m << "\n" << seeds << "\n";
  for (const auto& table : summary_tables(report)) {
    m << "\n### " << markdown_cell(table.title) << "\n\n|";
    for (const auto& c : table.columns) m << " " << markdown_cell(c.title) << " |";
    m << "\n|";
    for (std::size_t i = 0; i < table.columns.size(); ++i) m << (i == 0 || table.columns.size() <= 3 ? " --- |" : " ---: |");
    m << "\n";
    for (const auto& run : report["runs"]) {
      m << "|";
      for (const auto& c : table.columns) m << " " << markdown_cell(c.cell(run)) << " |";
      m << "\n";
    }
    if (!table.note.empty()) m << "\n" << table.note << "\n";
  }
  m << "\n## Figures\n\n";
  for (const auto& [id, svg] : report_figures(report)) {
    (void)svg;
    m << "![" << id << "](" << figure_dir << "/" << id << "." << figure_extension << ")\n\n";
  }
  m << "## Reference figures\n\n";
  if (report["paper_reference"].is_null()) {
    m << "No published figure matches this design (Lc " << report["lc"] << " → Lt " << report["lt"] << ").\n\n";
  } else {
    m << report["paper_reference"].dump(2) << "\n\n";
  }
  m << "## Evaluation settings\n\n";
  for (const auto& run : report["runs"]) {
    for_each_listed_evaluation(run, [&](const json& e, const std::string& label) {
      m << "### " << markdown_cell(run["name"]) << " · " << e["kind"].get<std::string>() << markdown_cell(label)
        << "\n\n```json\n" << e["settings"].dump(2) << "\n```\n\n";
    });
  }
  m << "## Environment\n\n```json\n" << report["environments"].dump(2) << "\n```\n\n## Specification\n\n```json\n"
    << report["experiment"]["spec"].dump(2) << "\n```\n";
  return m.str();
}

std::string render_csv(const json& report) {
  // Long format: one measured value per line.
  std::ostringstream c;
  const auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (const char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
  };
  c << "run,kind,metric,length,depth,step,value\n";
  const auto row = [&](const std::string& run, const std::string& kind, const std::string& metric, const json& length,
                       const json& depth, const json& step, double value) {
    c << field(run) << "," << kind << "," << field(metric) << "," << (length.is_null() ? "" : length.dump()) << ","
      << (depth.is_null() ? "" : depth.dump()) << "," << (step.is_null() ? "" : step.dump()) << ","
      << number(value, 10) << "\n";
  };
  for (const auto& run : report["runs"]) {
    const std::string name = run["name"];
    for (const auto& [series, points] : run["series"].items()) {
      const std::string kind = is_periodic_series(series) ? "periodic" : "train";
      for (const auto& p : points) row(name, kind, series, nullptr, nullptr, p[0], p[1].get<double>());
    }
    for (const auto& e : run["evaluations"]) {
      const std::string kind = e["kind"];
      const json step = e.value("step", json());
      if (kind == "perplexity") {
        for (const auto& p : e["results"]) {
          if (p["perplexity"].is_number()) row(name, kind, "perplexity", p["length"], nullptr, step, p["perplexity"].get<double>());
        }
      } else if (kind == "passkey" || kind == "kv" || kind == "periodic-passkey") {
        for (const auto& cell : eval::retrieval_cells_from_json(e["results"])) {
          if (!cell.skipped.empty()) continue;
          row(name, kind, "accuracy", cell.length, cell.depth, step, cell.accuracy());
        }
      } else if (kind == "attention") {
        row(name, kind, "mean_beyond_window", e["settings"].value("length", json()), nullptr, step,
            e["results"].value("mean_beyond_window", 0.0));
      } else if (kind == "ruler" || kind == "periodic-ruler") {
        // One row per task and cell (metric "score:<task>", depth empty for tasks without one).
        for (const auto& cell : eval::ruler_result_from_json(e["results"]).cells) {
          if (!cell.skipped.empty() || cell.trials == 0) continue;
          row(name, kind, "score:" + cell.task, cell.length, cell.depth == eval::kNoDepth ? json() : json(cell.depth),
              step, cell.accuracy());
        }
      }
    }
  }
  return c.str();
}

std::vector<fs::path> write_report(const json& report, const fs::path& out, ReportFormat format) {
  std::vector<fs::path> written;
  const auto write = [&](const fs::path& path, const std::string& text) {
    if (!path.parent_path().empty()) fs::create_directories(path.parent_path());
    const fs::path tmp = temporary_path_for(path);
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      if (!f) throw UserError("cannot write " + tmp.string(), "choose a writable location for the report");
      f << text;
      f.flush();
      if (!f) throw UserError("writing " + tmp.string() + " failed (disk full?)", "free space or choose another location");
    }
    commit_file(tmp, path);
    written.push_back(path);
  };
  switch (format) {
    case ReportFormat::Html: write(out, render_html(report)); break;
    case ReportFormat::Csv: write(out, render_csv(report)); break;
    case ReportFormat::Json: write(out, report.dump(2) + "\n"); break;
    case ReportFormat::Markdown: {
      const std::string dir = out.stem().string() + "-figures";
      for (const auto& [id, svg] : report_figures(report)) write(out.parent_path() / dir / (id + ".svg"), svg + "\n");
      write(out, render_markdown(report, dir));
      break;
    }
  }
  return written;
}

}  // namespace pose::report
