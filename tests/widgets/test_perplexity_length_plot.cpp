// PerplexityLengthPlot: what it draws from given rows — one marked line per
// run in the run's colour, replacing and removing runs, log axes ticked at the
// lengths, Lc/Lt markers, the reference line, skipped non-positive values, the
// hover text, and the JSON rows that `pose eval perplexity` stores.
#include <QtTest>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <qcustomplot.h>

#include "plot_test_helpers.h"

#include "perplexity_length_plot.h"
#include "run_colors.h"

using pose::widgets::PerplexityLengthPlot;
using pose::widgets::PerplexityPoint;

namespace {

// Rows as core/eval/perplexity.cpp to_json writes them.
nlohmann::json engineRows() {
  return nlohmann::json::parse(R"([
    {"length": 512, "stride": 512, "perplexity": 14.25, "mean_nll": 2.6568, "tokens": 130560, "windows": 255, "documents": 12},
    {"length": 2048, "stride": 2048, "perplexity": 11.5, "mean_nll": 2.4423, "tokens": 129024, "windows": 63, "documents": 12},
    {"length": 8192, "stride": 8192, "perplexity": 95.0, "mean_nll": 4.5539, "tokens": 122880, "windows": 15, "documents": 9}
  ])");
}

}  // namespace

class TestPerplexityLengthPlot : public QObject {
  Q_OBJECT
 private slots:
  void parsesTheEngineRows() {
    const auto points = pose::widgets::perplexity_points_from_json(engineRows());
    QCOMPARE(points.size(), 3);
    QCOMPARE(points[0].length, 512.0);
    QCOMPARE(points[0].perplexity, 14.25);
    QCOMPARE(points[0].tokens, int64_t{130560});
    QCOMPARE(points[2].length, 8192.0);
    QCOMPARE(points[2].perplexity, 95.0);
    QCOMPARE(points[2].tokens, int64_t{122880});
    QVERIFY(pose::widgets::perplexity_points_from_json(nlohmann::json::array()).isEmpty());
    // NaN is stored as null: it reads as NaN (and is not drawn).
    const auto nan = pose::widgets::perplexity_points_from_json(
        nlohmann::json::parse(R"([{"length": 1024, "perplexity": null, "tokens": 0}])"));
    QCOMPARE(nan.size(), 1);
    QVERIFY(std::isnan(nan[0].perplexity));
  }

  void rejectsMalformedRows() {
    const char* bad[] = {
        R"({"length": 512, "perplexity": 3.0})",        // not an array
        R"([1, 2])",                                    // rows not objects
        R"([{"perplexity": 3.0, "tokens": 10}])",       // no length
        R"([{"length": 512, "tokens": 10}])",           // no perplexity
        R"([{"length": "512", "perplexity": 3.0}])",    // length not a number
        R"([{"length": 512, "perplexity": "3.0"}])",    // perplexity not a number
        R"([{"length": 0, "perplexity": 3.0}])",        // length not positive
        R"([{"length": 512, "perplexity": 3.0, "tokens": -1}])",
        R"([{"length": 512, "perplexity": 3.0, "tokens": "many"}])",
    };
    for (const char* text : bad) {
      bool threw = false;
      try {
        pose::widgets::perplexity_points_from_json(nlohmann::json::parse(text));
      } catch (const std::invalid_argument&) {
        threw = true;
      }
      QVERIFY2(threw, text);
    }
  }

