// ExperimentBrowser: experiments → runs → evaluations as given, statuses
// with coloured dots, experiment summaries, run names in their colours,
// expansion/current item/scroll kept across refreshes (matched by ids), the
// run-name filter, and the activation signals.
#include <QtTest>

#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTreeWidget>

#include <algorithm>

#include "experiment_browser.h"
#include "run_colors.h"

using pose::widgets::BrowserEvaluation;
using pose::widgets::BrowserExperiment;
using pose::widgets::BrowserRun;
using pose::widgets::ExperimentBrowser;

namespace {

BrowserRun run(qint64 id, const QString& name, const QString& status, int color, const QString& message = {}) {
  BrowserRun r;
  r.id = id;
  r.name = name;
  r.kind = "train";
  r.status = status;
  r.message = message;
  r.colorIndex = color;
  r.startedAt = "2024-05-01 10:00";
  if (status != "running" && status != "pending") r.finishedAt = "2024-05-01 12:30";
  return r;
}

QVector<BrowserExperiment> data() {
  BrowserExperiment sweep{1, "pose-sweep", "2024-05-01 12:30", {}};
  BrowserRun baseline = run(11, "baseline", "done", 0);
  baseline.evaluations = {{101, "perplexity", "ppl@2048 37.4", 2000, "2024-05-01 12:31"},
                          {102, "passkey", "passkey 4 lengths × 5 depths", -1, "2024-05-01 12:40"}};
  BrowserRun pose2k = run(12, "pose-2k", "running", 3);
  pose2k.evaluations = {{103, "perplexity", "ppl@4096 41.0", 500, "2024-05-01 11:00"}};
  sweep.runs = {baseline, pose2k, run(13, "yarn-mix", "done", 12)};

  BrowserExperiment ablation{2, "length-ablation", "2024-04-20 09:00",
                             {run(21, "abl-a", "done", 0), run(22, "abl-b", "done", 1)}};
  BrowserExperiment scan{3, "rope-scan", "2024-04-28 18:00",
                         {run(31, "scan-1", "failed", 0, "CUDA out of memory at step 812"),
                          run(32, "scan-2", "cancelled", 1, "cancelled by user"), run(33, "scan-3", "done", 2)}};
  BrowserExperiment queued{4, "queued", "", {run(41, "q-1", "pending", 0)}};
  BrowserExperiment empty{5, "empty", "", {}};
  return {sweep, ablation, scan, queued, empty};
}

QColor dot_colour(const QIcon& icon) {
  const QImage image = icon.pixmap(QSize(12, 12)).toImage();
  return image.pixelColor(image.width() / 2, image.height() / 2);
}

}  // namespace

class TestExperimentBrowser : public QObject {
  Q_OBJECT
 private slots:
  void buildsTheTreeAsGiven() {
    ExperimentBrowser b;
    b.setExperiments(data());
    QTreeWidget* t = b.tree();
    QCOMPARE(t->columnCount(), 3);
    QCOMPARE(t->headerItem()->text(0), QString("Name"));
    QCOMPARE(t->headerItem()->text(1), QString("Status"));
    QCOMPARE(t->headerItem()->text(2), QString("Detail"));
    QCOMPARE(t->topLevelItemCount(), 5);
    const QStringList names{"pose-sweep", "length-ablation", "rope-scan", "queued", "empty"};
    const QVector<int> runs{3, 2, 3, 1, 0};
    for (int i = 0; i < 5; ++i) {
      QCOMPARE(t->topLevelItem(i)->text(0), names[i]);
      QCOMPARE(t->topLevelItem(i)->childCount(), runs[i]);
    }
    QTreeWidgetItem* baseline = b.itemFor("pose-sweep", "baseline");
    QVERIFY(baseline);
    QCOMPARE(baseline->childCount(), 2);
    QCOMPARE(baseline->child(0)->text(0), QString("perplexity"));
    QCOMPARE(baseline->child(0)->text(2), QString("ppl@2048 37.4 · step 2000"));
    QCOMPARE(baseline->child(1)->text(0), QString("passkey"));
    QCOMPARE(baseline->child(1)->text(2), QString("passkey 4 lengths × 5 depths"));  // no step
    QCOMPARE(b.itemFor("pose-sweep", "pose-2k")->childCount(), 1);
    QCOMPARE(b.itemFor("pose-sweep", "yarn-mix")->childCount(), 0);
    QCOMPARE(b.itemFor("rope-scan", "baseline"), nullptr);
    QCOMPARE(b.statusText("nope", "baseline"), QString());

    b.setExperiments({});
    QCOMPARE(t->topLevelItemCount(), 0);
  }

