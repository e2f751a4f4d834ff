// pose-studio: the PoSE Studio desktop workbench.
#include "i18n.h"
#include "main_window.h"

#include "common/logging.h"
#include "common/threads.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("PoSE Studio"));
  QApplication::setApplicationName(QStringLiteral("pose-studio"));
  QApplication::setApplicationVersion(QStringLiteral(POSE_STUDIO_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("PoSE Studio: design, train, evaluate and compare context extension of RoPE models."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption experiment({QStringLiteral("e"), QStringLiteral("experiment")},
                                QStringLiteral("Experiment spec (JSON) to open."), QStringLiteral("file"));
  QCommandLineOption logLevel(QStringLiteral("log-level"),
                              QStringLiteral("trace, debug, info (default), warn, error, off."),
                              QStringLiteral("level"), QStringLiteral("info"));
  QCommandLineOption language(QStringLiteral("language"),
                              QStringLiteral("system (default), en or zh_CN; overrides the setting."),
                              QStringLiteral("code"));
  QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                QStringLiteral("Save a PNG of the window after start-up, then quit."),
                                QStringLiteral("file"));
  QCommandLineOption store(QStringLiteral("store"),
                           QStringLiteral("Experiment store (SQLite) to read and write; remembered."),
                           QStringLiteral("file"));
  QCommandLineOption workspace(QStringLiteral("workspace"),
                               QStringLiteral("Workspace to show first: experiment, train, evaluate or compare."),
                               QStringLiteral("name"));
  parser.addOptions({experiment, logLevel, language, screenshot, store, workspace});
  parser.process(app);

  auto level = pose::logging::parse_level(parser.value(logLevel).toStdString());
  if (!level) {
    std::fprintf(stderr, "error: unknown log level '%s' — use trace, debug, info, warn, error or off\n",
                 qPrintable(parser.value(logLevel)));
    return 2;
  }
  pose::logging::Options logOptions;
  logOptions.level = *level;
  logOptions.file_name = "pose-studio.log";
  pose::logging::init(logOptions);
  pose::configure_threads(QSettings().value("engine/threads", 0).toInt());

  const QString languageSetting = parser.isSet(language)
                                      ? parser.value(language)
                                      : QSettings().value("ui/language", QStringLiteral("system")).toString();
  const QString inUse = pose::studio::installTranslators(app, languageSetting);
  spdlog::info("PoSE Studio {} starting (language {})", POSE_STUDIO_VERSION, inUse.toStdString());

  pose::studio::MainWindow window;
  if (parser.isSet(store)) window.setStoreFile(QFileInfo(parser.value(store)).absoluteFilePath());
  window.show();
  if (parser.isSet(experiment)) {
    QString error;
    if (!window.openExperiment(parser.value(experiment), &error)) {
      std::fprintf(stderr, "error: %s\n", qPrintable(error));
    }
  }

  if (parser.isSet(workspace)) {
    const QString name = parser.value(workspace).toLower();
    const QStringList names{QStringLiteral("experiment"), QStringLiteral("train"), QStringLiteral("evaluate"),
                            QStringLiteral("compare")};
    const int index = std::max(0, static_cast<int>(names.indexOf(name)));
    window.workspaces()->setCurrentIndex(index);
  }

  if (parser.isSet(screenshot)) {
    const QString path = parser.value(screenshot);
    QTimer::singleShot(800, &window, [&window, path] {
      const bool saved = window.grab().save(path);
      std::fprintf(saved ? stdout : stderr, saved ? "screenshot: %s\n" : "error: cannot write %s\n",
                   qPrintable(QFileInfo(path).absoluteFilePath()));
      QApplication::exit(saved ? 0 : 1);
    });
  }
  return app.exec();
}
