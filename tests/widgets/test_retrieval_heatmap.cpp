// RetrievalHeatmap: what it draws from given cells — sorted columns and rows,
// the fixed 0-1 colour scale, cell colours from the gradient (checked on the
// rendered pixels too), skipped and missing cells, cell texts, tooltips, and
// the parser of the stored passkey / key-value results.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <qcustomplot.h>

#include "retrieval_heatmap.h"

using pose::widgets::HeatmapCell;
using pose::widgets::RetrievalHeatmap;

namespace {

HeatmapCell cell(int64_t length, double depth, int64_t correct, int64_t trials) {
  HeatmapCell c;
  c.length = length;
  c.depth = depth;
  c.correct = correct;
  c.trials = trials;
  c.promptTokens = length - 3;
  return c;
}

HeatmapCell skippedCell(int64_t length, double depth, const QString& reason) {
  HeatmapCell c;
  c.length = length;
  c.depth = depth;
  c.skipped = reason;
  return c;
}

QColor gradientAt(const RetrievalHeatmap& h, double accuracy) {
  QCPColorGradient g = h.colorMap()->gradient();
  return QColor::fromRgb(g.color(accuracy, QCPRange(0, 1)));
}

// The message of the std::invalid_argument that parsing throws; empty when it
// does not throw (other exception types escape and fail the test).
QString parseError(const nlohmann::json& j) {
  try {
    pose::widgets::heatmap_cells_from_json(j);
  } catch (const std::invalid_argument& e) {
    return QString::fromUtf8(e.what());
  }
  return {};
}

// What `pose eval passkey --generate` stores (core/eval/retrieval_grid.cpp,
// to_json, keys in nlohmann's sorted order): two lengths, two depths, one
// length too short for the prompt.
const char* kStored = R"json([
  {"accuracy": 1.0, "correct": 4, "depth": 0.0, "generated_correct": 3, "length": 2048, "prompt_tokens": 2046,
   "samples": [{"correct": true, "expected": "48213", "generated": "48213.", "generated_correct": true, "predicted": "48213"},
               {"correct": true, "expected": "90211", "generated": "9021", "generated_correct": false, "predicted": "90211"}],
   "trials": 4},
  {"accuracy": 0.75, "correct": 3, "depth": 0.5, "generated_correct": 2, "length": 2048, "prompt_tokens": 2047,
   "samples": [{"correct": false, "expected": "11111", "generated": "11117", "generated_correct": false, "predicted": "11112"}],
   "trials": 4},
  {"accuracy": 0.0, "correct": 0, "depth": 0.0, "length": 64, "prompt_tokens": 0, "samples": [],
   "skipped": "length 64 cannot hold the passkey prompt (97 tokens without filler)", "trials": 0},
  {"accuracy": 0.0, "correct": 0, "depth": 0.5, "length": 64, "prompt_tokens": 0, "samples": [],
   "skipped": "length 64 cannot hold the passkey prompt (97 tokens without filler)", "trials": 0}
])json";

}  // namespace

class TestRetrievalHeatmap : public QObject {
  Q_OBJECT
 private slots:
  void labelsLengthsAndDepths() {
    using pose::widgets::heatmap_depth_label;
    using pose::widgets::heatmap_length_label;
    QCOMPARE(heatmap_length_label(256), QString("256"));
    QCOMPARE(heatmap_length_label(1000), QString("1000"));
    QCOMPARE(heatmap_length_label(1536), QString("1.5k"));
    QCOMPARE(heatmap_length_label(2048), QString("2k"));
    QCOMPARE(heatmap_length_label(16384), QString("16k"));
    QCOMPARE(heatmap_length_label(131072), QString("128k"));
    QCOMPARE(heatmap_length_label(1048576), QString("1M"));
    QCOMPARE(heatmap_depth_label(0.0), QString("0%"));
    QCOMPARE(heatmap_depth_label(0.25), QString("25%"));
    QCOMPARE(heatmap_depth_label(0.125), QString("12.5%"));
    QCOMPARE(heatmap_depth_label(0.1), QString("10%"));
    QCOMPARE(heatmap_depth_label(1.0), QString("100%"));
  }