  void statusesWithColouredDots() {
    ExperimentBrowser b;
    b.setExperiments(data());
    const struct {
      const char* experiment;
      const char* run;
      const char* status;
    } expected[] = {{"pose-sweep", "baseline", "done"},  {"pose-sweep", "pose-2k", "running"},
                    {"rope-scan", "scan-1", "failed"},   {"rope-scan", "scan-2", "cancelled"},
                    {"queued", "q-1", "pending"}};
    for (const auto& e : expected) {
      QCOMPARE(b.statusText(e.experiment, e.run), QString(e.status));
      const QIcon icon = b.itemFor(e.experiment, e.run)->icon(1);
      QVERIFY2(!icon.isNull(), e.run);
      QCOMPARE(dot_colour(icon), pose::widgets::run_status_color(e.status));
    }
    // The hues asked for: running blue, done green, failed red, cancelled orange, pending gray.
    const QColor running = pose::widgets::run_status_color("running"), done = pose::widgets::run_status_color("done"),
                 failed = pose::widgets::run_status_color("failed"),
                 cancelled = pose::widgets::run_status_color("cancelled"),
                 pending = pose::widgets::run_status_color("pending");
    QVERIFY(running.blue() > running.red() && running.blue() > running.green());
    QVERIFY(done.green() > done.red() && done.green() > done.blue());
    QVERIFY(failed.red() > failed.green() && failed.red() > failed.blue());
    QVERIFY(cancelled.red() > cancelled.green() && cancelled.green() > cancelled.blue());
    QVERIFY(pending.red() == pending.green() && pending.green() == pending.blue());
    // Running shows when it started; done when it finished.
    QCOMPARE(b.itemFor("pose-sweep", "pose-2k")->text(2), QString("started 2024-05-01 10:00"));
    QCOMPARE(b.itemFor("pose-sweep", "baseline")->text(2), QString("2024-05-01 12:30"));
  }

  void experimentSummaries() {
    ExperimentBrowser b;
    b.setExperiments(data());
    QCOMPARE(b.statusText("pose-sweep", {}), QString("3 runs · 1 running"));
    QCOMPARE(b.statusText("length-ablation", {}), QString("2 runs · all done"));
    QCOMPARE(b.statusText("rope-scan", {}), QString("3 runs · 1 failed · 1 cancelled"));
    QCOMPARE(b.statusText("queued", {}), QString("1 run · 1 pending"));
    QCOMPARE(b.statusText("empty", {}), QString("no runs"));
    QCOMPARE(b.itemFor("length-ablation")->text(2), QString("2 runs · all done"));  // shown in Detail
  }

  // A run's name is bold in the palette's text colour, readable in the light
  // and the dark theme; its plot colour is the swatch beside it.
  void runNamesBoldBesideTheirColours() {
    ExperimentBrowser b;
    b.setExperiments(data());
    const struct {
      const char* run;
      int color;
    } expected[] = {{"baseline", 0}, {"pose-2k", 3}, {"yarn-mix", 12}};
    for (const auto& e : expected) {
      QTreeWidgetItem* item = b.itemFor("pose-sweep", e.run);
      QVERIFY(!item->data(0, Qt::ForegroundRole).isValid());  // the palette's Text role
      QVERIFY(item->font(0).bold());
      QCOMPARE(dot_colour(item->icon(0)), pose::widgets::run_color(e.color));
    }
  }

