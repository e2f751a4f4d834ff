#include "main_window.h"
#include "theme.h"

#include "design_workspace.h"

#include "about_dialog.h"
#include "compare_workspace.h"
#include "evaluate_workspace.h"
#include "run_controller.h"
#include "train_workspace.h"
#include "i18n.h"
#include "experiment_browser.h"
#include "gui_advice.h"
#include "json_tree_view.h"
#include "store_reader.h"
#include "log_panel.h"
#include "qt_log_sink.h"
#include "report_export.h"

#include "common/error.h"
#include "common/json_file.h"
#include "common/logging.h"
#include "common/threads.h"
#include "common/version.h"
#include "report/experiment_report.h"
#include "store/experiment_store.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QScrollArea>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <thread>

namespace pose::studio {

namespace {
constexpr int kMaxRecent = 8;
const char* kRecentKey = "experiments/recent";
const char* kLanguageKey = "ui/language";
const char* kStoreKey = "store/file";
}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("PoSE Studio"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/pose-studio.svg")));
  setAcceptDrops(true);
  controller_ = new RunController(this);
  storeFile_ = QSettings().value(kStoreKey, QString::fromStdString(store::default_store_file().string())).toString();
  createWorkspaces();
  createLogDock();
  createBrowserDock();
  createMenus();

  deviceLabel_ = new QLabel(this);
  const DeviceInfo dev = device_info();
  deviceLabel_->setText(dev.cuda_available
                            ? tr("Device: CUDA (%1)").arg(QString::fromStdString(dev.device_name))
                            : tr("Device: CPU"));
  statusBar()->addPermanentWidget(deviceLabel_);
  statusBar()->addPermanentWidget(
      new QLabel(tr("LibTorch %1").arg(QString::fromStdString(torch_version())), this));
  statusBar()->showMessage(tr("Ready"));

  QSettings settings;
  restoreGeometry(settings.value("window/geometry").toByteArray());
  restoreState(settings.value("window/state").toByteArray());
  if (!settings.contains("window/geometry")) {
    resize(1200, 780);
    // Dock sizes apply once the window is laid out (at whatever size it was
    // given by then): on a small screen they leave the workspace most of it.
    QTimer::singleShot(0, this, [this] {
      // The runs' names and status whole where the window has room for them
      // (at most a quarter of it, so a 1024-pixel window keeps its workspace).
      const int wanted = std::max(width() / 5, browser_->sizeHint().width());
      resizeDocks({browserDock_}, {std::clamp(wanted, browser_->minimumWidth(), std::max(browser_->minimumWidth(), std::min(320, width() / 4)))},
                  Qt::Horizontal);
      resizeDocks({logDock_}, {std::clamp(height() / 6, 80, 150)}, Qt::Vertical);
    });
  }
}

MainWindow::~MainWindow() {
  if (logSink_) {
    logSink_->detach();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), logSink_), sinks.end());
  }
}