  void sortsColumnsAndRowsOfUnsortedInput() {
    RetrievalHeatmap h;
    h.setCells({cell(16384, 1.0, 1, 4), cell(256, 0.5, 2, 4), cell(2048, 0.0, 4, 4), cell(256, 0.0, 3, 4),
                cell(16384, 0.5, 0, 4)});
    QCOMPARE(h.lengths(), (QVector<int64_t>{256, 2048, 16384}));
    QCOMPARE(h.depths(), (QVector<double>{0.0, 0.5, 1.0}));
    QVERIFY(h.cellAt(2, 2));
    QCOMPARE(h.cellAt(2, 2)->length, int64_t(16384));
    QCOMPARE(h.cellAt(2, 2)->depth, 1.0);
    QCOMPARE(h.cellAt(0, 1)->correct, int64_t(2));
    QCOMPARE(h.cellAt(0, 0)->correct, int64_t(3));
    // Missing combinations and outside the grid.
    QVERIFY(!h.cellAt(1, 1));
    QVERIFY(!h.cellAt(0, 2));
    QVERIFY(!h.cellAt(3, 0) && !h.cellAt(-1, 0) && !h.cellAt(0, 3));
    QVERIFY(!h.cellColor(1, 1).isValid());
    QVERIFY(h.cellText(1, 1).isEmpty());

    // Axes: one tick per column / row, labelled; depth 0 on top.
    auto* x = dynamic_cast<QCPAxisTickerText*>(h.plot()->xAxis->ticker().data());
    auto* y = dynamic_cast<QCPAxisTickerText*>(h.plot()->yAxis->ticker().data());
    QVERIFY(x && y);
    QCOMPARE(x->ticks().values(), (QList<QString>{"256", "2k", "16k"}));
    QCOMPARE(x->ticks().keys(), (QList<double>{0, 1, 2}));
    QCOMPARE(y->ticks().values(), (QList<QString>{"0%", "50%", "100%"}));
    QVERIFY(h.plot()->yAxis->rangeReversed());
    QCOMPARE(h.plot()->xAxis->range().lower, -0.5);
    QCOMPARE(h.plot()->xAxis->range().upper, 2.5);
    QCOMPARE(h.plot()->yAxis->range().upper, 2.5);
    QCOMPARE(h.colorMap()->data()->keySize(), 3);
    QCOMPARE(h.colorMap()->data()->valueSize(), 3);
  }

  void colourRangeStaysZeroToOne() {
    RetrievalHeatmap h;
    h.setCells({cell(256, 0, 2, 4), cell(512, 0, 1, 2), cell(256, 1, 4, 8)});  // all 0.5
    QCOMPARE(h.colorRange().lower, 0.0);
    QCOMPARE(h.colorRange().upper, 1.0);
    QCOMPARE(h.colorScale()->dataRange().lower, 0.0);
    QCOMPARE(h.colorScale()->dataRange().upper, 1.0);
    QCOMPARE(h.colorScale()->axis()->label(), QString("accuracy"));
    // Half-way up the scale, not its top.
    QCOMPARE(h.cellColor(0, 0), gradientAt(h, 0.5));
    QVERIFY(h.cellColor(0, 0) != gradientAt(h, 1.0));
    h.setCells({cell(256, 0, 1, 4)});
    QCOMPARE(h.colorRange().lower, 0.0);
    QCOMPARE(h.colorRange().upper, 1.0);
  }