  // At the width it asks for (the dock's default) the run names and their
  // status are whole; Detail takes what is left.
  void namesAndStatusFitTheDefaultWidth() {
    ExperimentBrowser b;
    BrowserExperiment e{1, "micro-pose", "", {}};
    const QStringList names = {"no-finetune", "pi-no-finetune", "full-length-yarn", "randpos"};
    for (int i = 0; i < names.size(); ++i) e.runs.push_back(run(i + 1, names[i], i == 2 ? "interrupted" : "done", i));
    b.setExperiments({e});
    b.tree()->expandAll();
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    QCoreApplication::processEvents();
    b.resize(b.sizeHint().width(), 400);
    QCoreApplication::processEvents();
    QHeaderView* header = b.tree()->header();
    const int statusEnd = header->sectionViewportPosition(1) + header->sectionSize(1);
    QVERIFY2(statusEnd <= b.tree()->viewport()->width(),
             qPrintable(QStringLiteral("status ends at %1 of %2").arg(statusEnd).arg(b.tree()->viewport()->width())));
    QCOMPARE(header->sectionViewportPosition(0), 0);
  }

  void failureMessageInDetailAndTooltip() {
    ExperimentBrowser b;
    b.setExperiments(data());
    QTreeWidgetItem* failed = b.itemFor("rope-scan", "scan-1");
    QCOMPARE(failed->text(2), QString("CUDA out of memory at step 812"));
    QVERIFY(failed->toolTip(0).contains("CUDA out of memory at step 812"));
    QVERIFY(failed->toolTip(1).contains("CUDA out of memory at step 812"));
    QTreeWidgetItem* cancelled = b.itemFor("rope-scan", "scan-2");
    QCOMPARE(cancelled->text(2), QString("cancelled by user"));
    QVERIFY(cancelled->toolTip(0).contains("cancelled by user"));
  }

  void expansionAndCurrentSurviveRefresh() {
    ExperimentBrowser b;
    b.setExperiments(data());
    b.itemFor("pose-sweep")->setExpanded(true);
    b.itemFor("pose-sweep", "baseline")->setExpanded(true);
    b.itemFor("rope-scan")->setExpanded(true);
    b.tree()->setCurrentItem(b.itemFor("pose-sweep", "baseline")->child(1));  // passkey
    QSignalSpy experimentSpy(&b, &ExperimentBrowser::experimentActivated);
    QSignalSpy runSpy(&b, &ExperimentBrowser::runActivated);

    // Refresh: pose-2k finished, a new run, experiments in another order and
    // rope-scan renamed (same id): matching is by id, not position or name.
    auto next = data();
    next[0].runs[1].status = "done";
    next[0].runs[1].finishedAt = "2024-05-01 13:00";
    next[0].runs.push_back(run(14, "pose-8k", "running", 4));
    next[2].name = "rope-scan-v2";
    std::reverse(next.begin(), next.end());
    b.setExperiments(next);

    QCOMPARE(b.tree()->topLevelItem(0)->text(0), QString("empty"));
    QVERIFY(b.itemFor("pose-sweep")->isExpanded());
    QVERIFY(b.itemFor("pose-sweep", "baseline")->isExpanded());
    QVERIFY(b.itemFor("rope-scan-v2")->isExpanded());
    QVERIFY(!b.itemFor("length-ablation")->isExpanded());
    QVERIFY(!b.itemFor("pose-sweep", "pose-2k")->isExpanded());
    QTreeWidgetItem* current = b.tree()->currentItem();
    QVERIFY(current);
    QCOMPARE(current->text(0), QString("passkey"));
    QCOMPARE(current->parent(), b.itemFor("pose-sweep", "baseline"));
    QCOMPARE(b.currentExperiment(), QString("pose-sweep"));
    QCOMPARE(b.currentRun(), QString("baseline"));
    QCOMPARE(b.statusText("pose-sweep", "pose-2k"), QString("done"));
    QCOMPARE(dot_colour(b.itemFor("pose-sweep", "pose-2k")->icon(1)), pose::widgets::run_status_color("done"));
    QCOMPARE(b.statusText("pose-sweep", {}), QString("4 runs · 1 running"));
    QCOMPARE(experimentSpy.count(), 0);  // same item current: nothing to announce
    QCOMPARE(runSpy.count(), 0);

    // The current evaluation is gone: its run becomes current, still the same run.
    next.back().runs[0].evaluations.removeLast();
    b.setExperiments(next);
    QCOMPARE(b.tree()->currentItem(), b.itemFor("pose-sweep", "baseline"));
    QCOMPARE(experimentSpy.count(), 0);
    QCOMPARE(runSpy.count(), 0);

    // The current run is gone: its experiment becomes current and is announced.
    next.back().runs.removeFirst();
    b.setExperiments(next);
    QCOMPARE(b.tree()->currentItem(), b.itemFor("pose-sweep"));
    QCOMPARE(experimentSpy.count(), 1);
    QCOMPARE(experimentSpy.last().at(0).toString(), QString("pose-sweep"));
    QCOMPARE(runSpy.count(), 0);
  }