void MainWindow::createWorkspaces() {
  workspaces_ = new QTabWidget(this);
  workspaces_->setDocumentMode(true);
  // Each workspace scrolls when the window is smaller than the workspace's own
  // minimum (a 1024 x 700 screen), instead of forcing the window larger than
  // the screen or growing it when a plot asks for more room.
  const auto scrollable = [this](QWidget* page) {
    auto* area = new QScrollArea(workspaces_);
    area->setWidget(page);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
  };

  // Experiment workspace: an empty state that points to the default experiment,
  // or the loaded spec.
  experimentPage_ = new QStackedWidget(workspaces_);
  experimentPage_->setObjectName(QStringLiteral("experimentPage"));
  auto* empty = new QLabel(experimentPage_);
  empty->setObjectName(QStringLiteral("emptyState"));
  empty->setAlignment(Qt::AlignCenter);
  empty->setWordWrap(true);
  empty->setText(tr("<h3>No experiment loaded</h3>"
                    "<p>Open an experiment spec with <b>File ▸ Open Experiment…</b> (Ctrl+O) "
                    "or drop a .json file here.</p>"
                    "<p>The default experiment is <tt>experiments/micro-pose.json</tt>: a small LLaMA "
                    "trained on the King James Bible and extended eightfold with PoSE and its baselines.</p>"));
  experimentPage_->addWidget(empty);

  auto* loaded = new QWidget(experimentPage_);
  auto* layout = new QVBoxLayout(loaded);
  experimentTitle_ = new QLabel(loaded);
  experimentTitle_->setObjectName(QStringLiteral("experimentTitle"));
  experimentTitle_->setTextFormat(Qt::RichText);
  experimentTitle_->setWordWrap(true);
  layout->addWidget(experimentTitle_);
  design_ = new DesignWorkspace(loaded);
  design_->setObjectName(QStringLiteral("designWorkspace"));
  specView_ = design_->jsonView();
  layout->addWidget(design_, 1);
  experimentPage_->addWidget(loaded);
  // Save and Start: the design was just saved (saved() made it the open
  // experiment, wherever it went), so it runs as the form shows it.
  connect(design_, &DesignWorkspace::startRequested, this, [this] {
    QString error;
    if (!startDesign(false, &error) && !error.isEmpty()) warn(tr("Cannot start"), error);
  });
  connect(design_, &DesignWorkspace::saved, this, [this] { followSavedDesign(); });
  connect(design_, &DesignWorkspace::modifiedChanged, this, [this] { updateTitle(); });
  connect(design_, &DesignWorkspace::openRequested, this, [this](const QString& path) {
    QString error;
    if (!openExperiment(path, &error) && !error.isEmpty()) warn(tr("Cannot open experiment"), error);
  });

  workspaces_->addTab(scrollable(experimentPage_), tr("Design"));

  train_ = new TrainWorkspace(controller_, workspaces_);
  train_->setObjectName(QStringLiteral("trainWorkspace"));
  // The Train workspace's Start goes the way Run ▸ Start goes: what the form shows.
  train_->setStartHandler([this] {
    QString error;
    if (!startDesign(true, &error) && !error.isEmpty()) warn(tr("Cannot start"), error);
  });
  train_->setStoreFile(storeFile_);
  workspaces_->addTab(scrollable(train_), tr("Train"));
  evaluate_ = new EvaluateWorkspace(workspaces_);
  evaluate_->setObjectName(QStringLiteral("evaluateWorkspace"));
  evaluate_->setStoreFile(storeFile_);
  workspaces_->addTab(scrollable(evaluate_), tr("Evaluate"));
  compare_ = new CompareWorkspace(workspaces_);
  compare_->setObjectName(QStringLiteral("compareWorkspace"));
  compare_->setStoreFile(storeFile_);
  workspaces_->addTab(scrollable(compare_), tr("Compare"));
  setCentralWidget(workspaces_);

  // Evaluations of a live run appear as they are stored.
  connect(controller_, &RunController::evalResult, evaluate_, [this] { evaluate_->refresh(); });
  connect(controller_, &RunController::finished, evaluate_, [this] {
    evaluate_->refresh();
    compare_->refresh();
  });
  connect(controller_, &RunController::runFinished, compare_, [this] { compare_->refresh(); });
  // A run that finished is a new measurement of this machine's throughput:
  // the design's time estimate takes it at once.
  connect(controller_, &RunController::runFinished, this, [this] { updateDesignThroughput(); });
}

void MainWindow::showWorkspace(QWidget* page) {
  for (int i = 0; i < workspaces_->count(); ++i) {
    if (workspaces_->widget(i) == page || workspaces_->widget(i)->isAncestorOf(page)) {
      workspaces_->setCurrentIndex(i);
      return;
    }
  }
}