  void cellColoursFollowTheGradient() {
    RetrievalHeatmap h;
    h.setCells({cell(256, 0, 4, 4), cell(256, 0.5, 0, 4), cell(512, 0, 3, 4)});
    const QColor top = gradientAt(h, 1.0), bottom = gradientAt(h, 0.0);
    QVERIFY(top != bottom);
    // Viridis from end to end, on the map and on its legend alike.
    QCOMPARE(bottom, QColor(0x44, 0x01, 0x54));
    QCOMPARE(top, QColor(0xFD, 0xE7, 0x25));
    QVERIFY(h.colorScale()->gradient() == h.colorMap()->gradient());
    QCOMPARE(h.cellColor(0, 0), top);
    QCOMPARE(h.cellColor(0, 1), bottom);
    QCOMPARE(h.cellColor(1, 0), gradientAt(h, 0.75));
    QCOMPARE(h.colorMap()->data()->cell(1, 0), 0.75);
    // Lightness rises with accuracy (viridis): dark at 0, light at 1.
    QVERIFY(bottom.lightness() < gradientAt(h, 0.5).lightness());
    QVERIFY(gradientAt(h, 0.5).lightness() < top.lightness());
    // Text reads on its cell: white on the dark end, black on the light end.
    QCOMPARE(h.cellTextColor(0, 1), QColor(Qt::white));
    QCOMPARE(h.cellTextColor(0, 0), QColor(Qt::black));
  }

  void drawnPixelsMatchTheCellColours() {
    RetrievalHeatmap h;
    h.resize(800, 500);
    h.setCells({cell(256, 0, 4, 4), cell(256, 0.5, 0, 4), cell(2048, 0, 3, 4),
                skippedCell(64, 0.5, "too short")});  // (2048, 0.5) and (64, 0) missing
    h.show();
    QVERIFY(QTest::qWaitForWindowExposed(&h));
    h.plot()->replot();
    const QImage image = h.plot()->grab().toImage();
    auto pixel = [&](int column, int row) {
      // Off the centre, where the cell's text sits.
      const double px = h.plot()->xAxis->coordToPixel(column - 0.3);
      const double py = h.plot()->yAxis->coordToPixel(row - 0.3);
      return QColor(image.pixel(static_cast<int>(px), static_cast<int>(py)));
    };
    QCOMPARE(h.lengths(), (QVector<int64_t>{64, 256, 2048}));
    QCOMPARE(pixel(1, 0), h.cellColor(1, 0));
    QCOMPARE(pixel(1, 0), gradientAt(h, 1.0));
    QCOMPARE(pixel(1, 1), gradientAt(h, 0.0));
    QCOMPARE(pixel(2, 0), gradientAt(h, 0.75));
    QCOMPARE(pixel(0, 1), RetrievalHeatmap::skippedColor());
    // A combination never evaluated stays blank.
    QCOMPARE(pixel(2, 1), QColor(Qt::white));
    QCOMPARE(pixel(0, 0), QColor(Qt::white));
    h.hide();
  }

  void skippedCellIsGrayWithItsReason() {
    RetrievalHeatmap h;
    const QString reason = "length 64 cannot hold the passkey prompt (97 tokens without filler)";
    h.setCells({skippedCell(64, 0, reason), cell(256, 0, 1, 4)});
    QCOMPARE(h.cellColor(0, 0), RetrievalHeatmap::skippedColor());
    QCOMPARE(h.cellColor(0, 0), QColor(190, 190, 190));
    QVERIFY(std::isnan(h.colorMap()->data()->cell(0, 0)));
    QCOMPARE(h.cellText(0, 0), QString("—"));
    QVERIFY(h.toolTipAt(0, 0).contains(reason));
    QVERIFY(h.toolTipAt(0, 0).contains("skipped"));
    QVERIFY(h.cellColor(1, 0) != RetrievalHeatmap::skippedColor());
    QCOMPARE(h.cellTextColor(0, 0), QColor(Qt::black));
  }