  void drawsOneMarkedLinePerRunInItsColour() {
    PerplexityLengthPlot plot;
    plot.setRun("pose-2k", 3, pose::widgets::perplexity_points_from_json(engineRows()));
    plot.setRun("base", 0, {{8192, 400, 5}, {512, 12, 7}, {2048, 10, 9}});  // unsorted on purpose
    QCOMPARE(plot.plot()->graphCount(), 2);
    QCOMPARE(plot.runs(), (QStringList{"pose-2k", "base"}));

    QCPGraph* pose = plot.graph("pose-2k");
    QVERIFY(pose);
    QCOMPARE(keys(pose), (QVector<double>{512, 2048, 8192}));
    QCOMPARE(values(pose), (QVector<double>{14.25, 11.5, 95.0}));
    QCOMPARE(pose->pen().color(), pose::widgets::run_color(3));
    QCOMPARE(pose->name(), QString("pose-2k"));
    QCOMPARE(pose->lineStyle(), QCPGraph::lsLine);
    QVERIFY(pose->scatterStyle().shape() != QCPScatterStyle::ssNone);
    QCOMPARE(pose->scatterStyle().pen().color(), pose::widgets::run_color(3));

    QCPGraph* base = plot.graph("base");
    QVERIFY(base);
    QCOMPARE(keys(base), (QVector<double>{512, 2048, 8192}));
    QCOMPARE(values(base), (QVector<double>{12, 10, 400}));
    QCOMPARE(base->pen().color(), pose::widgets::run_color(0));
    QVERIFY(!plot.graph("unknown"));

    // Legend: the run names.
    QCOMPARE(plot.plot()->legend->itemCount(), 2);
    auto* item = qobject_cast<QCPPlottableLegendItem*>(plot.plot()->legend->item(0));
    QVERIFY(item);
    QCOMPARE(item->plottable()->name(), QString("pose-2k"));

    // Ranges fit every point with a margin.
    const QCPRange x = plot.plot()->xAxis->range(), y = plot.plot()->yAxis->range();
    QVERIFY(x.lower > 0 && x.lower < 512 && x.upper > 8192 && x.upper < 16384);
    QVERIFY(y.lower > 0 && y.lower < 10 && y.upper > 400 && y.upper < 1000);
  }

  void replacingARunReplacesItsData() {
    PerplexityLengthPlot plot;
    plot.setRun("a", 1, {{256, 20, 1}, {512, 18, 1}, {1024, 16, 1}});
    plot.setRun("b", 2, {{256, 30, 1}});
    plot.setRun("a", 5, {{4096, 9, 1}});
    QCOMPARE(plot.plot()->graphCount(), 2);
    QCOMPARE(plot.runs(), (QStringList{"a", "b"}));  // keeps its place
    QCOMPARE(keys(plot.graph("a")), (QVector<double>{4096}));
    QCOMPARE(values(plot.graph("a")), (QVector<double>{9}));
    QCOMPARE(plot.graph("a")->pen().color(), pose::widgets::run_color(5));
    QCOMPARE(plot.graph("b")->pen().color(), pose::widgets::run_color(2));
    QVERIFY(plot.plot()->xAxis->range().contains(4096));

    plot.removeRun("a");
    QCOMPARE(plot.plot()->graphCount(), 1);
    QVERIFY(!plot.graph("a"));
    QCOMPARE(values(plot.graph("b")), (QVector<double>{30}));
    plot.removeRun("nobody");
    QCOMPARE(plot.plot()->graphCount(), 1);
    plot.clear();
    QCOMPARE(plot.plot()->graphCount(), 0);
    QVERIFY(!plot.graph("b"));
  }

  void skipsValuesALogAxisCannotShow() {
    PerplexityLengthPlot plot;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    plot.setRun("r", 0, {{256, 0, 1}, {512, -3, 1}, {1024, nan, 1}, {2048, inf, 1}, {4096, 7.5, 1}, {0, 8, 1}});
    QCOMPARE(keys(plot.graph("r")), (QVector<double>{4096}));
    QCOMPARE(values(plot.graph("r")), (QVector<double>{7.5}));
    QVERIFY(plot.plot()->yAxis->range().lower > 0);
  }

  void logAxesTickedAtTheLengths() {
    PerplexityLengthPlot plot;
    plot.setRun("r", 0, {{256, 20, 1}, {512, 18, 1}, {1024, 16, 1}, {2048, 15, 1}, {131072, 40, 1}, {1048576, 90, 1}});
    QCOMPARE(plot.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    auto yTicker = plot.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>();
    QVERIFY(yTicker);
    QCOMPARE(yTicker->logBase(), 10.0);
    auto xTicker = plot.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(xTicker);
    QCOMPARE(xTicker->ticks().keys(), (QList<double>{256, 512, 1024, 2048, 131072, 1048576}));
    QCOMPARE(xTicker->ticks().values(), (QList<QString>{"256", "512", "1k", "2k", "128k", "1M"}));
  }

  void marksTheWindowsAndTheReference() {
    PerplexityLengthPlot plot;
    plot.setRun("r", 0, {{512, 20, 1}, {1024, 16, 1}});
    plot.setWindows(2048, 16384);
    QCOMPARE(plot.markerPositions(), (QVector<double>{2048, 16384}));
    auto lines = itemsOf<QCPItemStraightLine>(plot.plot());
    QCOMPARE(lines.size(), 2);
    QVector<double> xs;
    for (auto* l : lines) {
      QCOMPARE(l->point1->coords().x(), l->point2->coords().x());  // vertical
      QCOMPARE(l->pen().style(), Qt::DashLine);
      xs.push_back(l->point1->coords().x());
    }
    std::sort(xs.begin(), xs.end());
    QCOMPARE(xs, (QVector<double>{2048, 16384}));
    QVERIFY(texts(plot.plot()).contains("Lc = 2k"));
    QVERIFY(texts(plot.plot()).contains("Lt = 16k"));
    QVERIFY(plot.plot()->xAxis->range().contains(16384));  // the target is in view

    plot.setWindows(2048, 0);  // 0 hides
    QCOMPARE(plot.markerPositions(), (QVector<double>{2048}));
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot()).size(), 1);
    QVERIFY(!texts(plot.plot()).join(' ').contains("Lt"));

