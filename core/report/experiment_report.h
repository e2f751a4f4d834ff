// Experiment reports: everything the store holds about an experiment (or a
// selection of its runs) gathered into one JSON document — specs, the
// environment each run ran in, curves, every evaluation with its settings,
// a summary table, and the PoSE paper's reference figures where the design
// matches one — and rendered as a self-contained HTML file (SVG plots inline),
// Markdown with SVG figures beside it, CSV (long format) or JSON. Pure C++:
// `pose report` writes the same files headless as the workbench exports.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/experiment_store.h"

namespace pose::report {

enum class ReportFormat { Html, Markdown, Csv, Json };
// "html", "md" / "markdown", "csv", "json"; UserError otherwise.
ReportFormat parse_report_format(const std::string& name);
// From a file name's extension (.html, .md, .csv, .json); UserError for others.
ReportFormat format_for_path(const std::filesystem::path& path);

struct ReportOptions {
  std::string experiment;
  std::vector<std::string> runs;  // empty: every run of the experiment
};

// Throws UserError for an unknown experiment or run (with the names there are).
nlohmann::json collect_report(const store::ExperimentStore& store, const ReportOptions& options);

// Figures of a collected report as SVG documents, by file-friendly name
// ("perplexity-vs-length", "loss-extension-runs", "passkey-pose-yarn", ...), in order.
std::vector<std::pair<std::string, std::string>> report_figures(const nlohmann::json& report);

struct HtmlOptions {
  // Every setting as JSON (the spec, each run's and each evaluation's settings,
  // the environment), folded in <details>. A printed report (the workbench's
  // PDF) sets it false: a page of settings per run hides the results, so it
  // lists the evaluations in one line each and says where the full settings are.
  bool settings_in_full = true;
};
std::string render_html(const nlohmann::json& report, const HtmlOptions& options = {});
// `figure_dir`: where the Markdown links its figures (relative to the .md file);
// `figure_extension`: "svg" (what write_report writes) or "png" (the workbench
// rasterises the figures).
std::string render_markdown(const nlohmann::json& report, const std::string& figure_dir,
                            const std::string& figure_extension = "svg");
std::string render_csv(const nlohmann::json& report);

// Writes the report to `out` in `format`; Markdown also writes its figures to
// <out stem>-figures/. Files are replaced atomically. Returns the files written.
std::vector<std::filesystem::path> write_report(const nlohmann::json& report, const std::filesystem::path& out,
                                                ReportFormat format);

}  // namespace pose::report