  void cellTextShowsAccuracyAndCounts() {
    RetrievalHeatmap h;
    h.setCells({cell(1024, 0.25, 3, 4), cell(1024, 0.75, 0, 8)});
    QVERIFY(h.cellText(0, 0).contains("3/4"));
    QVERIFY(h.cellText(0, 0).contains("0.75"));
    QCOMPARE(h.cellText(0, 0), QString("0.75\n3/4"));
    QCOMPARE(h.cellText(0, 1), QString("0.00\n0/8"));
    // The texts are items on the plot, centred on their cells.
    QCOMPARE(h.plot()->itemCount(), 2);
    auto* t = qobject_cast<QCPItemText*>(h.plot()->item(0));
    QVERIFY(t);
    QCOMPARE(t->position->coords(), QPointF(0, 0));
  }

  void tooltipDescribesTheCellAndItsFirstSample() {
    RetrievalHeatmap h;
    HeatmapCell c = cell(2048, 0.25, 3, 4);
    c.promptTokens = 2041;
    c.expected = "48213";
    c.predicted = "48218";
    c.generated = "48219 and <more>";
    c.generatedCorrect = 2;
    h.setCells({c, cell(4096, 0.25, 1, 1)});
    const QString tip = h.toolTipAt(0, 0);
    QVERIFY2(tip.contains("2048"), qPrintable(tip));
    QVERIFY(tip.contains("2k"));
    QVERIFY(tip.contains("25%"));
    QVERIFY(tip.contains("0.750"));
    QVERIFY(tip.contains("3/4"));
    QVERIFY(tip.contains("2041"));
    QVERIFY(tip.contains("expected <tt>48213</tt>"));
    QVERIFY(tip.contains("predicted <tt>48218</tt>"));
    QVERIFY(tip.contains("48219 and &lt;more&gt;"));  // escaped: model output is not markup
    QVERIFY(tip.contains("2/4"));                       // greedy generations
    const QString other = h.toolTipAt(1, 0);
    QVERIFY(other.contains("4096") && other.contains("1/1"));
    QVERIFY(!other.contains("expected") && !other.contains("generated"));
    QVERIFY(h.toolTipAt(2, 0).isEmpty());
  }

