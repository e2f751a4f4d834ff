// The workbench window: menus, About, opening experiments (good and bad), recent list.
#include <QtTest>

#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>

#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QSpinBox>

#include "about_dialog.h"
#include "common/json_file.h"
#include "json_tree_view.h"
#include "log_panel.h"
#include "design_workspace.h"
#include "main_window.h"
#include "run_controller.h"
#include "store/experiment_store.h"
#include "theme.h"
#include "train_workspace.h"

#include <QStyle>
#include <qcustomplot.h>

#include <torch/version.h>

namespace {

// What the window asked or warned, and the answer the test gives.
struct Messages {
  struct Shown {
    QMessageBox::Icon icon;
    QString title, text;
  };
  QVector<Shown> shown;
  QMessageBox::StandardButton answer = QMessageBox::Cancel;
  pose::studio::MainWindow::MessageHandler handler() {
    return [this](QMessageBox::Icon icon, const QString& title, const QString& text, QMessageBox::StandardButtons) {
      shown.push_back({icon, title, text});
      return answer;
    };
  }
};

// A copy of the default experiment the test may change and save, named so its
// work directory is its own; `runs`: the extension runs it keeps.
QString copyOfDefault(const QTemporaryDir& dir, const QString& name, const QStringList& runs = {}) {
  nlohmann::json doc = pose::read_json_file(POSE_DEFAULT_EXPERIMENT);
  doc["name"] = name.toStdString();
  if (!runs.isEmpty()) {
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& r : doc["extend"]) {
      if (runs.contains(QString::fromStdString(r["name"]))) kept.push_back(r);
    }
    doc["extend"] = kept;
  }
  const QString file = dir.filePath(name + ".json");
  pose::write_json_file(file.toStdString(), doc);
  return file;
}

}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("PoSE Studio Tests");
    QCoreApplication::setApplicationName("test_main_window");
    QSettings().clear();
  }

  void hasTheFourMenus() {
    pose::studio::MainWindow w;
    QStringList titles;
    for (QAction* a : w.menuBar()->actions()) titles << a->text();
    QCOMPARE(titles, (QStringList{"&File", "&Run", "&View", "&Help"}));
  }

  // View ▸ Appearance ▸ Dark applies the dark palette at once (plots too) and
  // is remembered; System restores the platform's palette.
  void darkAppearanceAppliesAndIsRemembered() {
    pose::studio::MainWindow w;
    w.resize(1200, 800);
    const QColor platformBase = QApplication::palette().color(QPalette::Base);
    auto* dark = w.findChild<QAction*>("theme_dark");
    QVERIFY(dark);
    dark->trigger();
    QCoreApplication::processEvents();  // the palette reaches hidden widgets by posted events
    QCOMPARE(QSettings().value(pose::studio::kThemeKey).toString(), QString("dark"));
    QCOMPARE(QApplication::palette().color(QPalette::Base), pose::studio::dark_palette().color(QPalette::Base));
    QCOMPARE(QApplication::style()->name().toLower(), QString("fusion"));
    const auto plots = w.findChildren<QCustomPlot*>();
    QVERIFY(!plots.isEmpty());
    for (QCustomPlot* plot : plots) {
      plot->resize(200, 150);
      const QImage drawn = plot->toPixmap(200, 150).toImage();
      QCOMPARE(QColor(drawn.pixel(1, 1)), pose::studio::dark_palette().color(QPalette::Base));
    }
    w.findChild<QAction*>("theme_system")->trigger();
    QCoreApplication::processEvents();
    QCOMPARE(QApplication::palette().color(QPalette::Base), platformBase);
    QCOMPARE(QSettings().value(pose::studio::kThemeKey).toString(), QString("system"));
  }

  void aboutShowsVersions() {
    pose::studio::AboutDialog about;
    QVERIFY(about.reportText().contains(QStringLiteral("LibTorch " TORCH_VERSION)));
    QVERIFY(about.reportText().contains("CUDA"));
    auto* text = about.findChild<QPlainTextEdit*>("versionReport");
    QVERIFY(text);
    QCOMPARE(text->toPlainText(), about.reportText());
  }

  void startsInTheEmptyState() {
    pose::studio::MainWindow w;
    auto* stack = w.findChild<QStackedWidget*>("experimentPage");
    QVERIFY(stack);
    QCOMPARE(stack->currentIndex(), 0);
    QVERIFY(w.findChild<QLabel*>("emptyState")->text().contains("micro-pose.json"));
  }

  void opensTheDefaultExperiment() {
    pose::studio::MainWindow w;
    QString error;
    QVERIFY2(w.openExperiment(POSE_DEFAULT_EXPERIMENT, &error), qPrintable(error));
    QVERIFY(w.windowTitle().startsWith("micro-pose"));
    auto* tree = w.findChild<pose::widgets::JsonTreeView*>();
    QVERIFY(tree->itemAt("extend"));
    QCOMPARE(tree->itemAt("extend")->childCount(), 7);
    QCOMPARE(w.findChild<QStackedWidget*>("experimentPage")->currentIndex(), 1);
    QCOMPARE(w.recentExperiments().value(0), QFileInfo(POSE_DEFAULT_EXPERIMENT).absoluteFilePath());
  }

  void badSpecKeepsTheLoadedOneAndSaysWhere() {
    pose::studio::MainWindow w;
    QVERIFY(w.openExperiment(POSE_DEFAULT_EXPERIMENT));
    QTemporaryDir dir;
    const QString bad = dir.path() + "/broken.json";
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\n \"name\": \"x\",\n \"lc\": ,\n}\n");
    f.close();
    QString error;
    QVERIFY(!w.openExperiment(bad, &error));
    QVERIFY2(error.contains("broken.json:3:"), qPrintable(error));
    QCOMPARE(w.experimentPath(), QFileInfo(POSE_DEFAULT_EXPERIMENT).absoluteFilePath());
    // The failure also reached the log panel through the spdlog sink.
    QTRY_VERIFY(w.logPanel()->text().contains("cannot open experiment"));
  }

  void droppedHfDirectoryBecomesTheBaseModel() {
    pose::studio::MainWindow w;
    QTemporaryDir dir;
    QString error;
    QVERIFY(!w.designFromHfDirectory(dir.path(), &error));  // no config.json
    QVERIFY2(error.contains("config.json"), qPrintable(error));
    QFile config(dir.filePath("config.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"model_type": "llama", "vocab_size": 1024, "hidden_size": 64, "intermediate_size": 176,
                    "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                    "max_position_embeddings": 256, "rope_theta": 10000.0})");
    config.close();
    QVERIFY2(w.designFromHfDirectory(dir.path(), &error), qPrintable(error));
    auto* design = w.designWorkspace();
    const auto& doc = design->document();
    QCOMPARE(doc["base_model"]["kind"], nlohmann::json("hf"));
    QCOMPARE(QString::fromStdString(doc["base_model"]["path"]), QFileInfo(dir.path()).absoluteFilePath());
    QCOMPARE(doc["data"]["tokenizer"]["kind"], nlohmann::json("base-model"));
    // The default experiment's runs on this model parse as they are; Lc is the model's window.
    QVERIFY2(design->validationError().isEmpty(), qPrintable(design->validationError()));
    QCOMPARE(design->spec()->base_model.train_len, int64_t(256));
    QCOMPARE(w.findChild<QStackedWidget*>("experimentPage")->currentIndex(), 1);
  }

  // Quitting or opening another spec with unsaved edits asks first; Cancel
  // keeps everything, Discard goes on, Save writes the form to the file.
  void unsavedEditsAskBeforeQuitOrOpen() {
    QTemporaryDir dir;
    const QString file = copyOfDefault(dir, "unsaved");
    pose::studio::MainWindow w;
    Messages messages;
    w.setMessageHandler(messages.handler());
    QVERIFY(w.openExperiment(file));
    QVERIFY(!w.isWindowModified());
    QVERIFY(w.windowTitle().contains("[*]"));  // where the "*" goes
    qobject_cast<QSpinBox*>(w.designWorkspace()->field("run.chunks"))->setValue(3);
    QVERIFY(w.isWindowModified());

    messages.answer = QMessageBox::Cancel;
    QVERIFY(!w.close());
    QCOMPARE(messages.shown.size(), 1);
    QVERIFY2(messages.shown[0].text.contains("not saved"), qPrintable(messages.shown[0].text));
    QString error;
    QVERIFY(!w.openExperiment(POSE_DEFAULT_EXPERIMENT, &error));
    QVERIFY(error.isEmpty());  // the user's choice, not a failure
    QCOMPARE(messages.shown.size(), 2);
    QCOMPARE(w.experimentPath(), QFileInfo(file).absoluteFilePath());
    QCOMPARE(w.designWorkspace()->document()["extend"][4]["chunks"].get<int>(), 3);

    messages.answer = QMessageBox::Save;
    QVERIFY(w.close());
    QCOMPARE(messages.shown.size(), 3);
    QCOMPARE(pose::read_json_file(file.toStdString())["extend"][4]["chunks"].get<int>(), 3);
    QVERIFY(!w.isWindowModified());

    qobject_cast<QSpinBox*>(w.designWorkspace()->field("run.chunks"))->setValue(4);
    messages.answer = QMessageBox::Discard;
    QVERIFY(w.close());
    QCOMPARE(pose::read_json_file(file.toStdString())["extend"][4]["chunks"].get<int>(), 3);
  }

  // The whole window fits a 1024 x 700 screen in every workspace, and the
  // experiment dock keeps a readable width however it was left.
  void fitsA1024By700Screen() {
    pose::studio::MainWindow w;
    QVERIFY(w.openExperiment(POSE_DEFAULT_EXPERIMENT));
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    for (int i = 0; i < w.workspaces()->count(); ++i) {
      w.workspaces()->setCurrentIndex(i);
      QCoreApplication::processEvents();
      const QSize min = w.minimumSizeHint().expandedTo(w.minimumSize());
      QString parts;
      for (QWidget* c : w.findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
        parts += QStringLiteral(" %1:%2x%3").arg(c->objectName(), QString::number(c->minimumSizeHint().width()),
                                                   QString::number(c->minimumSizeHint().height()));
      }
      QVERIFY2(min.width() <= 1024 && min.height() <= 700,
               qPrintable(QStringLiteral("%1: minimum %2 x %3;%4")
                              .arg(w.workspaces()->tabText(i)).arg(min.width()).arg(min.height()).arg(parts)));
      QCOMPARE(w.size(), QSize(1024, 700));
    }
    auto* dock = w.findChild<QDockWidget*>("browserDock");
    w.resizeDocks({dock}, {40}, Qt::Horizontal);
    QCoreApplication::processEvents();
    QVERIFY(dock->widget()->minimumWidth() >= 150);
    QVERIFY2(dock->width() >= dock->widget()->minimumWidth(), qPrintable(QString::number(dock->width())));
  }

  // A finished run is a new throughput measurement: the design's time
  // estimate takes it without reopening the experiment.
  void designEstimateFollowsFinishedRuns() {
    QTemporaryDir dir;
    const QString file = copyOfDefault(dir, "estimate");
    pose::studio::MainWindow w;
    w.setStoreFile(dir.filePath("store.sqlite"));
    QVERIFY(w.openExperiment(file));
    auto* design = w.designWorkspace();
    auto* note = design->findChild<QLabel*>("costNote");
    design->refreshPreviews();
    QVERIFY2(note->text().contains("No time estimate"), qPrintable(note->text()));
    {
      auto st = pose::store::ExperimentStore::open(dir.filePath("store.sqlite").toStdString());
      const auto e = st.upsert_experiment("estimate", nlohmann::json::object());
      st.ensure_run(e, "base", "base",
                    {{"resolved_config",
                      {{"model_type", "llama"}, {"vocab_size", 1024}, {"hidden_size", 64}, {"intermediate_size", 176},
                       {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
                       {"max_position_embeddings", 256}, {"rope_theta", 10000.0}}}});
      const auto run = st.ensure_run(e, "pose-linear", "extend", {{"train_len", 256}, {"steps", 4}});
      st.mark_running(run, "cpu", nlohmann::json::object());
      st.append_metrics(run, {{"run/tokens_per_s", 4, 5000.0, 1.0}});
      st.finish_run(run, pose::store::RunStatus::Done);
    }
    emit w.runController()->runFinished("pose-linear", "done", "");
    design->refreshPreviews();
    QVERIFY2(note->text().contains("run pose-linear (5000 tokens/s"), qPrintable(note->text()));
  }

  // Run ▸ Start runs what the form shows: refused while the form has an
  // error; an edit not yet saved is saved (after asking) and is what trains.
  void startRunsWhatTheFormShows() {
    QTemporaryDir dir;
    const QString file = copyOfDefault(dir, "design-start", {"pose-linear"});
    pose::studio::MainWindow w;
    Messages messages;
    w.setMessageHandler(messages.handler());
    w.setStoreFile(dir.filePath("store.sqlite"));
    QVERIFY(w.openExperiment(file));
    auto* train = w.trainWorkspace();
    train->presetCombo()->setCurrentIndex(train->presetCombo()->findData("quick"));
    train->resumeCheck()->setChecked(false);
    auto* design = w.designWorkspace();
    auto* start = w.findChild<QAction*>("startAction");
    QVERIFY(start && start->shortcut() == QKeySequence(Qt::Key_F5));

    // An error in the form: nothing starts, the warning says what, in the form's words.
    auto* lr = qobject_cast<QLineEdit*>(design->field("run.lr"));
    lr->setText("-1");
    emit lr->editingFinished();
    start->trigger();
    QVERIFY(!w.runController()->isRunning());
    QCOMPARE(messages.shown.size(), 1);
    QCOMPARE(messages.shown[0].icon, QMessageBox::Warning);
    QVERIFY2(messages.shown[0].text.contains("Learning rate"), qPrintable(messages.shown[0].text));
    QVERIFY(w.workspaces()->currentWidget()->isAncestorOf(w.findChild<QWidget*>("experimentPage")));
    lr->setText("0.0005");
    emit lr->editingFinished();

    // Chunks 3 in the form (the file says 2); Cancel at the question starts nothing.
    qobject_cast<QSpinBox*>(design->field("run.chunks"))->setValue(3);
    messages.answer = QMessageBox::Cancel;
    start->trigger();
    QCOMPARE(messages.shown.size(), 2);
    QCOMPARE(messages.shown[1].icon, QMessageBox::Question);
    QVERIFY(!w.runController()->isRunning());
    QCOMPARE(pose::read_json_file(file.toStdString())["extend"][0]["chunks"].get<int>(), 2);

    messages.answer = QMessageBox::Save;
    QSignalSpy finished(w.runController(), &pose::studio::RunController::finished);
    start->trigger();
    QCOMPARE(messages.shown.size(), 3);
    QVERIFY(w.runController()->isRunning());
    QVERIFY(!w.isWindowModified());
    QVERIFY(w.workspaces()->currentWidget()->isAncestorOf(train));
    QVERIFY(w.runController()->waitForFinished(600000));
    QCOMPARE(finished.count(), 1);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));

    auto st = pose::store::ExperimentStore::open(dir.filePath("store.sqlite").toStdString(),
                                                 pose::store::ExperimentStore::Mode::ReadOnly);
    const auto run = st.find_run(st.find_experiment("design-start")->id, "pose-linear");
    QVERIFY(run.has_value());
    QCOMPARE(run->status, pose::store::RunStatus::Done);
    QCOMPARE(run->spec.at("chunks").get<int>(), 3);
    QCOMPARE(pose::read_json_file(file.toStdString())["extend"][0]["chunks"].get<int>(), 3);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