void MainWindow::createLogDock() {
  logPanel_ = new pose::widgets::LogPanel(this);
  logDock_ = new QDockWidget(tr("Log"), this);
  logDock_->setObjectName(QStringLiteral("logDock"));
  logDock_->setWidget(logPanel_);
  addDockWidget(Qt::BottomDockWidgetArea, logDock_);

  logBridge_ = new LogBridge;
  logBridge_->setParent(this);
  // The engine's lines advise the command line; the log names the GUI's action.
  connect(logBridge_, &LogBridge::line, logPanel_,
          [this](int level, const QString& text) { logPanel_->appendLine(level, with_gui_advice(text)); });
  logSink_ = std::make_shared<QtLogSink>(logBridge_);
  logSink_->set_pattern("%H:%M:%S [%l] %v");
  logging::add_sink(logSink_);
}

void MainWindow::createBrowserDock() {
  browser_ = new pose::widgets::ExperimentBrowser(this);
  browserDock_ = new QDockWidget(tr("Experiments"), this);
  browserDock_->setObjectName(QStringLiteral("browserDock"));
  browserDock_->setWidget(browser_);
  // Never a sliver: a saved layout or a drag cannot squeeze the run names and
  // their status out of sight (the window's state is restored within this).
  browser_->setMinimumWidth(browser_->fontMetrics().averageCharWidth() * 30);
  addDockWidget(Qt::LeftDockWidgetArea, browserDock_);
  connect(browser_, &pose::widgets::ExperimentBrowser::experimentActivated, this,
          &MainWindow::showStoredExperiment);
  // While an experiment runs, the browser follows its runs' status.
  auto* timer = new QTimer(this);
  timer->setInterval(3000);
  connect(timer, &QTimer::timeout, this, [this] {
    if (controller_->isRunning()) refreshBrowser();
  });
  timer->start();
  connect(controller_, &RunController::runStarted, this, [this] { refreshBrowser(); });
  connect(controller_, &RunController::runFinished, this, [this] { refreshBrowser(); });
  connect(controller_, &RunController::finished, this, [this] { refreshBrowser(); });
  refreshBrowser();
}

namespace {

// One line about an evaluation for the browser.
QString evaluation_summary(const StoredEval& e) {
  const auto& r = e.results;
  if (e.kind == QLatin1String("perplexity") && r.is_array() && !r.empty()) {
    const auto& last = r.back();
    return QStringLiteral("ppl@%1 %2")
        .arg(last.value("length", 0))
        .arg(last.value("perplexity", 0.0), 0, 'g', 4);
  }
  if ((e.kind == QLatin1String("passkey") || e.kind == QLatin1String("kv")) && r.is_array()) {
    qint64 trials = 0, correct = 0;
    for (const auto& c : r) {
      trials += c.value("trials", qint64(0));
      correct += c.value("correct", qint64(0));
    }
    return QStringLiteral("%1 / %2").arg(correct).arg(trials);
  }
  if (e.kind == QLatin1String("attention") && r.is_object()) {
    return QStringLiteral("> Lc %1 %").arg(100.0 * r.value("mean_beyond_window", 0.0), 0, 'f', 1);
  }
  return {};
}

}  // namespace

void MainWindow::refreshBrowser() {
  QVector<pose::widgets::BrowserExperiment> out;
  try {
    const StoreReader reader(storeFile_);
    for (const auto& e : reader.experiments()) {
      pose::widgets::BrowserExperiment be;
      be.id = e.id;
      be.name = e.name;
      for (const auto& r : e.runs) {
        pose::widgets::BrowserRun br;
        br.id = r.id;
        br.name = r.name;
        br.kind = r.kind;
        br.status = r.status;
        br.message = r.message;
        br.colorIndex = r.colorIndex;
        qint64 index = 0;
        for (const auto& ev : reader.evaluations(r.id)) {
          if (ev.kind == QLatin1String("data-summary")) continue;
          br.evaluations.push_back({r.id * 1000 + index++, ev.kind, evaluation_summary(ev), ev.step.value_or(-1),
                                    ev.createdAt});
        }
        be.runs.push_back(std::move(br));
      }
      out.push_back(std::move(be));
    }
  } catch (const std::exception& e) {
    statusBar()->showMessage(tr("Cannot read the store: %1").arg(QString::fromStdString(e.what())));
  }
  browser_->setExperiments(out);
}

