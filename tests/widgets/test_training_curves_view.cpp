// TrainingCurvesView: what it draws from given run data — overlaid runs in
// their run colours, the debiased EMA of the loss (batch and live), series
// switching, non-finite and non-positive values, run removal and the x range.
#include <QtTest>

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>

#include <cmath>
#include <limits>

#include <qcustomplot.h>

#include "run_colors.h"
#include "training_curves_view.h"

using pose::widgets::CurvePoint;
using pose::widgets::run_color;
using pose::widgets::smooth_ema;
using pose::widgets::TrainingCurvesView;

namespace {

const QString kLoss = QStringLiteral("train/loss");
const QString kLr = QStringLiteral("train/lr");

QVector<CurvePoint> points(const QVector<double>& values, double firstStep = 0, double stride = 1) {
  QVector<CurvePoint> out;
  for (int i = 0; i < values.size(); ++i) out.push_back({firstStep + i * stride, values[i]});
  return out;
}

QVector<double> keysOf(const QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out.push_back(it->key);
  return out;
}

QVector<double> valuesOf(const QCPGraph* g) {
  QVector<double> out;
  for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out.push_back(it->value);
  return out;
}

// A noisy decaying loss, deterministic.
QVector<double> lossCurve(int n) {
  QVector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(4.0 * std::exp(-i / 60.0) + 0.3 + 0.2 * std::sin(i * 1.7));
  return v;
}

bool inLegend(QCustomPlot* p, QCPGraph* g) { return p->legend->itemWithPlottable(g) != nullptr; }

}  // namespace