  void hoveringACellShowsItsTooltip() {
    RetrievalHeatmap h;
    h.resize(700, 400);
    HeatmapCell c = cell(2048, 0.5, 3, 4);
    c.expected = "77123";
    c.predicted = "77124";
    h.setCells({cell(256, 0, 1, 4), cell(256, 0.5, 2, 4), c});
    h.show();
    QVERIFY(QTest::qWaitForWindowExposed(&h));
    h.plot()->replot();
    int column = -1, row = -1;
    const QPointF at(h.plot()->xAxis->coordToPixel(1.2), h.plot()->yAxis->coordToPixel(0.9));
    QVERIFY(h.cellAtPixel(at, &column, &row));
    QCOMPARE(column, 1);
    QCOMPARE(row, 1);
    QVERIFY(h.cellAtPixel(QPointF(h.plot()->xAxis->coordToPixel(-0.4), h.plot()->yAxis->coordToPixel(0.1)), &column, &row));
    QCOMPARE(column, 0);
    QCOMPARE(row, 0);
    QVERIFY(!h.cellAtPixel(QPointF(2, 2), &column, &row));  // the margin, outside the cells

    QMouseEvent move(QEvent::MouseMove, at, h.plot()->mapToGlobal(at), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(h.plot(), &move);
    QVERIFY2(QToolTip::text().contains("77123"), qPrintable(QToolTip::text()));
    QVERIFY(QToolTip::text().contains("77124"));
    QToolTip::hideText();
    h.hide();
  }

  void parsesTheStoredResults() {
    const auto cells = pose::widgets::heatmap_cells_from_json(nlohmann::json::parse(kStored));
    QCOMPARE(cells.size(), 4);
    const HeatmapCell& a = cells[0];
    QCOMPARE(a.length, int64_t(2048));
    QCOMPARE(a.depth, 0.0);
    QCOMPARE(a.trials, int64_t(4));
    QCOMPARE(a.correct, int64_t(4));
    QCOMPARE(a.promptTokens, int64_t(2046));
    QCOMPARE(a.generatedCorrect, int64_t(3));
    QCOMPARE(a.expected, QString("48213"));  // the first sample only
    QCOMPARE(a.predicted, QString("48213"));
    QCOMPARE(a.generated, QString("48213."));
    QVERIFY(a.skipped.isEmpty());
    QCOMPARE(a.accuracy(), 1.0);
    const HeatmapCell& b = cells[1];
    QCOMPARE(b.depth, 0.5);
    QCOMPARE(b.accuracy(), 0.75);
    QCOMPARE(b.predicted, QString("11112"));
    const HeatmapCell& s = cells[2];
    QCOMPARE(s.length, int64_t(64));
    QCOMPARE(s.skipped, QString("length 64 cannot hold the passkey prompt (97 tokens without filler)"));
    QCOMPARE(s.trials, int64_t(0));
    QCOMPARE(s.accuracy(), 0.0);
    QVERIFY(s.expected.isEmpty() && s.generated.isEmpty());
    QCOMPARE(s.generatedCorrect, int64_t(-1));

    // Without generation: no "generated" keys, generatedCorrect stays -1.
    const auto plain = pose::widgets::heatmap_cells_from_json(nlohmann::json::parse(R"json([
      {"accuracy": 0.5, "correct": 1, "depth": 1.0, "length": 512, "prompt_tokens": 509,
       "samples": [{"correct": true, "expected": "ab12", "predicted": "ab12"}], "trials": 2}])json"));
    QCOMPARE(plain.size(), 1);
    QCOMPARE(plain[0].generatedCorrect, int64_t(-1));
    QVERIFY(plain[0].generated.isEmpty());
    QCOMPARE(plain[0].expected, QString("ab12"));
    QVERIFY(pose::widgets::heatmap_cells_from_json(nlohmann::json::array()).isEmpty());

    // And the widget draws them: lengths 64, 2048; depths 0, 0.5.
    RetrievalHeatmap h;
    h.setTitle("pose-yarn · passkey");
    QCOMPARE(h.title(), QString("pose-yarn · passkey"));
    h.setCells(cells);
    QCOMPARE(h.lengths(), (QVector<int64_t>{64, 2048}));
    QCOMPARE(h.cellColor(0, 1), RetrievalHeatmap::skippedColor());
    QCOMPARE(h.cellColor(1, 0), gradientAt(h, 1.0));
    QVERIFY(h.cellText(1, 1).contains("3/4"));
    QVERIFY(h.toolTipAt(1, 0).contains("48213."));
  }

  void rejectsMalformedResults() {
    using nlohmann::json;
    QVERIFY(parseError(json::object({{"length", 256}, {"depth", 0}})).contains("array"));
    QVERIFY(parseError(json("passkey")).contains("array"));
    const QString noLength = parseError(json::parse(R"([{"length": 256, "depth": 0}, {"depth": 0.5, "trials": 4}])"));
    QVERIFY2(noLength.contains("cell 1") && noLength.contains("\"length\""), qPrintable(noLength));
    const QString noDepth = parseError(json::parse(R"([{"length": 256, "trials": 4}])"));
    QVERIFY2(noDepth.contains("cell 0") && noDepth.contains("\"depth\""), qPrintable(noDepth));
    QVERIFY(parseError(json::parse(R"([{"length": null, "depth": 0}])")).contains("\"length\""));
    QVERIFY(parseError(json::parse(R"([{"length": "2k", "depth": 0}])")).contains("not a number"));
    QVERIFY(parseError(json::parse(R"([{"length": 256, "depth": 0, "trials": "four"}])")).contains("\"trials\""));
    QVERIFY(parseError(json::parse(R"([[256, 0]])")).contains("not an object"));
    QVERIFY(parseError(json::parse(R"([{"length": 256, "depth": 0, "samples": {"expected": "1"}}])")).contains("samples"));
    QVERIFY(parseError(json::parse(R"([{"length": 256, "depth": 0}])")).isEmpty());  // the minimum is fine
  }

  void duplicateCellsMerge() {
    RetrievalHeatmap h;
    HeatmapCell first = cell(2048, 0.5, 3, 4);
    first.expected = "first";
    first.predicted = "first-p";
    HeatmapCell second = cell(2048, 0.5 + 1e-12, 1, 4);  // the same depth, written differently
    second.expected = "second";
    second.promptTokens = 2047;
    h.setCells({first, cell(256, 0.5, 1, 1), second});
    QCOMPARE(h.lengths(), (QVector<int64_t>{256, 2048}));
    QCOMPARE(h.depths().size(), 1);
    const HeatmapCell* m = h.cellAt(1, 0);
    QVERIFY(m);
    QCOMPARE(m->trials, int64_t(8));
    QCOMPARE(m->correct, int64_t(4));
    QCOMPARE(m->promptTokens, int64_t(2047));
    QCOMPARE(m->expected, QString("first"));
    QCOMPARE(h.cellText(1, 0), QString("0.50\n4/8"));
    QCOMPARE(h.cellColor(1, 0), gradientAt(h, 0.5));
    // An evaluated cell replaces a skipped one at the same place.
    h.setCells({skippedCell(512, 0, "too short"), cell(512, 0, 2, 2)});
    QVERIFY(h.cellAt(0, 0));
    QVERIFY(h.cellAt(0, 0)->skipped.isEmpty());
    QCOMPARE(h.cellText(0, 0), QString("1.00\n2/2"));
    QCOMPARE(h.cellColor(0, 0), gradientAt(h, 1.0));
  }

  void singleCellAndClear() {
    RetrievalHeatmap h;
    h.resize(500, 360);
    h.setCells({cell(4096, 0.5, 1, 2)});
    QCOMPARE(h.lengths().size(), 1);
    QCOMPARE(h.cellColor(0, 0), gradientAt(h, 0.5));
    QVERIFY(h.colorMap()->visible());
    // One cell fills [-0.5, 0.5] on both axes, like any other.
    QCOMPARE(h.colorMap()->data()->keyRange().lower, -0.5);
    QCOMPARE(h.colorMap()->data()->keyRange().upper, 0.5);
    h.clear();
    QVERIFY(h.lengths().isEmpty() && h.depths().isEmpty());
    QVERIFY(!h.cellAt(0, 0));
    QVERIFY(!h.cellColor(0, 0).isValid());
    QVERIFY(!h.colorMap()->visible());
    QVERIFY(h.toolTipAt(0, 0).isEmpty());
    QCOMPARE(h.colorRange().upper, 1.0);
  }

  void screenshot() {
    // Writes retrieval-heatmap.png into POSE_SCREENSHOT_DIR when it is set.
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    RetrievalHeatmap h;
    h.resize(900, 520);
    h.setTitle("pose-yarn · passkey");
    QVector<HeatmapCell> cells;
    const int64_t lengths[] = {256, 1024, 2048, 4096, 8192, 16384};
    for (int64_t length : lengths) {
      for (int d = 0; d <= 4; ++d) {
        if (length == 256) {
          cells.push_back(skippedCell(length, d / 4.0, "length 256 cannot hold the passkey prompt"));
          continue;
        }
        const int64_t correct = std::max<int64_t>(0, 8 - (length / 2048) - (d == 2 ? 2 : 0));
        cells.push_back(cell(length, d / 4.0, correct, 8));
      }
    }
    h.setCells(cells);
    h.plot()->replot();
    QVERIFY(h.grab().save(dir + "/retrieval-heatmap.png"));
  }
};

QTEST_MAIN(TestRetrievalHeatmap)
#include "test_retrieval_heatmap.moc"
