#include "report_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgRenderer>
#include <QTextDocument>
#include <QUrl>

#include "report/experiment_report.h"

namespace pose::studio {

namespace {

// An SVG figure as an image `scale` times its own size, on white.
QImage rasterise(const std::string& svg, double scale) {
  QSvgRenderer renderer(QByteArray::fromStdString(svg));
  if (!renderer.isValid()) return {};
  const QSize size = (QSizeF(renderer.defaultSize()) * scale).toSize();
  QImage image(size, QImage::Format_ARGB32);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  renderer.render(&painter);
  return image;
}

bool fail(QString* error, const QString& message) {
  if (error) *error = message;
  return false;
}

}  // namespace

bool write_report_pdf(const nlohmann::json& report, const QString& path, QString* error) {
  std::string html;
  std::vector<std::pair<std::string, std::string>> figures;
  try {
    report::HtmlOptions options;
    options.settings_in_full = false;  // a printed page of JSON per run would hide the results
    html = report::render_html(report, options);
    figures = report::report_figures(report);
  } catch (const std::exception& e) {
    return fail(error, QString::fromStdString(e.what()));
  }
  // Qt's text engine draws no inline SVG: each <svg> of the HTML (the figures,
  // in report_figures' order) becomes an image resource.
  QTextDocument document;
  std::string laidOut;
  std::size_t from = 0, index = 0;
  while (true) {
    const std::size_t begin = html.find("<svg", from);
    if (begin == std::string::npos || index >= figures.size()) break;
    const std::size_t end = html.find("</svg>", begin);
    if (end == std::string::npos) break;
    const QString name = QStringLiteral("figure-%1").arg(index);
    const QImage image = rasterise(figures[index].second, 2.5);
    if (image.isNull()) return fail(error, QStringLiteral("figure %1 of the report cannot be drawn").arg(QString::fromStdString(figures[index].first)));
    document.addResource(QTextDocument::ImageResource, QUrl(name), image);
    laidOut += html.substr(from, begin - from);
    laidOut += "<p><img src=\"" + name.toStdString() + "\" width=\"620\"></p>";
    from = end + 6;
    ++index;
  }
  laidOut += html.substr(from);
  document.setHtml(QString::fromStdString(laidOut));

  const QString temporary = path + QStringLiteral(".part");
  {
    QPdfWriter writer(temporary);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    writer.setResolution(150);
    writer.setTitle(QString::fromStdString(report["experiment"]["name"].get<std::string>()) + QStringLiteral(" — PoSE Studio report"));
    writer.setCreator(QStringLiteral("PoSE Studio"));
    document.setPageSize(QSizeF(writer.width(), writer.height()));
    document.print(&writer);
  }
  if (!QFileInfo::exists(temporary) || QFileInfo(temporary).size() == 0) {
    QFile::remove(temporary);
    return fail(error, QStringLiteral("%1: cannot write the PDF (is the folder writable?)").arg(path));
  }
  QFile::remove(path);
  if (!QFile::rename(temporary, path)) {
    QFile::remove(temporary);
    return fail(error, QStringLiteral("%1: cannot replace the file").arg(path));
  }
  return true;
}

bool write_report_markdown_png(const nlohmann::json& report, const QString& path, QString* error) {
  const QFileInfo info(path);
  const QString figureDirName = info.completeBaseName() + QStringLiteral("-figures");
  const QDir figureDir(info.absoluteDir().filePath(figureDirName));
  if (!QDir().mkpath(figureDir.absolutePath())) {
    return fail(error, QStringLiteral("%1: cannot create the figure folder").arg(figureDir.absolutePath()));
  }
  std::string markdown;
  try {
    for (const auto& [id, svg] : report::report_figures(report)) {
      const QString file = figureDir.filePath(QString::fromStdString(id) + QStringLiteral(".png"));
      const QImage image = rasterise(svg, 2.0);
      if (image.isNull() || !image.save(file, "PNG")) return fail(error, QStringLiteral("%1: cannot write the figure").arg(file));
    }
    markdown = report::render_markdown(report, figureDirName.toStdString(), "png");
  } catch (const std::exception& e) {
    return fail(error, QString::fromStdString(e.what()));
  }
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(QByteArray::fromStdString(markdown)) < 0 || !out.commit()) {
    return fail(error, QStringLiteral("%1: cannot write the report (%2)").arg(path, out.errorString()));
  }
  return true;
}

}  // namespace pose::studio