class TestTrainingCurvesView : public QObject {
  Q_OBJECT
 private slots:
  void smoothEmaIsTensorBoardsDebiasedAverage() {
    // w = 0.5 on {1, 2, 3}: last = 0.5, 1.25, 2.125; debias 0.5, 0.75, 0.875.
    const QVector<double> s = smooth_ema({1, 2, 3}, 0.5);
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[0], 1.0);
    QCOMPARE(s[1], 5.0 / 3.0);
    QCOMPARE(s[2], 17.0 / 7.0);
    QVERIFY(std::abs(s[1] - 1.667) < 1e-3 && std::abs(s[2] - 2.429) < 1e-3);
    // Debiasing keeps a constant series constant from the first step on.
    for (double v : smooth_ema({2, 2, 2, 2}, 0.9)) QCOMPARE(v, 2.0);
    // Weight 0 is no smoothing.
    QCOMPARE(smooth_ema({3, 1, 4, 1, 5}, 0.0), (QVector<double>{3, 1, 4, 1, 5}));
    // Non-finite values pass through and do not advance the average.
    const QVector<double> gap = smooth_ema({1, std::nan(""), 3}, 0.5);
    QCOMPARE(gap[0], 1.0);
    QVERIFY(std::isnan(gap[1]));
    QCOMPARE(gap[2], (0.25 + 1.5) / 0.75);
    // Weights are clamped to [0, 0.999].
    QCOMPARE(smooth_ema({1, 2}, 5.0), smooth_ema({1, 2}, 0.999));
    QCOMPARE(smooth_ema({}, 0.9).size(), 0);
  }

  void drawsTwoRunsInTheirColours() {
    TrainingCurvesView view;
    QCOMPARE(view.shownSeries(), kLoss);
    QCOMPARE(view.smoothing(), 0.9);
    view.addRun("alpha", 0);
    view.addRun("beta", 3);
    const QVector<double> a = {5, 4, 3.5, 3, 2.8};
    const QVector<double> b = {6, 5, 4.5};
    view.setSeries("alpha", kLoss, points(a, 10, 10));
    view.setSeries("beta", kLoss, points(b, 10, 10));

    QCPGraph* rawA = view.rawGraph("alpha");
    QCPGraph* rawB = view.rawGraph("beta");
    QVERIFY(rawA && rawB && rawA != rawB);
    QCOMPARE(valuesOf(rawA), a);
    QCOMPARE(keysOf(rawA), (QVector<double>{10, 20, 30, 40, 50}));
    QCOMPARE(valuesOf(rawB), b);

    // Raw: the run's colour, faint and thin; smoothed: the same colour, opaque and bold.
    QCPGraph* smA = view.smoothedGraph("alpha");
    QCPGraph* smB = view.smoothedGraph("beta");
    QVERIFY(smA && smB);
    QCOMPARE(rawA->pen().color().rgb(), run_color(0).rgb());
    QCOMPARE(rawB->pen().color().rgb(), run_color(3).rgb());
    QVERIFY(rawA->pen().color().alpha() > 60 && rawA->pen().color().alpha() < 120);  // about 35%
    QCOMPARE(smA->pen().color(), run_color(0));
    QCOMPARE(smB->pen().color(), run_color(3));
    QCOMPARE(smA->pen().color().alpha(), 255);
    QVERIFY(smA->pen().widthF() > rawA->pen().widthF());
    QCOMPARE(valuesOf(smA), smooth_ema(a, 0.9));
    QCOMPARE(valuesOf(smB), smooth_ema(b, 0.9));
    QCOMPARE(keysOf(smA), keysOf(rawA));

    // One legend entry per run, by its smoothed curve.
    QCustomPlot* p = view.plot();
    QCOMPARE(p->legend->itemCount(), 2);
    QVERIFY(inLegend(p, smA) && inLegend(p, smB));
    QVERIFY(!inLegend(p, rawA) && !inLegend(p, rawB));
    QCOMPARE(smA->name(), QString("alpha"));
    QCOMPARE(p->xAxis->label(), QString("step"));
    QCOMPARE(p->yAxis->label(), QString("Loss"));
    QCOMPARE(p->yAxis->scaleType(), QCPAxis::stLogarithmic);  // loss defaults to log

    // Smoothing changes the smoothed curve; 0 removes it and the raw curve becomes the opaque one.
    view.setSmoothing(0.5);
    QCOMPARE(valuesOf(view.smoothedGraph("alpha")), smooth_ema(a, 0.5));
    view.setSmoothing(0.0);
    QVERIFY(!view.smoothedGraph("alpha") && !view.smoothedGraph("beta"));
    QCOMPARE(view.rawGraph("alpha")->pen().color(), run_color(0));
    QCOMPARE(p->graphCount(), 2);
    QCOMPARE(p->legend->itemCount(), 2);
    QVERIFY(inLegend(p, view.rawGraph("alpha")));
    // The toolbar's spin box sets it too.
    auto* spin = view.findChild<QDoubleSpinBox*>("smoothingSpin");
    QVERIFY(spin);
    spin->setValue(0.6);
    QCOMPARE(view.smoothing(), 0.6);
    QVERIFY(view.smoothedGraph("alpha"));
    view.setSmoothing(2.0);
    QCOMPARE(view.smoothing(), 0.999);

    // Re-adding keeps the data and takes the new colour.
    view.addRun("alpha", 5);
    QCOMPARE(valuesOf(view.rawGraph("alpha")), a);
    QCOMPARE(view.smoothedGraph("alpha")->pen().color(), run_color(5));
  }

  void appendingEqualsSettingAllPoints() {
    TrainingCurvesView view;
    view.addRun("whole", 0);
    view.addRun("live", 1);
    const QVector<double> v = lossCurve(300);
    const QVector<CurvePoint> all = points(v, 0, 5);
    view.setSeries("whole", kLoss, all);

    view.setSeries("live", kLoss, all.mid(0, 10));
    QCPGraph* raw = view.rawGraph("live");
    QCPGraph* sm = view.smoothedGraph("live");
    QVERIFY(raw && sm);
    for (int i = 10; i < all.size(); i += 7) {
      view.appendPoints("live", kLoss, all.mid(i, 7));
      // The live path adds to the graphs it has: nothing rebuilt.
      QCOMPARE(view.rawGraph("live"), raw);
      QCOMPARE(view.smoothedGraph("live"), sm);
      QCOMPARE(raw->data()->size(), std::min(i + 7, int(all.size())));
    }
    QCOMPARE(keysOf(raw), keysOf(view.rawGraph("whole")));
    QCOMPARE(valuesOf(raw), valuesOf(view.rawGraph("whole")));
    // Bit-identical smoothed values: the EMA state carries across appends.
    const QVector<double> whole = valuesOf(view.smoothedGraph("whole"));
    const QVector<double> live = valuesOf(sm);
    QCOMPARE(live.size(), whole.size());
    for (int i = 0; i < live.size(); ++i) QVERIFY2(live[i] == whole[i], qPrintable(QString::number(i)));
    const QVector<double> expected = smooth_ema(v, 0.9);
    for (int i = 0; i < live.size(); ++i) QVERIFY(live[i] == expected[i]);
    QCOMPARE(view.plot()->xAxis->range().upper, 299.0 * 5);

    // A run's first points arriving by append create its graphs.
    view.appendPoints("late", kLoss, points({2.0, 1.5}));
    QVERIFY(view.rawGraph("late"));
    QCOMPARE(view.rawGraph("late")->data()->size(), 2);
    QCOMPARE(valuesOf(view.smoothedGraph("late")), smooth_ema({2.0, 1.5}, 0.9));
    QCOMPARE(view.rawGraph("late")->pen().color().rgb(), run_color(2).rgb());  // next free colour
    // Appends to a series that is not shown draw nothing now, and everything when shown.
    const int graphs = view.plot()->graphCount();
    view.appendPoints("live", kLr, points({1e-3, 2e-3}));
    QCOMPARE(view.plot()->graphCount(), graphs);
    view.appendPoints("live", kLr, points({3e-3}, 2));
    view.setShownSeries(kLr);
    QCOMPARE(valuesOf(view.rawGraph("live")), (QVector<double>{1e-3, 2e-3, 3e-3}));
  }

  // A re-run or a resume sends steps again from an earlier step: the curve
  // keeps the points before it and takes the new ones, never both attempts'
  // points at one step (a sawtooth), and its smoothing is that of the kept curve.
  void aStepAtOrBeforeTheLastStartsANewAttempt() {
    TrainingCurvesView view;
    view.addRun("r", 0);
    view.appendPoints("r", kLoss, points({5, 4, 3, 2, 1.5}, 1));  // steps 1..5, cancelled after 5
    view.appendPoints("r", kLr, points({1, 2, 3, 4, 5}, 1));
    // Resumed from the checkpoint at step 3: steps 4 and 5 come again.
    view.appendPoints("r", kLoss, points({2.5, 2.2, 2.0}, 4));
    QCOMPARE(keysOf(view.rawGraph("r")), (QVector<double>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(valuesOf(view.rawGraph("r")), (QVector<double>{5, 4, 3, 2.5, 2.2, 2.0}));
    QCOMPARE(valuesOf(view.smoothedGraph("r")), smooth_ema({5, 4, 3, 2.5, 2.2, 2.0}, 0.9));
    // Run again from the start: only the new attempt.
    view.appendPoints("r", kLoss, points({6, 5.5}, 1));
    QCOMPARE(keysOf(view.rawGraph("r")), (QVector<double>{1, 2}));
    QCOMPARE(valuesOf(view.rawGraph("r")), (QVector<double>{6, 5.5}));
    // Each series by itself: the learning rate has not restarted yet.
    view.setShownSeries(kLr);
    QCOMPARE(keysOf(view.rawGraph("r")), (QVector<double>{1, 2, 3, 4, 5}));
  }

  // The legend lies under the plot, never over the curves.
  void legendStaysOffTheCurves() {
    TrainingCurvesView view;
    view.resize(500, 350);
    view.setSeries("a", kLoss, points({5, 4, 3}, 1));
    view.setSeries("b", kLoss, points({6, 2, 1}, 1));
    view.plot()->replot();
    QCOMPARE(view.plot()->legend->itemCount() >= 2, true);
    const QRect legend = view.plot()->legend->outerRect();
    const QRect data = view.plot()->axisRect()->rect();
    QVERIFY(legend.isValid());
    QVERIFY2(!legend.intersects(data), qPrintable(QStringLiteral("legend at y %1, plot to y %2").arg(legend.top()).arg(data.bottom())));
  }

  // A narrow window (the Train workspace at 1024 px) gives the legend fewer
  // columns instead of cutting the run names; a wide one four.
  void legendColumnsFollowTheWidth() {
    TrainingCurvesView view;
    view.resize(1000, 350);
    for (const char* run : {"a", "b", "c", "d", "e"}) view.setSeries(run, kLoss, points({5, 4, 3}, 1));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.plot()->legend->wrap(), 4);
    view.resize(330, 350);
    QTRY_COMPARE(view.plot()->legend->wrap(), 2);
    // The runs already listed are laid out again: two to a row.
    QCOMPARE(view.plot()->legend->columnCount(), 2);
  }

  void switchingSeriesChangesGraphsAndLabel() {
    TrainingCurvesView view;
    QSignalSpy changed(&view, &TrainingCurvesView::shownSeriesChanged);
    view.addRun("a", 0);
    view.addRun("b", 1);
    view.setSeries("a", kLoss, points({3, 2, 1}));
    view.setSeries("b", kLoss, points({4, 3}));
    view.setSeries("a", kLr, points({1e-4, 3e-4, 2e-4}));

    view.setShownSeries(kLr);
    QCOMPARE(view.shownSeries(), kLr);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(view.plot()->yAxis->label(), QString("Learning rate"));
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{1e-4, 3e-4, 2e-4}));
    QVERIFY(!view.smoothedGraph("a"));  // smoothing is for the loss only
    QVERIFY(!view.rawGraph("b"));       // no learning rate for b
    QCOMPARE(view.plot()->graphCount(), 1);
    QCOMPARE(view.plot()->legend->itemCount(), 1);
    QCOMPARE(view.rawGraph("a")->pen().color(), run_color(0));
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);  // log is off for the others
    QVERIFY(!view.logY());

    // The toolbar's combo box follows and drives it.
    auto* combo = view.findChild<QComboBox*>("seriesCombo");
    QVERIFY(combo);
    QCOMPARE(combo->currentData().toString(), kLr);
    QCOMPARE(combo->count(), 5);
    QCOMPARE(combo->itemText(combo->findData(QStringLiteral("train/memory_mb"))), QString("Memory (MiB)"));
    combo->setCurrentIndex(combo->findData(QStringLiteral("train/grad_norm")));
    QCOMPARE(view.shownSeries(), QString("train/grad_norm"));
    QCOMPARE(view.plot()->yAxis->label(), QString("Gradient norm"));
    QVERIFY(!view.rawGraph("a") && !view.rawGraph("b"));
    QCOMPARE(view.plot()->graphCount(), 0);

    view.setShownSeries(kLoss);
    QCOMPARE(combo->currentData().toString(), kLoss);
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{3, 2, 1}));
    QCOMPARE(valuesOf(view.rawGraph("b")), (QVector<double>{4, 3}));
    QVERIFY(view.smoothedGraph("a") && view.smoothedGraph("b"));
    QCOMPARE(view.plot()->yAxis->label(), QString("Loss"));
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(changed.count(), 3);
  }

  // The slowest rank's tokens/s of a data-parallel run is in the toolbar only
  // while a run has it: a single process's experiment lists five series.
  void slowestRankSeriesIsListedOnlyWithData() {
    const QString slowest = QString::fromLatin1(pose::results::kTrainSlowestRankTokensPerS);
    TrainingCurvesView view;
    auto* combo = view.findChild<QComboBox*>("seriesCombo");
    QVERIFY(pose::widgets::training_series_names().contains(slowest));  // read like every series
    view.setSeries("one", kLoss, points({3, 2}));
    view.setSeries("one", slowest, {});
    QCOMPARE(combo->findData(slowest), -1);
    view.addRun("ddp", 1);
    view.appendPoints("ddp", slowest, points({23000, 23200}, 1));
    QVERIFY(combo->findData(slowest) >= 0);
    QCOMPARE(combo->itemText(combo->findData(slowest)), QString("Tokens/s, slowest rank"));
    combo->setCurrentIndex(combo->findData(slowest));
    QCOMPARE(view.shownSeries(), slowest);
    QCOMPARE(valuesOf(view.rawGraph("ddp")), (QVector<double>{23000, 23200}));
    QVERIFY(!view.rawGraph("one"));
    // Shown, it stays listed when its run goes; once another series is shown it is gone.
    view.removeRun("ddp");
    QVERIFY(combo->findData(slowest) >= 0);
    view.setShownSeries(kLoss);
    QCOMPARE(combo->findData(slowest), -1);
    QCOMPARE(combo->count(), 5);
    QCOMPARE(combo->currentData().toString(), kLoss);
  }

  void nonFiniteValuesAreSkipped() {
    TrainingCurvesView view;
    view.setLogY(false);
    view.addRun("a", 0);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    view.setSeries("a", kLoss, points({2.0, nan, 1.0, inf, 0.5}));
    QCOMPARE(keysOf(view.rawGraph("a")), (QVector<double>{0, 2, 4}));
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{2.0, 1.0, 0.5}));
    // The smoothed curve skips them too and averages over the finite values only.
    QCOMPARE(keysOf(view.smoothedGraph("a")), (QVector<double>{0, 2, 4}));
    QCOMPARE(valuesOf(view.smoothedGraph("a")), smooth_ema({2.0, 1.0, 0.5}, 0.9));
    // Autoscaling sees finite data only.
    const QCPRange y = view.plot()->yAxis->range();
    QVERIFY(std::isfinite(y.lower) && std::isfinite(y.upper));
    QVERIFY(y.lower <= 0.5 && y.lower > 0.0);
    QVERIFY(y.upper >= 2.0 && y.upper < 3.0);
    // Same on the live path.
    view.appendPoints("a", kLoss, {{5, -inf}, {6, nan}, {7, 0.4}});
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{2.0, 1.0, 0.5, 0.4}));
    QCOMPARE(view.smoothedGraph("a")->data()->size(), 4);
    QVERIFY(std::isfinite(view.plot()->yAxis->range().lower));
    QVERIFY(view.plot()->yAxis->range().lower <= 0.4);
    QCOMPARE(view.plot()->xAxis->range().upper, 7.0);
  }

  void logYSkipsNonPositiveValues() {
    TrainingCurvesView view;
    view.addRun("a", 0);
    view.setSeries("a", kLr, points({0.0, 1e-4, -1.0, 2e-4}));
    view.setShownSeries(kLr);
    QCOMPARE(view.rawGraph("a")->data()->size(), 4);
    QVERIFY(view.plot()->yAxis->range().lower <= -1.0);

    view.setLogY(true);
    QVERIFY(view.logY());
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(keysOf(view.rawGraph("a")), (QVector<double>{1, 3}));
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{1e-4, 2e-4}));
    const QCPRange y = view.plot()->yAxis->range();
    QVERIFY(y.lower > 0 && y.lower <= 1e-4 && y.upper >= 2e-4 && y.upper < 1e-3);
    auto* check = view.findChild<QCheckBox*>("logYCheck");
    QVERIFY(check && check->isChecked());
    view.appendPoints("a", kLr, {{4, -3.0}, {5, 3e-4}});
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{1e-4, 2e-4, 3e-4}));

    // The choice is remembered per series.
    view.setShownSeries(kLoss);
    QVERIFY(view.logY());
    view.setLogY(false);
    view.setShownSeries(kLr);
    QVERIFY(view.logY());
    QVERIFY(check->isChecked());
    view.setShownSeries(kLoss);
    QVERIFY(!view.logY());
    QVERIFY(!check->isChecked());
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    // The check box drives it as well.
    check->setChecked(true);
    QVERIFY(view.logY());
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);

    // On a log loss axis, a non-positive loss is left out of raw and smoothed curves.
    view.setSeries("a", kLoss, points({1.0, -5.0, 0.5, 8.0}));
    QCOMPARE(valuesOf(view.rawGraph("a")), (QVector<double>{1.0, 0.5, 8.0}));
    const QVector<double> s = smooth_ema({1.0, -5.0, 0.5, 8.0}, 0.9);
    QVERIFY(s[1] < 0 && s[2] < 0 && s[3] > 0);
    QCOMPARE(keysOf(view.smoothedGraph("a")), (QVector<double>{0, 3}));
    QCOMPARE(valuesOf(view.smoothedGraph("a")), (QVector<double>{s[0], s[3]}));
  }

  void removeRunRemovesItsGraphs() {
    TrainingCurvesView view;
    view.addRun("a", 0);
    view.addRun("b", 1);
    view.setSeries("a", kLoss, points({3, 2, 1}));
    view.setSeries("b", kLoss, points({30, 20, 10}));
    QCOMPARE(view.plot()->graphCount(), 4);
    QVERIFY(view.plot()->yAxis->range().upper >= 30);
    view.removeRun("b");
    QVERIFY(!view.rawGraph("b") && !view.smoothedGraph("b"));
    QCOMPARE(view.plot()->graphCount(), 2);
    QCOMPARE(view.plot()->legend->itemCount(), 1);
    QVERIFY(view.plot()->hasPlottable(view.rawGraph("a")));
    QCOMPARE(view.runs(), QStringList{"a"});
    QVERIFY(view.plot()->yAxis->range().upper < 10);  // rescaled to what is left
    view.clear();
    QCOMPARE(view.plot()->graphCount(), 0);
    QVERIFY(view.runs().isEmpty());
  }

  void totalStepsFixTheXRange() {
    TrainingCurvesView view;
    view.addRun("a", 0);
    view.addRun("b", 1);
    view.setTotalSteps("a", 1000);
    view.setTotalSteps("b", 4000);
    view.setSeries("a", kLoss, points({3, 2, 1}, 0, 10));
    QCOMPARE(view.plot()->xAxis->range().lower, 0.0);
    QCOMPARE(view.plot()->xAxis->range().upper, 4000.0);
    view.removeRun("b");
    QCOMPARE(view.plot()->xAxis->range().upper, 1000.0);
    // The curve grows into the frame, and past it if the run goes on.
    view.appendPoints("a", kLoss, {{500, 0.9}});
    QCOMPARE(view.plot()->xAxis->range().upper, 1000.0);
    view.appendPoints("a", kLoss, {{1200, 0.8}});
    QCOMPARE(view.plot()->xAxis->range().upper, 1200.0);
  }

  void screenshot() {
    // Writes docs/screenshots/training-curves.png when POSE_SCREENSHOT_DIR is set.
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    TrainingCurvesView view;
    view.resize(1000, 560);
    for (int r = 0; r < 3; ++r) {
      const QString run = QString("run-%1").arg(r + 1);
      view.addRun(run, r);
      view.setTotalSteps(run, 2000);
      QVector<double> v = lossCurve(400 + 200 * r);
      for (double& x : v) x *= 1.0 + 0.15 * r;
      view.setSeries(run, kLoss, points(v, 0, 2));
    }
    view.plot()->replot();
    QVERIFY(view.grab().save(dir + "/training-curves.png"));
  }
};

QTEST_MAIN(TestTrainingCurvesView)
#include "test_training_curves_view.moc"