void MainWindow::showStoredExperiment(const QString& name) {
  if (name.isEmpty() || name == shownExperiment_) return;
  shownExperiment_ = name;
  evaluate_->setExperiment(name);
  compare_->setExperiment(name);
  // Train starts the opened spec; another stored experiment is shown read-only.
  if (name == specExperimentName_) {
    train_->setExperiment(experimentPath_, name, trainRuns_);
  } else {
    train_->setExperiment(QString(), name, {});
  }
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open Experiment…"), this, &MainWindow::chooseExperiment);
  open->setShortcut(QKeySequence::Open);
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  rebuildRecentMenu();
  QAction* save = file->addAction(tr("&Save Experiment"), this, [this] {
    QString error;
    if (!saveDesign(&error) && !error.isEmpty()) warn(tr("Cannot save"), error);
  });
  save->setShortcut(QKeySequence::Save);
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);

  QAction* report = file->addAction(tr("&Export Report…"), this, &MainWindow::chooseReportFile);
  report->setShortcut(Qt::CTRL | Qt::Key_E);
  file->insertAction(quit, report);
  QAction* store = file->addAction(tr("Choose &Store…"), this, &MainWindow::chooseStore);
  store->setToolTip(tr("The SQLite experiment store the workbench reads and runs write"));
  file->insertAction(quit, store);
  file->insertSeparator(quit);

  // Run controls act on the experiment the engine executes on its worker thread.
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  startAction_ = run->addAction(tr("&Start"), this, [this] {
    QString error;
    if (!startDesign(true, &error) && !error.isEmpty()) warn(tr("Cannot start"), error);
  });
  startAction_->setObjectName(QStringLiteral("startAction"));
  startAction_->setShortcut(Qt::Key_F5);
  pauseAction_ = run->addAction(tr("&Pause"), this, [this] {
    controller_->isPaused() ? controller_->resume() : controller_->pause();
  });
  pauseAction_->setShortcut(Qt::Key_F6);
  stopAction_ = run->addAction(tr("S&top"), controller_, &RunController::stop);
  stopAction_->setShortcut(Qt::SHIFT | Qt::Key_F5);
  run->addSeparator();
  // The engine's CPU threads (QSettings engine/threads, read at start-up too).
  // Two experiments on one machine run fastest with half the cores each
  // (docs/PERFORMANCE.md), so the number is the user's to choose.
  run->addAction(tr("CPU &Threads…"), this, [this] {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    bool ok = false;
    const int threads = QInputDialog::getInt(
        this, tr("CPU threads"),
        tr("Threads for training and evaluation on the CPU (0: all %1 cores).\n"
           "When another experiment runs on this machine, give each half the cores.")
            .arg(cores),
        QSettings().value("engine/threads", 0).toInt(), 0, cores, 1, &ok);
    if (!ok) return;
    QSettings().setValue("engine/threads", threads);
    statusBar()->showMessage(tr("The engine uses %1 CPU threads").arg(pose::configure_threads(threads)));
  });
  connect(controller_, &RunController::experimentStarted, this, [this] { updateRunActions(); });
  connect(controller_, &RunController::finished, this, [this](bool ok, const QString& message) {
    updateRunActions();
    statusBar()->showMessage(ok ? tr("Experiment finished: %1").arg(message) : tr("Experiment stopped: %1").arg(message));
  });
  connect(controller_, &RunController::pausedChanged, this, [this](bool paused) {
    pauseAction_->setText(paused ? tr("&Resume") : tr("&Pause"));
  });
  updateRunActions();

  QMenu* view = menuBar()->addMenu(tr("&View"));
  QAction* logToggle = logDock_->toggleViewAction();
  logToggle->setText(tr("&Log Panel"));
  logToggle->setShortcut(Qt::CTRL | Qt::Key_L);
  view->addAction(logToggle);
  QAction* browserToggle = browserDock_->toggleViewAction();
  browserToggle->setText(tr("&Experiment Browser"));
  browserToggle->setShortcut(Qt::CTRL | Qt::Key_B);
  view->addAction(browserToggle);
  QMenu* language = view->addMenu(tr("&Language"));
  auto* group = new QActionGroup(this);
  const QString current = QSettings().value(kLanguageKey, QStringLiteral("system")).toString();
  const QList<QPair<QString, QString>> languages = {
      {QStringLiteral("system"), tr("System Default")},
      {QStringLiteral("en"), QStringLiteral("English")},
      {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
  for (const auto& [code, label] : languages) {
    QAction* a = language->addAction(label);
    a->setCheckable(true);
    a->setChecked(code == current);
    group->addAction(a);
    connect(a, &QAction::triggered, this, [this, code = code] { setLanguage(code); });
  }
  QMenu* appearance = view->addMenu(tr("&Appearance"));
  auto* themes = new QActionGroup(this);
  const Theme currentTheme = theme_from_name(QSettings().value(kThemeKey).toString());
  for (const auto& [theme, label] : {std::pair{Theme::System, tr("System")}, std::pair{Theme::Light, tr("Light")},
                                     std::pair{Theme::Dark, tr("Dark")}}) {
    QAction* a = appearance->addAction(label);
    a->setObjectName(QStringLiteral("theme_") + theme_name(theme));
    a->setCheckable(true);
    a->setChecked(theme == currentTheme);
    themes->addAction(a);
    connect(a, &QAction::triggered, this, [theme = theme] {
      QSettings().setValue(kThemeKey, theme_name(theme));
      apply_theme(*qApp, theme);
    });
  }
  QAction* fullScreen = view->addAction(tr("&Full Screen"));
  fullScreen->setShortcut(QKeySequence::FullScreen);
  fullScreen->setCheckable(true);
  connect(fullScreen, &QAction::toggled, this,
          [this](bool on) { on ? showFullScreen() : showNormal(); });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About PoSE Studio"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

bool MainWindow::openExperiment(const QString& path, QString* error) {
  if (!settleUnsavedDesign()) {
    if (error) error->clear();  // the user kept the open design
    return false;
  }
  try {
    nlohmann::json spec = pose::read_json_file(path.toStdString());
    if (!spec.is_object()) {
      throw pose::UserError(path.toStdString() + ": an experiment spec is a JSON object",
                            "start the file with { and name the fields");
    }
    experimentPath_ = QFileInfo(path).absoluteFilePath();
    showExperiment(spec);
    statusBar()->showMessage(tr("Loaded %1").arg(experimentPath_), 5000);
    spdlog::info("loaded experiment {}", experimentPath_.toStdString());
    return true;
  } catch (const std::exception& e) {
    const QString message = QString::fromStdString(e.what());
    spdlog::error("cannot open experiment: {}", e.what());
    if (error) *error = message;
    return false;
  }
}

void MainWindow::showExperiment(const nlohmann::json& spec) {
  design_->setSpec(spec, experimentPath_);
  experimentPage_->setCurrentIndex(1);
  followSavedDesign();
}

void MainWindow::followSavedDesign() {
  experimentPath_ = design_->path();
  const nlohmann::json& spec = design_->document();
  const QString name = QString::fromStdString(spec.value("name", std::string()));
  const QString description = QString::fromStdString(spec.value("description", std::string()));
  experimentTitle_->setText(QStringLiteral("<h2>%1</h2><p>%2</p><p><small>%3</small></p>")
                                .arg(name.isEmpty() ? tr("Untitled experiment") : name.toHtmlEscaped(),
                                     description.toHtmlEscaped(), experimentPath_.toHtmlEscaped()));
  // Runs in the order the runner creates them: their colours in every plot.
  QStringList runs{QStringLiteral("data"), QStringLiteral("base")};
  if (spec.contains("extend") && spec["extend"].is_array()) {
    for (const auto& r : spec["extend"]) {
      if (r.is_object() && r.contains("name") && r["name"].is_string()) runs << QString::fromStdString(r["name"]);
    }
  }
  specExperimentName_ = name;
  shownExperiment_ = name;
  trainRuns_ = runs;
  updateDesignThroughput();
  train_->setExperiment(experimentPath_, name, runs);
  evaluate_->setExperiment(name);
  compare_->setExperiment(name);
  browser_->setCurrentExperiment(name);
  if (!experimentPath_.isEmpty()) rememberRecent(experimentPath_);
  updateRunActions();
  updateTitle();
}

void MainWindow::updateTitle() {
  if (experimentPage_->currentIndex() == 0) {
    setWindowTitle(tr("PoSE Studio"));
    setWindowModified(false);
    return;
  }
  QString name = QString::fromStdString(design_->document().value("name", std::string()));
  if (name.isEmpty()) name = design_->path().isEmpty() ? tr("Untitled experiment") : QFileInfo(design_->path()).fileName();
  // "[*]" shows as "*" while the design has unsaved edits.
  setWindowTitle(tr("%1[*] — PoSE Studio").arg(name));
  setWindowModified(design_->isModified());
}

QMessageBox::StandardButton MainWindow::ask(QMessageBox::Icon icon, const QString& title, const QString& text,
                                            QMessageBox::StandardButtons buttons) {
  if (message_) return message_(icon, title, text, buttons);
  QMessageBox box(icon, title, text, buttons, this);
  return static_cast<QMessageBox::StandardButton>(box.exec());
}

void MainWindow::warn(const QString& title, const QString& text) {
  ask(QMessageBox::Warning, title, with_gui_advice(text), QMessageBox::Ok);
}

bool MainWindow::saveDesign(QString* error) {
  if (error) error->clear();
  if (experimentPage_->currentIndex() == 0) {
    if (error) *error = tr("No experiment is open.");
    return false;
  }
  QString path = design_->path();
  if (path.isEmpty()) {
    const QString name = QString::fromStdString(design_->document().value("name", std::string("experiment")));
    path = QFileDialog::getSaveFileName(this, tr("Save Experiment Spec"), name + QStringLiteral(".json"),
                                        tr("Experiment specs (*.json);;All files (*)"));
    if (path.isEmpty()) return false;  // the user chose not to save
  }
  // saved() brings the other workspaces to the saved design.
  return design_->save(path, error);
}

bool MainWindow::settleUnsavedDesign() {
  if (experimentPage_->currentIndex() == 0 || !design_->isModified()) return true;
  const QString name = QString::fromStdString(design_->document().value("name", std::string()));
  const auto answer = ask(QMessageBox::Warning, tr("Unsaved changes"),
                          tr("The design %1 has changes that are not saved. Save them first?").arg(name),
                          QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
  if (answer == QMessageBox::Discard) return true;
  if (answer != QMessageBox::Save) return false;
  QString error;
  if (saveDesign(&error)) return true;
  if (!error.isEmpty()) warn(tr("Cannot save"), error);
  return false;
}

bool MainWindow::startDesign(bool askFirst, QString* error) {
  if (error) error->clear();
  if (controller_->isRunning()) {
    if (error) *error = tr("An experiment is already running; stop it first.");
    return false;
  }
  if (experimentPage_->currentIndex() == 0) {
    if (error) *error = tr("No experiment is open: open a spec with File ▸ Open Experiment.");
    return false;
  }
  // What runs is what the form shows: never a design the form marks wrong,
  // never the file's older version of an edited one.
  if (!design_->validationError().isEmpty()) {
    showWorkspace(experimentPage_);
    if (error) *error = tr("The design has an error; correct it in the Design workspace first.\n\n%1").arg(design_->problemText());
    return false;
  }
  if (design_->isModified() || design_->path().isEmpty()) {
    if (askFirst) {
      const QString where = design_->path().isEmpty() ? tr("a new file") : design_->path();
      const auto answer = ask(QMessageBox::Question, tr("Unsaved changes"),
                              tr("The Design form has changes that are not saved. Save them to %1 and start "
                                 "what the form shows?").arg(where),
                              QMessageBox::Save | QMessageBox::Cancel);
      if (answer != QMessageBox::Save) return false;
    }
    if (!saveDesign(error)) return false;
  }
  showWorkspace(train_);
  return train_->start(error);
}

// The design's time estimate takes its throughput from its experiment's last
// finished run in the store (none yet: no time estimate).
void MainWindow::updateDesignThroughput() {
  try {
    const StoreReader reader(storeFile_);
    if (const auto e = reader.experiment(specExperimentName_)) {
      if (const auto t = reader.trainingThroughput(*e)) {
        design_->setThroughput(t->first, t->second);
        return;
      }
    }
  } catch (const std::exception& e) {
    spdlog::warn("design: no throughput from the store: {}", e.what());
  }
  design_->setThroughput(0, {});
}

void MainWindow::updateRunActions() {
  const bool running = controller_->isRunning();
  startAction_->setEnabled(!running && experimentPage_->currentIndex() == 1);
  pauseAction_->setEnabled(running);
  stopAction_->setEnabled(running);
  if (!running) pauseAction_->setText(tr("&Pause"));
}

void MainWindow::setStoreFile(const QString& file) {
  storeFile_ = file;
  QSettings().setValue(kStoreKey, file);
  train_->setStoreFile(file);
  evaluate_->setStoreFile(file);
  compare_->setStoreFile(file);
  refreshBrowser();
  statusBar()->showMessage(tr("Store: %1").arg(file), 5000);
}

void MainWindow::chooseStore() {
  if (controller_->isRunning()) {
    QMessageBox::information(this, tr("Experiment running"), tr("Stop the running experiment before changing the store."));
    return;
  }
  const QString path = QFileDialog::getSaveFileName(this, tr("Experiment Store"), storeFile_,
                                                    tr("Experiment stores (*.sqlite);;All files (*)"), nullptr,
                                                    QFileDialog::DontConfirmOverwrite);
  if (!path.isEmpty()) setStoreFile(path);
}

bool MainWindow::exportReport(const QString& path, QString* error) {
  try {
    if (shownExperiment_.isEmpty()) {
      throw pose::UserError("no experiment is shown", "open an experiment or pick one in the experiment browser");
    }
    const auto st = store::ExperimentStore::open(storeFile_.toStdString(), store::ExperimentStore::Mode::ReadOnly);
    const auto report = report::collect_report(st, {shownExperiment_.toStdString(), {}});
    const std::filesystem::path out = path.toStdString();
    QString problem;
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) {
      if (!write_report_pdf(report, path, &problem)) throw pose::UserError(problem.toStdString(), "choose another file");
    } else if (path.endsWith(QLatin1String(".md"), Qt::CaseInsensitive)) {
      // The workbench rasterises the figures: Markdown viewers show PNG everywhere.
      if (!write_report_markdown_png(report, path, &problem)) throw pose::UserError(problem.toStdString(), "choose another file");
    } else {
      report::write_report(report, out, report::format_for_path(out));
    }
    statusBar()->showMessage(tr("Report written to %1").arg(path), 8000);
    spdlog::info("report written to {}", path.toStdString());
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

void MainWindow::chooseReportFile() {
  const QString suggested = shownExperiment_.isEmpty() ? QStringLiteral("report.html") : shownExperiment_ + ".html";
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export Report"), suggested,
      tr("Self-contained HTML (*.html);;PDF (*.pdf);;Markdown with PNG figures (*.md);;CSV data (*.csv);;JSON data (*.json)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportReport(path, &error)) warn(tr("Cannot export the report"), error);
}

void MainWindow::chooseExperiment() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Experiment"), QString(),
                                                    tr("Experiment specs (*.json);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!openExperiment(path, &error) && !error.isEmpty()) warn(tr("Cannot open experiment"), error);
}

QStringList MainWindow::recentExperiments() const {
  return QSettings().value(kRecentKey).toStringList();
}

void MainWindow::rememberRecent(const QString& path) {
  QStringList recent = recentExperiments();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent) recent.removeLast();
  QSettings().setValue(kRecentKey, recent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentExperiments();
  for (const QString& path : recent) {
    recentMenu_->addAction(path, this, [this, path] {
      QString error;
      if (!openExperiment(path, &error) && !error.isEmpty()) warn(tr("Cannot open experiment"), error);
    });
  }
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showAbout() {
  AboutDialog dialog(this);
  dialog.exec();
}

void MainWindow::setLanguage(const QString& language) {
  QSettings().setValue(kLanguageKey, language);
  QMessageBox::information(this, tr("Language"),
                           tr("The language changes the next time PoSE Studio starts."));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!settleUnsavedDesign()) {
    event->ignore();
    return;
  }
  if (controller_->isRunning()) {
    const auto answer = ask(
        QMessageBox::Question, tr("Experiment running"),
        tr("An experiment is running. Stop it (a checkpoint is written; Resume continues it) and quit?"),
        QMessageBox::Yes | QMessageBox::No);
    if (answer != QMessageBox::Yes) {
      event->ignore();
      return;
    }
    controller_->stop();
    controller_->waitForFinished(600000);
  }
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("window/state", saveState());
  event->accept();
}

bool MainWindow::designFromHfDirectory(const QString& dir, QString* error) {
  if (!QFileInfo::exists(dir + QStringLiteral("/config.json"))) {
    if (error) *error = tr("%1 has no config.json: drop a Hugging Face model directory or a spec (.json)").arg(dir);
    return false;
  }
  // The open design (or the default experiment as a template) with this model
  // as its base: its own tokenizer, no base training.
  nlohmann::json doc;
  QString path = experimentPath_;
  if (experimentPath_.isEmpty()) {
    try {
      doc = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
    } catch (const std::exception& e) {
      if (error) *error = QString::fromStdString(e.what());
      return false;
    }
    doc["name"] = QFileInfo(dir).fileName().replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-")).toStdString();
    doc.erase("presets");  // they patch the template's small model
    path.clear();
  } else {
    doc = design_->document();  // unsaved edits included: this is one more edit
  }
  // Lc becomes the model's own window (its max_position_embeddings).
  doc["base_model"] = {{"kind", "hf"}, {"path", QFileInfo(dir).absoluteFilePath().toStdString()}};
  if (doc.contains("data") && doc["data"].is_object()) {
    doc["data"]["tokenizer"] = {{"kind", "base-model"}};
    doc["data"].erase("passkey_share");  // only for a base model trained here
  }
  // Not saved anywhere yet: the title marks it, and Start saves it first.
  design_->setSpec(doc, path, false);
  experimentPage_->setCurrentIndex(1);
  showWorkspace(experimentPage_);
  updateTitle();
  updateRunActions();
  statusBar()->showMessage(tr("Design with base model %1: check the fields and save").arg(dir), 8000);
  return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls()) {
    if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isDir()) {
      QString error;
      if (!designFromHfDirectory(url.toLocalFile(), &error) && !error.isEmpty()) {
        warn(tr("Cannot use this directory"), error);
      }
      return;
    }
    if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".json"))) {
      QString error;
      if (!openExperiment(url.toLocalFile(), &error) && !error.isEmpty()) {
        warn(tr("Cannot open experiment"), error);
      }
      return;
    }
  }
}

}  // namespace pose::studio
