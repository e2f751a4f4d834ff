// RunsTable: numbers sort as numbers, missing values last in both orders,
// decimals as asked, run names in their colours, and the selection survives
// new rows and is announced.
#include <QtTest>

#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTableView>

#include "run_colors.h"
#include "runs_table.h"

using pose::widgets::RunsTable;
using pose::widgets::RunsTableRow;

namespace {

QVector<RunsTableRow> rows() {
  return {{"a", 0, {{"ppl", 9.5}, {"strategy", "pose"}}},
          {"b", 1, {{"ppl", 10.25}, {"strategy", "Full"}}},
          {"c", 2, {{"strategy", "none"}}},  // not evaluated
          {"d", 3, {{"ppl", 2.0}, {"strategy", "randpos"}}}};
}

}  // namespace

class TestRunsTable : public QObject {
  Q_OBJECT
 private slots:
  void sortsNumbersAsNumbersAndMissingLast() {
    RunsTable t;
    t.setColumns({{"run", "Run"}, {"strategy", "Strategy"}, {"ppl", "ppl@Lt", 2}});
    t.setRows(rows());
    QCOMPARE(t.runsInOrder(), (QStringList{"a", "b", "c", "d"}));  // as given until sorted
    t.sortBy("ppl", Qt::AscendingOrder);
    QCOMPARE(t.runsInOrder(), (QStringList{"d", "a", "b", "c"}));  // 10.25 after 9.5; text order would differ
    t.sortBy("ppl", Qt::DescendingOrder);
    QCOMPARE(t.runsInOrder(), (QStringList{"b", "a", "d", "c"}));  // missing stays last
    t.sortBy("strategy", Qt::AscendingOrder);
    QCOMPARE(t.runsInOrder(), (QStringList{"b", "c", "a", "d"}));  // case-insensitive
    QCOMPARE(t.cellText("b", "ppl"), QString("10.25"));
    QCOMPARE(t.cellText("a", "ppl"), QString("9.50"));
    QCOMPARE(t.cellText("c", "ppl"), QString("—"));
  }

  void runNamesInTheirColours() {
    RunsTable t;
    t.setColumns({{"run", "Run"}, {"ppl", "ppl"}});
    t.setRows(rows());
    auto* model = qobject_cast<QSortFilterProxyModel*>(t.view()->model());
    QVERIFY(model);
    for (int r = 0; r < model->rowCount(); ++r) {
      const QString run = model->index(r, 0).data().toString();
      const int index = run == "a" ? 0 : run == "b" ? 1 : run == "c" ? 2 : 3;
      QCOMPARE(model->index(r, 0).data(Qt::ForegroundRole).value<QBrush>().color(),
               pose::widgets::run_color(index).darker(115));
    }
  }

  // A cell may show its own text (and a tooltip) while its value sorts; a
  // column can be left out.
  void cellTextsSortByTheirValuesAndColumnsHide() {
    RunsTable t;
    t.setColumns({{"run", "Run"}, {"ranks", "Ranks"}});
    RunsTableRow four{"a", 0, {{"ranks", 4}}};
    four.texts.insert("ranks", "4 · slowest 900");
    four.toolTips.insert("ranks", "four processes");
    RunsTableRow two{"b", 1, {{"ranks", 2}}};
    two.texts.insert("ranks", "2 · slowest 1000");
    t.setRows({four, two, {"c", 2, {{"ranks", 10}}}});
    QCOMPARE(t.cellText("a", "ranks"), QString::fromUtf8("4 · slowest 900"));
    QCOMPARE(t.cellText("c", "ranks"), QString("10"));
    t.sortBy("ranks", Qt::AscendingOrder);
    QCOMPARE(t.runsInOrder(), (QStringList{"b", "a", "c"}));  // by the numbers, not the texts
    auto* model = t.view()->model();
    for (int r = 0; r < model->rowCount(); ++r) {
      if (model->index(r, 0).data().toString() == "a") {
        QCOMPARE(model->index(r, 1).data(Qt::ToolTipRole).toString(), QString("four processes"));
      }
    }
    QVERIFY(t.isColumnVisible("ranks"));
    t.setColumnVisible("ranks", false);
    QVERIFY(!t.isColumnVisible("ranks"));
    QVERIFY(t.view()->isColumnHidden(1));
    QVERIFY(!t.isColumnVisible("unknown"));
    t.setRows({four, two});
    t.setColumnVisible("ranks", true);  // shown again: as wide as its texts
    QVERIFY(t.view()->columnWidth(1) >= t.view()->fontMetrics().horizontalAdvance(QString::fromUtf8("4 · slowest 900")));
  }

  void selectionIsAnnouncedAndKept() {
    RunsTable t;
    t.setColumns({{"run", "Run"}, {"ppl", "ppl"}});
    t.setRows(rows());
    QSignalSpy spy(&t, &RunsTable::selectionChanged);
    t.selectRuns({"b", "d"});
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toStringList().size(), 2);
    QCOMPARE(t.selectedRuns().size(), 2);
    auto more = rows();
    more.push_back({"e", 4, {{"ppl", 1.0}}});
    t.setRows(more);
    QStringList kept = t.selectedRuns();
    kept.sort();
    QCOMPARE(kept, (QStringList{"b", "d"}));
  }
};

QTEST_MAIN(TestRunsTable)
#include "test_runs_table.moc"
