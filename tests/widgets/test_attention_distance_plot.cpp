// AttentionDistancePlot: what it draws from given profiles — one curve per
// layer (light to dark) or per run (run colours) at a layer or averaged over
// layers, masses at the bins' positions on a log2 axis, the Lc marker and the
// shading beyond it, the "beyond Lc" label, and the JSON that `pose eval
// attention` stores.
#include <QtTest>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <qcustomplot.h>

#include "plot_test_helpers.h"

#include "attention_distance_plot.h"
#include "run_colors.h"

using pose::widgets::attention_bin_position;
using pose::widgets::AttentionDistancePlot;
using pose::widgets::AttentionProfile;

namespace {

bool near(const QVector<double>& a, const QVector<double>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (std::abs(a[i] - b[i]) > 1e-12) return false;
  }
  return true;
}

// As core/eval/attention_distance.cpp to_json writes it, for length 16 and Lc 4.
nlohmann::json engineResult() {
  return nlohmann::json::parse(R"({
    "bins": [[0, 0], [1, 1], [2, 3], [4, 7], [8, 15]],
    "layers": [
      {"layer": 0, "mass": [0.5, 0.2, 0.1, 0.1, 0.1], "beyond_window": 0.3},
      {"layer": 1, "mass": [0.3, 0.4, 0.1, 0.1, 0.1], "beyond_window": 0.4},
      {"layer": 2, "mass": [0.1, 0.3, 0.2, 0.2, 0.2], "beyond_window": 0.539}
    ],
    "sequences": 4,
    "mean_beyond_window": 0.413
  })");
}

const QVector<double> kPositions = {0.5, 1, std::sqrt(6.0), std::sqrt(28.0), std::sqrt(120.0)};

}  // namespace

class TestAttentionDistancePlot : public QObject {
  Q_OBJECT
 private slots:
  void parsesTheEngineResult() {
    const AttentionProfile p = pose::widgets::attention_profile_from_json(engineResult());
    QCOMPARE(p.bins.size(), 5);
    QCOMPARE(p.bins[0], (std::pair<double, double>{0, 0}));
    QCOMPARE(p.bins[2], (std::pair<double, double>{2, 3}));
    QCOMPARE(p.bins[4], (std::pair<double, double>{8, 15}));
    QCOMPARE(p.layerMass.size(), 3);
    QCOMPARE(p.layerMass[1], (QVector<double>{0.3, 0.4, 0.1, 0.1, 0.1}));
    QCOMPARE(p.beyondWindow, (QVector<double>{0.3, 0.4, 0.539}));
    QCOMPARE(p.meanBeyond, 0.413);

    // Layers land at the index they name; a missing mean is the layers' mean.
    nlohmann::json shuffled = engineResult();
    std::swap(shuffled["layers"][0], shuffled["layers"][2]);
    shuffled.erase("mean_beyond_window");
    const AttentionProfile s = pose::widgets::attention_profile_from_json(shuffled);
    QCOMPARE(s.layerMass[0], (QVector<double>{0.5, 0.2, 0.1, 0.1, 0.1}));
    QCOMPARE(s.layerMass[2], (QVector<double>{0.1, 0.3, 0.2, 0.2, 0.2}));
    QCOMPARE(s.beyondWindow, (QVector<double>{0.3, 0.4, 0.539}));
    QVERIFY(std::abs(s.meanBeyond - (0.3 + 0.4 + 0.539) / 3) < 1e-12);

    // NaN is stored as null.
    nlohmann::json withNull = engineResult();
    withNull["layers"][1]["beyond_window"] = nullptr;
    QVERIFY(std::isnan(pose::widgets::attention_profile_from_json(withNull).beyondWindow[1]));
  }