  void scrollPositionSurvivesRefresh() {
    QVector<BrowserExperiment> many;
    for (int e = 0; e < 20; ++e) {
      BrowserExperiment x{e + 1, QString("exp-%1").arg(e), "", {}};
      for (int r = 0; r < 15; ++r) x.runs.push_back(run(100 * e + r, QString("run-%1-%2").arg(e).arg(r), "done", r));
      many.push_back(x);
    }
    ExperimentBrowser b;
    b.resize(300, 200);
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    b.setExperiments(many);
    b.tree()->expandAll();
    QCoreApplication::processEvents();
    QScrollBar* bar = b.tree()->verticalScrollBar();
    QVERIFY(bar->maximum() > 100);
    bar->setValue(bar->maximum() / 2);
    const int before = bar->value();
    QVERIFY(before > 0);
    b.setExperiments(many);
    QCOMPARE(bar->value(), before);
    QCoreApplication::processEvents();
    QCOMPARE(bar->value(), before);
  }

  void filterHidesRunsAndExperiments() {
    ExperimentBrowser b;
    b.setExperiments(data());
    QCOMPARE(b.filterEdit()->placeholderText(), QString("Filter runs…"));
    b.filterEdit()->setText("POSE");  // case-insensitive
    QVERIFY(!b.itemFor("pose-sweep")->isHidden());
    QVERIFY(b.itemFor("pose-sweep", "baseline")->isHidden());
    QVERIFY(!b.itemFor("pose-sweep", "pose-2k")->isHidden());
    QVERIFY(b.itemFor("pose-sweep", "yarn-mix")->isHidden());
    QVERIFY(b.itemFor("length-ablation")->isHidden());
    QVERIFY(b.itemFor("rope-scan")->isHidden());
    QVERIFY(b.itemFor("empty")->isHidden());

    b.filterEdit()->setText("abl-b");
    QVERIFY(b.itemFor("pose-sweep")->isHidden());
    QVERIFY(!b.itemFor("length-ablation")->isHidden());
    QVERIFY(b.itemFor("length-ablation", "abl-a")->isHidden());
    QVERIFY(!b.itemFor("length-ablation", "abl-b")->isHidden());

    // An experiment whose own name matches stays, though none of its runs do.
    b.filterEdit()->setText("rope");
    QVERIFY(!b.itemFor("rope-scan")->isHidden());
    QVERIFY(b.itemFor("rope-scan", "scan-1")->isHidden());
    QVERIFY(b.itemFor("pose-sweep")->isHidden());

    // The filter applies to refreshed content too.
    b.filterEdit()->setText("scan-3");
    b.setExperiments(data());
    QVERIFY(!b.itemFor("rope-scan", "scan-3")->isHidden());
    QVERIFY(b.itemFor("rope-scan", "scan-1")->isHidden());
    QVERIFY(b.itemFor("pose-sweep")->isHidden());

    b.filterEdit()->clear();
    for (int i = 0; i < b.tree()->topLevelItemCount(); ++i) {
      QTreeWidgetItem* top = b.tree()->topLevelItem(i);
      QVERIFY(!top->isHidden());
      for (int j = 0; j < top->childCount(); ++j) QVERIFY(!top->child(j)->isHidden());
    }
  }

