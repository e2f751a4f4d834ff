// LogPanel: level filtering and the line bound.
#include <QtTest>

#include "log_panel.h"

class TestLogPanel : public QObject {
  Q_OBJECT
 private slots:
  void filtersBelowTheMinimumLevel() {
    pose::widgets::LogPanel panel;
    panel.setMinimumLevel(2);
    panel.appendLine(1, "debug detail");
    panel.appendLine(2, "info line");
    panel.appendLine(4, "error line");
    QCOMPARE(panel.lineCount(), 2);
    QVERIFY(panel.text().contains("error line"));
    QVERIFY(!panel.text().contains("debug detail"));
  }

  void keepsAtMostTheConfiguredLines() {
    pose::widgets::LogPanel panel;
    panel.setMaximumLines(10);
    for (int i = 0; i < 50; ++i) panel.appendLine(2, QString("line %1").arg(i));
    QCOMPARE(panel.lineCount(), 10);
    QVERIFY(panel.text().contains("line 49"));
    QVERIFY(!panel.text().contains("line 0\n"));
  }
};

QTEST_MAIN(TestLogPanel)
#include "test_log_panel.moc"