  void rejectsMalformedResults() {
    const char* bad[] = {
        R"([])",                                                                        // not an object
        R"({"layers": []})",                                                            // no bins
        R"({"bins": [[0, 0]]})",                                                        // no layers
        R"({"bins": [[0, 0], [1]], "layers": []})",                                     // bin not a pair
        R"({"bins": [[3, 1]], "layers": []})",                                          // lo > hi
        R"({"bins": [[-1, 0]], "layers": []})",                                         // negative
        R"({"bins": [["0", 0]], "layers": []})",                                        // not a number
        R"({"bins": [[0, 0], [1, 1]], "layers": [{"mass": [1.0], "beyond_window": 0}]})",  // mass too short
        R"({"bins": [[0, 0]], "layers": [{"beyond_window": 0}]})",                      // no mass
        R"({"bins": [[0, 0]], "layers": [{"mass": [1.0]}]})",                           // no beyond_window
        R"({"bins": [[0, 0]], "layers": [{"mass": ["x"], "beyond_window": 0}]})",       // mass not numbers
        R"({"bins": [[0, 0]], "layers": [{"layer": 1, "mass": [1.0], "beyond_window": 0}]})",  // layer out of range
        R"({"bins": [[0, 0]], "layers": [{"layer": 0, "mass": [1.0], "beyond_window": 0},
                                         {"layer": 0, "mass": [1.0], "beyond_window": 0}]})",  // layer repeats
        R"({"bins": [[0, 0]], "layers": [3]})",                                         // layer not an object
        R"({"bins": [[0, 0]], "layers": [], "mean_beyond_window": "lots"})",
    };
    for (const char* text : bad) {
      bool threw = false;
      try {
        pose::widgets::attention_profile_from_json(nlohmann::json::parse(text));
      } catch (const std::invalid_argument&) {
        threw = true;
      }
      QVERIFY2(threw, text);
    }
  }

  // Thirteen log2 bins on a narrow plot: every bin keeps its tick, but only
  // every k-th is labelled, so labels never run together ("128256512"); wide,
  // every bin is labelled again.
  void tickLabelsThinOutWhenNarrow() {
    nlohmann::json result = {{"bins", nlohmann::json::array()}, {"layers", nlohmann::json::array()}};
    nlohmann::json mass = nlohmann::json::array();
    result["bins"].push_back({0, 0});
    mass.push_back(0.1);
    for (int lo = 1; lo <= 2048; lo *= 2) {
      result["bins"].push_back({lo, 2 * lo - 1});
      mass.push_back(0.05);
    }
    result["layers"].push_back({{"layer", 0}, {"mass", mass}, {"beyond_window", 0.3}});
    result["mean_beyond_window"] = 0.3;
    AttentionDistancePlot plot;
    plot.resize(320, 240);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.showLayers("r", pose::widgets::attention_profile_from_json(result));
    // What the axis draws: its labels after a replot at the current size.
    const auto labelled = [&] {
      plot.plot()->replot();
      const QVector<QString> labels = plot.plot()->xAxis->tickVectorLabels();
      int n = 0;
      for (const auto& label : labels) n += label.isEmpty() ? 0 : 1;
      return std::make_pair(n, static_cast<int>(labels.size()));
    };
    auto [narrow, all] = labelled();
    QCOMPARE(all, 13);
    QVERIFY2(narrow < all && narrow >= 3, qPrintable(QString::number(narrow)));
    plot.resize(1600, 400);
    QCoreApplication::processEvents();
    QCOMPARE(labelled().first, 13);
  }

  void binsSitAtTheirGeometricCentre() {
    QCOMPARE(attention_bin_position(0, 0), 0.5);
    QCOMPARE(attention_bin_position(1, 1), 1.0);
    QCOMPARE(attention_bin_position(2, 3), std::sqrt(6.0));
    QCOMPARE(attention_bin_position(1024, 2047), std::sqrt(1024.0 * 2047.0));
  }

  void drawsOneCurvePerLayerLightToDark() {
    AttentionDistancePlot plot;
    plot.showLayers("pose-2k", pose::widgets::attention_profile_from_json(engineResult()));
    QCOMPARE(plot.curveCount(), 3);
    QCOMPARE(plot.plot()->graphCount(), 3);
    for (int i = 0; i < 3; ++i) QVERIFY(near(keys(plot.plot()->graph(i)), kPositions));
    QCOMPARE(values(plot.plot()->graph(0)), (QVector<double>{0.5, 0.2, 0.1, 0.1, 0.1}));
    QCOMPARE(values(plot.plot()->graph(2)), (QVector<double>{0.1, 0.3, 0.2, 0.2, 0.2}));
    QCOMPARE(plot.plot()->graph(1)->name(), QString("layer 1"));
    const double l0 = plot.plot()->graph(0)->pen().color().lightnessF();
    const double l1 = plot.plot()->graph(1)->pen().color().lightnessF();
    const double l2 = plot.plot()->graph(2)->pen().color().lightnessF();
    QVERIFY(l0 > l1 && l1 > l2);
    QCOMPARE(plot.plot()->legend->itemCount(), 3);
    QCOMPARE(plot.beyondLabel(), QString("beyond Lc: 41.3 %"));
    QVERIFY(texts(plot.plot()).contains("beyond Lc: 41.3 %"));  // shown, not only returned

    // Axes: log2 distance ticked at the bins by their lower edge, mass from 0.
    QCOMPARE(plot.plot()->xAxis->scaleType(), QCPAxis::stLogarithmic);
    auto ticker = plot.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().values(), (QList<QString>{"0", "1", "2", "4", "8"}));
    const QList<double> tickKeys = ticker->ticks().keys();
    QVERIFY(near(QVector<double>(tickKeys.begin(), tickKeys.end()), kPositions));
    QCOMPARE(plot.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    QCOMPARE(plot.plot()->yAxis->range().lower, 0.0);
    QVERIFY(plot.plot()->yAxis->range().upper >= 0.5);
    QVERIFY(plot.plot()->xAxis->range().lower < 0.5 && plot.plot()->xAxis->range().upper > std::sqrt(120.0));

    // Many layers: every curve drawn, the legend names the first and the last.
    AttentionProfile deep;
    deep.bins = {{0, 0}, {1, 1}};
    for (int i = 0; i < 12; ++i) {
      deep.layerMass.push_back({0.5, 0.5});
      deep.beyondWindow.push_back(0);
    }
    plot.showLayers("deep", deep);
    QCOMPARE(plot.curveCount(), 12);
    QCOMPARE(plot.plot()->legend->itemCount(), 2);
    QCOMPARE(plot.beyondLabel(), QString("beyond Lc: 0.0 %"));
  }

  void drawsOneCurvePerRunAtALayerOrTheMean() {
    const AttentionProfile a = pose::widgets::attention_profile_from_json(engineResult());
    AttentionProfile b;
    b.bins = {{0, 0}, {1, 1}, {2, 3}};
    b.layerMass = {{0.2, 0.2, 0.6}, {0.4, 0.4, 0.2}};
    b.beyondWindow = {0.25, 0.75};
    b.meanBeyond = 0.5;
    AttentionDistancePlot plot;
    plot.showRuns(1, {{"a", 4, a}, {"b", 7, b}});
    QCOMPARE(plot.curveCount(), 2);
    QCPGraph* ga = plot.plot()->graph(0);
    QCPGraph* gb = plot.plot()->graph(1);
    QCOMPARE(ga->name(), QString("a"));
    QCOMPARE(ga->pen().color(), pose::widgets::run_color(4));
    QCOMPARE(gb->pen().color(), pose::widgets::run_color(7));
    QVERIFY(near(keys(ga), kPositions));
    QCOMPARE(values(ga), (QVector<double>{0.3, 0.4, 0.1, 0.1, 0.1}));
    QVERIFY(near(keys(gb), (QVector<double>{0.5, 1, std::sqrt(6.0)})));
    QCOMPARE(values(gb), (QVector<double>{0.4, 0.4, 0.2}));
    QCOMPARE(plot.beyondLabel(), QString("beyond Lc:\na 40.0 %\nb 75.0 %"));

    // -1: the mean over layers, bin by bin.
    plot.showRuns(-1, {{"a", 4, a}, {"b", 7, b}});
    QCOMPARE(plot.curveCount(), 2);
    QVERIFY(near(values(plot.plot()->graph(0)), (QVector<double>{0.3, 0.3, 0.4 / 3, 0.4 / 3, 0.4 / 3})));
    QVERIFY(near(values(plot.plot()->graph(1)), (QVector<double>{0.3, 0.3, 0.4})));
    QCOMPARE(plot.beyondLabel(), QString("beyond Lc:\na 41.3 %\nb 50.0 %"));

    // A run without that layer is left out.
    plot.showRuns(2, {{"a", 4, a}, {"b", 7, b}});
    QCOMPARE(plot.curveCount(), 1);
    QCOMPARE(plot.plot()->graph(0)->name(), QString("a"));
    QCOMPARE(values(plot.plot()->graph(0)), (QVector<double>{0.1, 0.3, 0.2, 0.2, 0.2}));
    QCOMPARE(plot.beyondLabel(), QString("beyond Lc:\na 53.9 %"));
  }

  void marksAndShadesBeyondTheWindow() {
    AttentionDistancePlot plot;
    plot.setWindow(4);
    plot.showLayers("r", pose::widgets::attention_profile_from_json(engineResult()));
    QCOMPARE(plot.window(), 4.0);
    const auto lines = itemsOf<QCPItemStraightLine>(plot.plot());
    QCOMPARE(lines.size(), 1);
    QCOMPARE(lines[0]->point1->coords().x(), 4.0);
    QCOMPARE(lines[0]->point2->coords().x(), 4.0);
    const auto shades = itemsOf<QCPItemRect>(plot.plot());
    QCOMPARE(shades.size(), 1);
    QCOMPARE(shades[0]->topLeft->coords().x(), 4.0);  // from Lc ...
    QCOMPARE(shades[0]->bottomRight->typeX(), QCPItemPosition::ptAxisRectRatio);
    QCOMPARE(shades[0]->bottomRight->coords().x(), 1.0);  // ... to the right edge
    QVERIFY(shades[0]->brush().style() != Qt::NoBrush);
    QVERIFY(texts(plot.plot()).contains("Lc = 4"));

    plot.setWindow(65536);  // beyond the bins: still in view
    QVERIFY(plot.plot()->xAxis->range().upper > 65536);
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot())[0]->point1->coords().x(), 65536.0);
    QVERIFY(texts(plot.plot()).contains("Lc = 64k"));

    plot.setWindow(0);
    QVERIFY(itemsOf<QCPItemStraightLine>(plot.plot()).isEmpty());
    QVERIFY(itemsOf<QCPItemRect>(plot.plot()).isEmpty());
    QCOMPARE(plot.curveCount(), 3);  // the curves stay
  }

  void clearRemovesCurvesAndLabel() {
    AttentionDistancePlot plot;
    plot.setWindow(4);
    plot.showLayers("r", pose::widgets::attention_profile_from_json(engineResult()));
    plot.clear();
    QCOMPARE(plot.curveCount(), 0);
    QVERIFY(plot.beyondLabel().isEmpty());
    QVERIFY(!texts(plot.plot()).join('|').contains("beyond"));
    QCOMPARE(itemsOf<QCPItemStraightLine>(plot.plot()).size(), 1);  // the window stays
    plot.showRuns(0, {});
    QCOMPARE(plot.curveCount(), 0);
    QVERIFY(plot.beyondLabel().isEmpty());
  }

  void screenshot() {
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    AttentionProfile p;
    const int bins = 15;  // length 8192
    for (int k = 0; k < bins; ++k) p.bins.push_back(k == 0 ? std::pair<double, double>{0, 0}
                                                           : std::pair<double, double>{std::exp2(k - 1), std::exp2(k) - 1});
    for (int l = 0; l < 12; ++l) {
      QVector<double> mass;
      double sum = 0;
      for (int k = 0; k < bins; ++k) {
        const double m = std::exp(-0.5 * std::pow((k - 2.0 - 0.6 * l) / 2.5, 2)) + (k == bins - 1 ? 0.3 : 0);
        mass.push_back(m);
        sum += m;
      }
      for (double& m : mass) m /= sum;
      p.layerMass.push_back(mass);
      p.beyondWindow.push_back(0.05 + 0.03 * l);
    }
    p.meanBeyond = 0.215;
    AttentionDistancePlot plot;
    plot.resize(1000, 600);
    plot.setWindow(2048);
    plot.showLayers("pose-2k", p);
    plot.plot()->replot();
    QVERIFY(plot.grab().save(dir + "/attention-distance-plot.png"));
  }
};

QTEST_MAIN(TestAttentionDistancePlot)
#include "test_attention_distance_plot.moc"