    plot.setReference("base @ Lc", 250);
    lines = itemsOf<QCPItemStraightLine>(plot.plot());
    QCOMPARE(lines.size(), 2);
    QCPItemStraightLine* ref = nullptr;
    for (auto* l : lines) {
      if (l->point1->coords().y() == l->point2->coords().y()) ref = l;
    }
    QVERIFY(ref);
    QCOMPARE(ref->point1->coords().y(), 250.0);
    QCOMPARE(ref->pen().style(), Qt::DotLine);
    QVERIFY(texts(plot.plot()).join('|').contains("base @ Lc"));
    QVERIFY(plot.plot()->yAxis->range().upper > 250);  // the y range takes the reference in

    // Markers survive run changes; NaN or <= 0 hides the reference.
    plot.setRun("s", 1, {{512, 30, 1}});
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot()).size(), 2);
    plot.setReference("base @ Lc", std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot()).size(), 1);
    QVERIFY(!texts(plot.plot()).join('|').contains("base"));
    plot.setReference("base @ Lc", 0);
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot()).size(), 1);
    QVERIFY(plot.plot()->yAxis->range().upper < 250);
  }

  void hoverShowsRunLengthPerplexityAndTokens() {
    PerplexityLengthPlot plot;
    plot.resize(800, 500);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setRun("a", 0, {{1024, 12.5, 98304}, {4096, 30, 65536}});
    plot.setRun("b", 1, {{1024, 60, 777}});
    plot.plot()->replot();
    QCPAxis* x = plot.plot()->xAxis;
    QCPAxis* y = plot.plot()->yAxis;
    const QPointF onA(x->coordToPixel(4096) + 2, y->coordToPixel(30) - 3);
    const QString tip = plot.toolTipAt(onA);
    const QLocale locale;
    QVERIFY2(tip.startsWith("a\n"), qPrintable(tip));
    QVERIFY2(tip.contains(locale.toString(4096)), qPrintable(tip));
    QVERIFY2(tip.contains("30.000"), qPrintable(tip));
    QVERIFY2(tip.contains(locale.toString(65536) + " tokens"), qPrintable(tip));
    const QString tipB = plot.toolTipAt(QPointF(x->coordToPixel(1024), y->coordToPixel(60)));
    QVERIFY2(tipB.startsWith("b\n") && tipB.contains("777 tokens"), qPrintable(tipB));
    QVERIFY(plot.toolTipAt(QPointF(x->coordToPixel(2048), y->coordToPixel(200))).isEmpty());
  }

  void screenshot() {
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    PerplexityLengthPlot plot;
    plot.resize(1000, 600);
    plot.setRun("base", 0, {{512, 9.8, 1}, {1024, 9.1, 1}, {2048, 8.7, 1}, {4096, 210, 1}, {8192, 900, 1}, {16384, 2400, 1}});
    plot.setRun("pose-2k", 1, {{512, 10.1, 1}, {1024, 9.4, 1}, {2048, 9.0, 1}, {4096, 9.6, 1}, {8192, 10.4, 1}, {16384, 11.9, 1}});
    plot.setRun("yarn-pose-2k", 2, {{512, 10.0, 1}, {1024, 9.3, 1}, {2048, 8.9, 1}, {4096, 9.0, 1}, {8192, 9.5, 1}, {16384, 10.2, 1}});
    plot.setWindows(2048, 16384);
    plot.setReference("base @ Lc", 8.7);
    plot.plot()->replot();
    QVERIFY(plot.grab().save(dir + "/perplexity-length-plot.png"));
  }
};

QTEST_MAIN(TestPerplexityLengthPlot)
#include "test_perplexity_length_plot.moc"
