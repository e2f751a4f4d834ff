// Messages the GUI shows name the workbench's action where the engine's text
// advises the command line's --resume.
#include <QtTest>

#include <spdlog/spdlog.h>

#include "gui_advice.h"
#include "log_panel.h"
#include "main_window.h"

using pose::studio::with_gui_advice;

namespace {

const QString kTicked = QStringLiteral("Run ▸ Start with “Resume finished and interrupted runs” ticked (Train)");
const QString kUnticked = QStringLiteral("Run ▸ Start with “Resume finished and interrupted runs” unticked (Train)");

}  // namespace

class TestGuiAdvice : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("PoSE Studio Tests");
    QCoreApplication::setApplicationName("test_gui_advice");
    QSettings().clear();
  }

  // The engine's messages as core/ writes them (train/trainer.cpp,
  // train/out_of_memory.cpp, train/checkpoint.cpp, store/sqlite_db.cpp).
  void resumeAdviceNamesTheGuiAction() {
    QCOMPARE(with_gui_advice("pose-linear: cancelled at step 120; --resume continues from here"),
             "pose-linear: cancelled at step 120; " + kTicked + " continues from here");
    QCOMPARE(with_gui_advice("What was stored before is kept; `pose run --resume` continues from the last checkpoint."),
             "What was stored before is kept; " + kTicked + " continues from the last checkpoint.");
    QCOMPARE(with_gui_advice("the run stopped at step 40, then continue with --resume"),
             "the run stopped at step 40, then continue with " + kTicked);
    QCOMPARE(with_gui_advice("finish it with `pose run SPEC --resume`, or evaluate a checkpoint directory"),
             "finish it with " + kTicked + ", or evaluate a checkpoint directory");
  }

  void startingOverNamesTheOptionUnticked() {
    QCOMPARE(with_gui_advice("run without --resume to start this run again, or restore the settings it was started with"),
             kUnticked + " to start this run again, or restore the settings it was started with");
    QCOMPARE(with_gui_advice("delete the file to start the run from the beginning, or run without --resume"),
             "delete the file to start the run from the beginning, or " + kUnticked);
  }

  void otherMessagesStayAsTheyWere() {
    const QString plain = QStringLiteral("pose-linear: step 10 / 200 (loss 4.2)");
    QCOMPARE(with_gui_advice(plain), plain);
  }

  // What the engine logs reaches the log dock phrased for the GUI.
  void theLogDockShowsTheGuiAction() {
    pose::studio::MainWindow w;
    spdlog::info("pose-linear: cancelled at step 7; --resume continues from here");
    QTRY_VERIFY(w.logPanel()->text().contains("cancelled at step 7"));
    QVERIFY2(w.logPanel()->text().contains(kTicked), qPrintable(w.logPanel()->text()));
    QVERIFY(!w.logPanel()->text().contains("--resume"));
  }
};

QTEST_MAIN(TestGuiAdvice)
#include "test_gui_advice.moc"
