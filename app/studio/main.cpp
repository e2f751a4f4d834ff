// pose-studio: the PoSE Studio desktop workbench.
#include "i18n.h"
#include "theme.h"
#include "main_window.h"
#include "run_controller.h"
#include "train_workspace.h"

#include "common/logging.h"
#include "common/threads.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <memory>
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
                               QStringLiteral("Workspace to show first: design, train, evaluate or compare."),
                               QStringLiteral("name"));
  QCommandLineOption exportReport(
      QStringLiteral("export-report"),
      QStringLiteral("Write the opened experiment's report from the store (.html, .pdf, .md with PNG figures, .csv, "
                     ".json), then quit."),
      QStringLiteral("file"));
  QCommandLineOption start(QStringLiteral("start"),
                           QStringLiteral("Start the opened experiment (Train workspace) right away."));
  QCommandLineOption resume(QStringLiteral("resume"),
                            QStringLiteral("With --start: skip finished runs and continue interrupted ones."));
  QCommandLineOption preset(QStringLiteral("preset"),
                            QStringLiteral("With --start: the spec's preset to apply (e.g. quick)."),
                            QStringLiteral("name"));
  QCommandLineOption screenshotAt(
      QStringLiteral("screenshot-at"),
      QStringLiteral("Save a PNG of the window once the periodic evaluation of RUN at STEP is drawn; repeatable. "
                     "After the last one the app stops the run (resumable) and quits."),
      QStringLiteral("run:step=file"));
  QCommandLineOption theme(QStringLiteral("theme"),
                           QStringLiteral("system (default), light or dark; overrides the setting."),
                           QStringLiteral("name"));
  QCommandLineOption windowSize(QStringLiteral("window-size"),
                                QStringLiteral("Window size WIDTHxHEIGHT, e.g. 1024x700 (for screenshots of small screens)."),
                                QStringLiteral("size"));
  parser.addOptions({theme, experiment, logLevel, language, screenshot, store, workspace, exportReport, start, resume, preset,
                     screenshotAt, windowSize});
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

  pose::studio::apply_theme(app, pose::studio::theme_from_name(
                                     parser.isSet(theme) ? parser.value(theme)
                                                         : QSettings().value(pose::studio::kThemeKey).toString()));

  const QString languageSetting = parser.isSet(language)
                                      ? parser.value(language)
                                      : QSettings().value("ui/language", QStringLiteral("system")).toString();
  const QString inUse = pose::studio::installTranslators(app, languageSetting);
  spdlog::info("PoSE Studio {} starting (language {})", POSE_STUDIO_VERSION, inUse.toStdString());

  pose::studio::MainWindow window;
  if (parser.isSet(store)) window.setStoreFile(QFileInfo(parser.value(store)).absoluteFilePath());
  if (parser.isSet(windowSize)) {
    const QStringList wh = parser.value(windowSize).split(QLatin1Char('x'));
    const QSize size = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
    if (!size.isValid() || size.isEmpty()) {
      std::fprintf(stderr, "error: --window-size %s: expected WIDTHxHEIGHT, e.g. 1024x700\n",
                   qPrintable(parser.value(windowSize)));
      return 2;
    }
    window.resize(size);
  }
  window.show();
  if (parser.isSet(experiment)) {
    QString error;
    if (!window.openExperiment(parser.value(experiment), &error)) {
      std::fprintf(stderr, "error: %s\n", qPrintable(error));
    }
  }

  if (parser.isSet(workspace)) {
    const QString name = parser.value(workspace).toLower();
    const QStringList names{QStringLiteral("design"), QStringLiteral("train"), QStringLiteral("evaluate"),
                            QStringLiteral("compare")};
    // "experiment": the Design workspace's former name.
    const int index = std::max(0, static_cast<int>(names.indexOf(name == QLatin1String("experiment") ? QStringLiteral("design") : name)));
    window.workspaces()->setCurrentIndex(index);
  }

  if (parser.isSet(exportReport)) {
    QString error;
    const QString out = QFileInfo(parser.value(exportReport)).absoluteFilePath();
    if (!window.exportReport(out, &error)) {
      std::fprintf(stderr, "error: %s\n", qPrintable(error));
      return 1;
    }
    std::fprintf(stdout, "report: %s\n", qPrintable(out));
    return 0;
  }

  // Screenshots at moments of a run: "pose-linear:20=/tmp/a.png".
  struct Moment {
    QString run;
    double step = 0;
    QString file;
  };
  auto moments = std::make_shared<QVector<Moment>>();
  for (const QString& value : parser.values(screenshotAt)) {
    const int colon = static_cast<int>(value.lastIndexOf(QLatin1Char(':'), value.indexOf(QLatin1Char('='))));
    const int equals = static_cast<int>(value.indexOf(QLatin1Char('=')));
    bool ok = colon > 0 && equals > colon;
    const double step = ok ? value.mid(colon + 1, equals - colon - 1).toDouble(&ok) : 0;
    if (!ok) {
      std::fprintf(stderr, "error: --screenshot-at %s: expected RUN:STEP=FILE, e.g. full-length:20=/tmp/a.png\n",
                   qPrintable(value));
      return 2;
    }
    moments->push_back({value.left(colon), step, QFileInfo(value.mid(equals + 1)).absoluteFilePath()});
  }
  if (!moments->isEmpty()) {
    auto* controller = window.runController();
    QObject::connect(controller, &pose::studio::RunController::periodicEvalArrived, &window,
                     [&window, moments, controller](const QString& run, qint64, const pose::widgets::PeriodicPoint& p) {
                       for (int i = 0; i < moments->size(); ++i) {
                         const Moment m = moments->at(i);
                         if (m.run != run || m.step != p.step) continue;
                         moments->removeAt(i);
                         // Let the queued replots happen first.
                         QTimer::singleShot(300, &window, [&window, m, moments, controller] {
                           const bool saved = window.grab().save(m.file);
                           std::fprintf(saved ? stdout : stderr, saved ? "screenshot: %s\n" : "error: cannot write %s\n",
                                        qPrintable(m.file));
                           if (moments->isEmpty()) {
                             controller->stop();
                             controller->waitForFinished(600000);
                             QApplication::exit(saved ? 0 : 1);
                           }
                         });
                         break;
                       }
                     });
  }
  if (parser.isSet(start)) {
    auto* train = window.trainWorkspace();
    window.showWorkspace(train);
    const int index = train->presetCombo()->findData(parser.value(preset));
    if (parser.isSet(preset) && index < 0) {
      std::fprintf(stderr, "error: --preset %s: the Train workspace offers the full experiment or quick\n",
                   qPrintable(parser.value(preset)));
      return 2;
    }
    train->presetCombo()->setCurrentIndex(std::max(0, index));
    train->resumeCheck()->setChecked(parser.isSet(resume));
    QString error;
    if (!train->start(&error)) {
      std::fprintf(stderr, "error: cannot start: %s\n", qPrintable(error));
      return 1;
    }
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
