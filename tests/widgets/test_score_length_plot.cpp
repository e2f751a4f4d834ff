// ScoreLengthPlot: what it draws from given runs — one marked line per run in
// the run's colour on a fixed 0–1 axis, replacing and removing runs, points
// sorted and undrawable ones left out, ticks at the evaluated lengths, Lc/Lt
// markers, the dashed threshold line at its value with its label, the
// effective length in each legend entry, the hover text and the empty state.
#include <QtTest>

#include <cmath>
#include <limits>

#include <qcustomplot.h>

#include "plot_test_helpers.h"

#include "run_colors.h"
#include "score_length_plot.h"

using pose::widgets::ScoreLengthPlot;
using pose::widgets::ScorePoint;
using pose::widgets::ScoreRun;

namespace {

ScoreRun run(const QString& name, int colour, QVector<ScorePoint> points, std::optional<int64_t> effective = {}) {
  ScoreRun r;
  r.name = name;
  r.colorIndex = colour;
  r.points = std::move(points);
  r.effectiveLength = effective;
  return r;
}

// Laid out at a real size: an unshown widget's layout never sizes the plot inside it.
void showAt(QWidget& w, int width, int height) {
  w.resize(width, height);
  w.show();
  QVERIFY(QTest::qWaitForWindowExposed(&w));
}

QCPItemStraightLine* thresholdLine(QCustomPlot* plot) {
  for (auto* line : itemsOf<QCPItemStraightLine>(plot)) {
    if (line->objectName() == QLatin1String("threshold")) return line;
  }
  return nullptr;
}

}  // namespace

class TestScoreLengthPlot : public QObject {
  Q_OBJECT
 private slots:
  void drawsOneMarkedLinePerRunInItsColour() {
    ScoreLengthPlot plot;
    plot.setRun(run("pose", 3, {{4096, 0.4}, {1024, 0.95}, {2048, 0.9}}, 2048));  // unsorted on purpose
    plot.setRun(run("original", 0, {{1024, 0.97}, {2048, 0.2}, {4096, 0.0}}, 1024));
    QCOMPARE(plot.plot()->graphCount(), 2);
    QCOMPARE(plot.runs(), (QStringList{"pose", "original"}));
    QVERIFY(!plot.isEmpty());

    QCPGraph* pose = plot.graph("pose");
    QVERIFY(pose);
    QCOMPARE(keys(pose), (QVector<double>{1024, 2048, 4096}));
    QCOMPARE(values(pose), (QVector<double>{0.95, 0.9, 0.4}));
    QCOMPARE(pose->pen().color(), pose::widgets::run_color(3));
    QCOMPARE(pose->pen().style(), Qt::SolidLine);
    QVERIFY(pose->scatterStyle().shape() != QCPScatterStyle::ssNone);
    QCOMPARE(plot.graph("original")->pen().color(), pose::widgets::run_color(0));
    QVERIFY(!plot.graph("unknown"));

    // The score axis is fixed to 0–1 whatever the runs score; lengths on log2, ticked where evaluated.
    const QCPRange y = plot.plot()->yAxis->range();
    QVERIFY(y.lower < 0 && y.lower > -0.1 && y.upper > 1 && y.upper < 1.1);
    QCOMPARE(plot.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    const QCPRange x = plot.plot()->xAxis->range();
    QVERIFY(x.lower > 512 && x.lower < 1024 && x.upper > 4096 && x.upper < 8192);
    auto ticker = plot.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().keys(), (QList<double>{1024, 2048, 4096}));
    QCOMPARE(ticker->ticks().value(2048), QString("2k"));

    // The legend lies under the axis rect, one entry a run, with its effective length.
    QCOMPARE(plot.plot()->legend->itemCount(), 2);
    QVERIFY(plot.plot()->legend->visible());
    showAt(plot, 600, 400);
    plot.plot()->replot();
    QVERIFY(plot.plot()->legend->outerRect().top() >= plot.plot()->axisRect()->outerRect().bottom());
    QCOMPARE(plot.legendText("pose"), QString("pose · eff. 2k"));
    QCOMPARE(plot.legendText("original"), QString("original · eff. 1k"));
  }

