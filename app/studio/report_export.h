// The report formats that need a renderer the headless engine does not have:
// PDF (the HTML report laid out by Qt's text engine, its SVG figures
// rasterised at print resolution) and Markdown with PNG figures. The report
// itself — every number, table and figure — is core's (report/
// experiment_report.h), the same as `pose report` writes.
#pragma once

#include <QString>

#include <vector>

#include <nlohmann/json.hpp>

namespace pose::studio {

// A collected report (report::collect_report) as a PDF at `path`, written
// through a temporary file so an existing report is replaced whole or not at all.
bool write_report_pdf(const nlohmann::json& report, const QString& path, QString* error = nullptr);

// Markdown at `path` whose figures are PNG files in <stem>-figures/ beside it.
bool write_report_markdown_png(const nlohmann::json& report, const QString& path, QString* error = nullptr);

}  // namespace pose::studio
