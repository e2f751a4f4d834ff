// CoveragePlot: what it draws from given curves — point budgets that keep
// narrow features, the at-least-once curve, markers at the training length and Lt, log axis,
// the comparison overlay, and the off-thread computation.
#include <QtTest>

#include <cmath>

#include <qcustomplot.h>

#include "coverage_plot.h"
#include "positions/coverage_exact.h"
#include "positions/coverage_monte_carlo.h"

using namespace pose::positions;
using pose::widgets::CoveragePlot;

namespace {

double valueAt(QCPGraph* g, double x) {
  auto it = g->data()->findBegin(x, false);
  return it == g->data()->constEnd() ? std::nan("") : it->value;
}

}  // namespace

class TestCoveragePlot : public QObject {
  Q_OBJECT
 private slots:
  void envelopeKeepsANarrowSpikeWithinTheBudget() {
    std::vector<double> v(131072, 0.1);
    v[77777] = 0.9;  // one distance
    v[100] = 0.0;    // one dip
    const auto e = pose::widgets::envelope(v, 2000, false);
    QVERIFY(e.x.size() <= 2000);
    QVERIFY(e.x.contains(77777.0));
    QVERIFY(e.x.contains(100.0));
    QCOMPARE(*std::max_element(e.y.begin(), e.y.end()), 0.9);
    QVERIFY(std::is_sorted(e.x.begin(), e.x.end()));
    const auto small = pose::widgets::envelope(std::vector<double>(50, 0.5), 2000, false);
    QCOMPARE(small.x.size(), 50);  // curves that fit are kept whole
    const auto logged = pose::widgets::envelope(v, 2000, true);
    QVERIFY(logged.x.size() <= 2000);
    QVERIFY(logged.x.front() >= 1.0);  // d = 0 cannot sit on a log axis
    QVERIFY(logged.x.contains(77777.0));
  }

  void drawsBothCurvesMarkersAndTheAtLeastOnceCurve() {
    CoveragePlot plot;
    const CoverageCurve pose = coverage_exact(make_design(Strategy::Pose, 2048, 131072));
    plot.setRunSamples(1000);
    plot.setCurve(pose);
    QCPGraph* p = plot.probabilityGraph(0);
    QVERIFY(p);
    QVERIFY(p->data()->size() <= 2000);  // 131072 distances thinned for drawing
    QVERIFY(p->data()->size() > 500);
    QCOMPARE(valueAt(p, 0), 1.0);
    QCOMPARE(plot.markerPositions(), (QVector<double>{2048, 131072}));
    QVERIFY(plot.plot()->xAxis->range().upper >= 131072);
    QCOMPARE(plot.plot()->xAxis->range().lower, 0.0);
    QCOMPARE(plot.plot()->itemCount(), 5);  // two marker lines, their labels, the plateau note
    // The run's training length is named so, not Lc (the original window in
    // the Design form and the paper).
    QStringList texts;
    for (int i = 0; i < plot.plot()->itemCount(); ++i) {
      if (auto* t = qobject_cast<QCPItemText*>(plot.plot()->item(i))) texts << t->text();
    }
    QVERIFY2(texts.contains("training length L = 2048") && texts.contains("Lt = 131072"), qPrintable(texts.join(" | ")));
    QVERIFY2(!texts.join(' ').contains("Lc"), qPrintable(texts.join(" | ")));
    // The at-least-once curve is 1 - (1 - p)^K of the drawn curve.
    QCPGraph* k = plot.atLeastOnceGraph(0);
    QVERIFY(k);
    const double pl = 2047.0 / 129025.0;
    QVERIFY(std::abs(valueAt(k, 60000) - (1 - std::pow(1 - pl, 1000))) < 1e-9);
    QVERIFY(!plot.probabilityGraph(1));

    MonteCarloOptions o;
    o.samples = 200;
    plot.setComparison(coverage_monte_carlo(make_design(Strategy::Pose, 1024, 131072, 3), o));
    QVERIFY(plot.probabilityGraph(1));
    QCOMPARE(plot.markerPositions(), (QVector<double>{1024, 2048, 131072}));
    // 2 designs x (one sample + at least once) + one band entry for the Monte-Carlo curve.
    QCOMPARE(plot.plot()->legend->itemCount(), 5);
    QVERIFY(plot.plot()->legend->item(2)->property("text").isNull());  // graphs, not text items
    // The legend lies under the axis rect, not over the curves.
    plot.resize(600, 500);
    plot.plot()->replot();
    QVERIFY(!plot.plot()->legend->outerRect().intersects(plot.plot()->axisRect()->rect()));
    plot.setRunSamples(0);
    QVERIFY(!plot.atLeastOnceGraph(0) && !plot.atLeastOnceGraph(1));
    plot.clearComparison();
    QVERIFY(!plot.probabilityGraph(1));
    QCOMPARE(plot.markerPositions(), (QVector<double>{2048, 131072}));
  }

  void logAxisShowsPositiveDistancesOnly() {
    CoveragePlot plot;
    plot.setLogX(true);
    plot.setCurve(coverage_exact(make_design(Strategy::Pose, 64, 4096)));
    QCOMPARE(plot.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(plot.probabilityGraph(0)->data()->constBegin()->key, 1.0);
    QVERIFY(plot.plot()->xAxis->range().lower > 0);
    plot.setLogX(false);
    QCOMPARE(plot.plot()->xAxis->scaleType(), QCPAxis::stLinear);
  }

  void computesOffTheGuiThread() {
    CoveragePlot plot;
    QSignalSpy ready(&plot, &CoveragePlot::curvesReady);
    MonteCarloOptions o;
    o.samples = 100;
    plot.computeAsync(make_design(Strategy::Pose, 256, 4096), make_design(Strategy::RandPos, 256, 4096), o);
    QVERIFY(plot.isComputing());
    QVERIFY(ready.wait(30000));
    QVERIFY(!plot.isComputing());
    QVERIFY(plot.probabilityGraph(0) && plot.probabilityGraph(1));
    // A bad design reports instead of crashing the worker.
    QSignalSpy failed(&plot, &CoveragePlot::computeFailed);
    plot.computeAsync(make_design(Strategy::Pose, 512, 256), std::nullopt, o);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.at(0).at(0).toString().contains("train-len"));
  }

  void screenshot() {
    // Writes docs/screenshots/coverage-plot.png when POSE_SCREENSHOT_DIR is set.
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    CoveragePlot plot;
    plot.resize(1100, 620);
    plot.setRunSamples(1000);
    plot.setCurve(coverage_exact(make_design(Strategy::Pose, 2048, 16384)));
    MonteCarloOptions o;
    o.samples = 300;
    o.seed = 1;
    plot.setComparison(coverage_monte_carlo(make_design(Strategy::RandPos, 2048, 16384), o));
    plot.plot()->replot();
    QVERIFY(plot.grab().save(dir + "/coverage-plot.png"));
  }
};

QTEST_MAIN(TestCoveragePlot)
#include "test_coverage_plot.moc"