  void effectiveLengthTextsAndVariants() {
    ScoreLengthPlot plot;
    plot.setRun(run("unknown", 0, {{256, 0.5}}));                  // no summary: the name alone
    plot.setRun(run("below", 1, {{512, 0.1}, {256, 0.3}}, 0));    // below the threshold at every length
    ScoreRun variant = run("pose · dynamic:8", 2, {{256, 0.9}}, 256);
    variant.dashed = true;
    plot.setRun(variant);
    QCOMPARE(plot.legendText("unknown"), QString("unknown"));
    QCOMPARE(plot.legendText("below"), QString("below · eff. < 256"));
    QCOMPARE(plot.graph("pose · dynamic:8")->pen().style(), Qt::DashLine);
    QCOMPARE(plot.legendText("nobody"), QString());
  }

  void replacesAndRemovesRunsAndSkipsUndrawablePoints() {
    ScoreLengthPlot plot;
    plot.setRun(run("a", 1, {{256, 0.9}, {512, 0.8}}));
    plot.setRun(run("b", 2, {{256, 0.7}}));
    plot.setRun(run("a", 5, {{4096, 0.1}, {0, 0.5}, {-1, 0.5},
                             {1024, std::numeric_limits<double>::quiet_NaN()},
                             {std::numeric_limits<double>::infinity(), 0.3}}));
    QCOMPARE(plot.runs(), (QStringList{"a", "b"}));  // keeps its place
    QCOMPARE(keys(plot.graph("a")), (QVector<double>{4096}));
    QCOMPARE(plot.graph("a")->pen().color(), pose::widgets::run_color(5));
    plot.removeRun("b");
    QCOMPARE(plot.runs(), (QStringList{"a"}));
    plot.removeRun("nobody");
    QCOMPARE(plot.plot()->graphCount(), 1);
  }

  void thresholdLineSitsAtItsValueWithItsLabel() {
    ScoreLengthPlot plot;
    showAt(plot, 600, 400);
    plot.setRun(run("pose", 0, {{256, 0.95}, {2048, 0.5}}, 256));
    QVERIFY(std::isnan(plot.threshold()));
    QVERIFY(!thresholdLine(plot.plot()));
    QVERIFY(plot.thresholdText().isEmpty());

    plot.setThreshold(0.856, "RULER");
    QCOMPARE(plot.threshold(), 0.856);
    QCPItemStraightLine* line = thresholdLine(plot.plot());
    QVERIFY(line);
    QCOMPARE(line->point1->coords().y(), 0.856);
    QCOMPARE(line->point2->coords().y(), 0.856);  // horizontal
    QCOMPARE(line->pen().style(), Qt::DashLine);
    QCOMPARE(plot.thresholdText(), QString("threshold 0.86 (RULER)"));
    QVERIFY(texts(plot.plot()).contains("threshold 0.86 (RULER)"));
    // In pixels: between the runs' points at 0.95 and 0.5.
    plot.plot()->replot();
    const double at = plot.plot()->yAxis->coordToPixel(0.856);
    QVERIFY(plot.plot()->axisRect()->height() > 100);
    QVERIFY(at > plot.plot()->yAxis->coordToPixel(0.95) + 10 && at < plot.plot()->yAxis->coordToPixel(0.5) - 10);

    // Survives the runs changing; NaN hides it.
    plot.clear();
    QVERIFY(thresholdLine(plot.plot()));
    plot.setThreshold(std::numeric_limits<double>::quiet_NaN(), QString());
    QVERIFY(!thresholdLine(plot.plot()));
    QVERIFY(!texts(plot.plot()).join(' ').contains("threshold"));
  }