  void activationSignals() {
    ExperimentBrowser b;
    b.setExperiments(data());
    QSignalSpy experimentSpy(&b, &ExperimentBrowser::experimentActivated);
    QSignalSpy runSpy(&b, &ExperimentBrowser::runActivated);
    QTreeWidget* t = b.tree();

    t->setCurrentItem(b.itemFor("pose-sweep"));
    QCOMPARE(experimentSpy.count(), 1);
    QCOMPARE(experimentSpy.last().at(0).toString(), QString("pose-sweep"));
    QCOMPARE(runSpy.count(), 0);
    QCOMPARE(b.currentExperiment(), QString("pose-sweep"));
    QCOMPARE(b.currentRun(), QString());

    t->setCurrentItem(b.itemFor("pose-sweep", "pose-2k"));
    QCOMPARE(experimentSpy.count(), 1);  // same experiment
    QCOMPARE(runSpy.count(), 1);
    QCOMPARE(runSpy.last().at(0).toString(), QString("pose-sweep"));
    QCOMPARE(runSpy.last().at(1).toString(), QString("pose-2k"));

    t->setCurrentItem(b.itemFor("pose-sweep", "pose-2k")->child(0));  // its evaluation: same run
    QCOMPARE(runSpy.count(), 1);
    QCOMPARE(b.currentExperiment(), QString("pose-sweep"));
    QCOMPARE(b.currentRun(), QString("pose-2k"));

    t->setCurrentItem(b.itemFor("pose-sweep", "baseline")->child(0));  // another run's evaluation
    QCOMPARE(runSpy.count(), 2);
    QCOMPARE(runSpy.last().at(1).toString(), QString("baseline"));

    t->setCurrentItem(b.itemFor("rope-scan", "scan-1"));  // another experiment's run: both
    QCOMPARE(experimentSpy.count(), 2);
    QCOMPARE(experimentSpy.last().at(0).toString(), QString("rope-scan"));
    QCOMPARE(runSpy.count(), 3);
    QCOMPARE(runSpy.last().at(0).toString(), QString("rope-scan"));
    QCOMPARE(runSpy.last().at(1).toString(), QString("scan-1"));

    t->setCurrentItem(b.itemFor("rope-scan"));  // back to the experiment's own row
    QCOMPARE(experimentSpy.count(), 3);
    QCOMPARE(experimentSpy.last().at(0).toString(), QString("rope-scan"));
    QCOMPARE(runSpy.count(), 3);

    t->setCurrentItem(b.itemFor("rope-scan", "scan-1"));  // the same run again after the experiment row
    QCOMPARE(runSpy.count(), 4);
    QCOMPARE(experimentSpy.count(), 3);
  }

  void setCurrentExperimentSelectsAndExpands() {
    ExperimentBrowser b;
    QSignalSpy experimentSpy(&b, &ExperimentBrowser::experimentActivated);
    b.setCurrentExperiment("rope-scan");  // before any data: remembered
    QCOMPARE(b.currentExperiment(), QString());
    b.setExperiments(data());
    QCOMPARE(b.tree()->currentItem(), b.itemFor("rope-scan"));
    QVERIFY(b.itemFor("rope-scan")->isExpanded());
    QCOMPARE(experimentSpy.count(), 1);
    QCOMPARE(experimentSpy.last().at(0).toString(), QString("rope-scan"));

    b.setCurrentExperiment("length-ablation");
    QCOMPARE(b.tree()->currentItem(), b.itemFor("length-ablation"));
    QVERIFY(b.itemFor("length-ablation")->isExpanded());
    QVERIFY(b.itemFor("length-ablation")->isSelected());
    QCOMPARE(b.currentExperiment(), QString("length-ablation"));
    QCOMPARE(experimentSpy.count(), 2);

    // A run inside it stays current.
    b.tree()->setCurrentItem(b.itemFor("length-ablation", "abl-b"));
    b.setCurrentExperiment("length-ablation");
    QCOMPARE(b.tree()->currentItem(), b.itemFor("length-ablation", "abl-b"));
    QCOMPARE(b.currentExperiment(), QString("length-ablation"));
    QCOMPARE(experimentSpy.count(), 2);
  }
};

QTEST_MAIN(TestExperimentBrowser)
#include "test_experiment_browser.moc"
