// The workbench window: menus, About, opening experiments (good and bad), recent list.
#include <QtTest>

#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>

#include "about_dialog.h"
#include "json_tree_view.h"
#include "log_panel.h"
#include "design_workspace.h"
#include "main_window.h"
#include "theme.h"

#include <QStyle>
#include <qcustomplot.h>

#include <torch/version.h>

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
    QCOMPARE(tree->itemAt("extend")->childCount(), 6);
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
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