  void marksTheWindows() {
    ScoreLengthPlot plot;
    plot.setWindows(256, 2048);
    QCOMPARE(plot.markerPositions(), (QVector<double>{256, 2048}));
    QVERIFY(texts(plot.plot()).contains("Lc = 256"));
    QVERIFY(texts(plot.plot()).contains("Lt = 2k"));
    plot.setWindows(256, 0);
    QCOMPARE(plot.markerPositions(), (QVector<double>{256}));
  }

  void saysWhenThereIsNothingToDraw() {
    ScoreLengthPlot plot;
    QVERIFY(plot.isEmpty());
    QVERIFY(texts(plot.plot()).contains("no scores"));
    plot.setEmptyText("No RULER results yet");
    QVERIFY(texts(plot.plot()).contains("No RULER results yet"));
    plot.setRun(run("nothing drawable", 0, {{256, std::numeric_limits<double>::quiet_NaN()}}));
    QVERIFY(plot.isEmpty());  // a run without a drawable point is still empty
    QVERIFY(texts(plot.plot()).contains("No RULER results yet"));
    plot.setRun(run("pose", 0, {{256, 0.5}}));
    QVERIFY(!plot.isEmpty());
    QVERIFY(!texts(plot.plot()).contains("No RULER results yet"));
  }

  void hoverNamesRunLengthScoreAndEffectiveLength() {
    ScoreLengthPlot plot;
    showAt(plot, 600, 400);
    plot.setRun(run("pose", 0, {{1024, 0.75}, {4096, 0.25}}, 1024));
    plot.plot()->replot();
    const QPointF at(plot.plot()->xAxis->coordToPixel(1024), plot.plot()->yAxis->coordToPixel(0.75));
    const QString tip = plot.toolTipAt(at + QPointF(3, -2));
    QVERIFY2(tip.contains("pose") && tip.contains("0.750") && tip.contains("effective length 1k"), qPrintable(tip));
    QVERIFY(tip.contains(QLocale().toString(1024)));
    QVERIFY(plot.toolTipAt(at + QPointF(40, 40)).isEmpty());
    const QPointF far(plot.plot()->xAxis->coordToPixel(4096), plot.plot()->yAxis->coordToPixel(0.25));
    QVERIFY(plot.toolTipAt(far).contains("0.250"));
  }

  void setsTitleAndScoreLabel() {
    ScoreLengthPlot plot;
    plot.setTitle("RULER average against context length");
    plot.setScoreLabel("RULER average");
    QCOMPARE(plot.plot()->yAxis->label(), QString("RULER average"));
    auto* title = qobject_cast<QCPTextElement*>(plot.plot()->plotLayout()->element(0, 0));
    QVERIFY(title);
    QCOMPARE(title->text(), QString("RULER average against context length"));
  }

  void screenshot() {
    // Writes score-length-plot.png into POSE_SCREENSHOT_DIR when it is set.
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    ScoreLengthPlot plot;
    plot.resize(640, 420);
    plot.setTitle("RULER average against context length");
    plot.setScoreLabel("average score over RULER's tasks");
    plot.setWindows(2048, 16384);
    plot.setRun(run("original", 0, {{1024, 0.93}, {2048, 0.9}, {4096, 0.31}, {8192, 0.05}, {16384, 0.01}}, 2048));
    plot.setRun(run("pose-linear", 4, {{1024, 0.9}, {2048, 0.89}, {4096, 0.86}, {8192, 0.74}, {16384, 0.52}}, 4096));
    plot.setRun(run("pose-yarn", 5, {{1024, 0.92}, {2048, 0.91}, {4096, 0.9}, {8192, 0.86}, {16384, 0.7}}, 8192));
    plot.setThreshold(0.9, "original model at Lc");
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();
    QVERIFY(plot.grab().save(dir + "/score-length-plot.png"));
  }
};

QTEST_MAIN(TestScoreLengthPlot)
#include "test_score_length_plot.moc"
