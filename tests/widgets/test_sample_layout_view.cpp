// SampleLayoutView: one bar per chunk in position space and one per text
// range, rows per sample, markers at the training length and Lt, merging of tiny randpos chunks.
#include <QtTest>

#include <qcustomplot.h>

#include "positions/sampler.h"
#include "sample_layout_view.h"

using namespace pose::positions;
using pose::widgets::SampleLayoutView;

namespace {

int rectCount(QCustomPlot* p) {
  int n = 0;
  for (int i = 0; i < p->itemCount(); ++i) n += qobject_cast<QCPItemRect*>(p->item(i)) != nullptr;
  return n;
}

}  // namespace

class TestSampleLayoutView : public QObject {
  Q_OBJECT
 private slots:
  void oneBarPerChunkAndPerTextRange() {
    SampleLayoutView view;
    const Design d = make_design(Strategy::Pose, 2048, 16384, 3);
    view.setSamples(d, draw_samples(d, 20000, 1, 0, 4), 20000);
    QCOMPARE(view.rowCount(), 4);
    QCOMPARE(view.positionSegmentCount(), 12);
    QCOMPARE(view.textSegmentCount(), 12);
    QCOMPARE(rectCount(view.plot()), 24);
    // Two labelled ticks per sample: its positions and its text.
    auto ticker = view.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticker);
    QCOMPARE(ticker->ticks().size(), 8);
    QVERIFY(ticker->ticks().first().startsWith("sample 0"));
    // The x axis spans the longer of Lt and the document.
    QVERIFY(view.plot()->xAxis->range().upper >= 20000);
    // A bar sits exactly where the sample says: chunk 1 of sample 0.
    const Sample s = draw_sample(d, 20000, 1, 0);
    const double first = static_cast<double>(s.chunk_lengths[0] + s.position_skips[1]);
    bool found = false;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
      if (auto* r = qobject_cast<QCPItemRect*>(view.plot()->item(i))) found |= r->topLeft->coords().x() == first;
    }
    QVERIFY(found);
  }

  void markersAtTheTrainingLengthAndLt() {
    SampleLayoutView view;
    const Design d = make_design(Strategy::Pose, 100, 1000);
    view.setSamples(d, draw_samples(d, 1000, 1, 0, 1), 1000);
    QVector<double> xs;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
      if (auto* l = qobject_cast<QCPItemStraightLine*>(view.plot()->item(i))) xs.push_back(l->point1->coords().x());
    }
    std::sort(xs.begin(), xs.end());
    QCOMPARE(xs, (QVector<double>{100, 1000}));
    QStringList labels;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
      if (auto* t = qobject_cast<QCPItemText*>(view.plot()->item(i))) labels << t->text();
    }
    labels.sort();
    QCOMPARE(labels, (QStringList{"Lt = 1000", "training length 100"}));  // not Lc: the original window
  }

  void randposChunksAreMergedForDrawing() {
    SampleLayoutView view;
    const Design d = make_design(Strategy::RandPos, 2048, 131072);
    const auto samples = draw_samples(d, 131072, 1, 0, 3);
    view.setSamples(d, samples, 131072);
    QVERIFY(samples[0].chunk_lengths.size() > 1900);  // nearly every id its own chunk
    QVERIFY(view.positionSegmentCount() <= 3 * 2000);
    QVERIFY(view.positionSegmentCount() > 3 * 500);
    QCOMPARE(view.textSegmentCount(), 3);  // text is the first Lc tokens: one span
  }

  void tooShortSamplesGetANoteNotBars() {
    SampleLayoutView view;
    const Design d = make_design(Strategy::Pose, 16, 64, 4);
    view.setSamples(d, draw_samples(d, 3, 0, 0, 2), 3);
    QCOMPARE(view.positionSegmentCount(), 0);
    bool noted = false;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
      if (auto* t = qobject_cast<QCPItemText*>(view.plot()->item(i))) noted |= t->text().startsWith("not sampled");
    }
    QVERIFY(noted);
  }

  void screenshot() {
    const QString dir = qEnvironmentVariable("POSE_SCREENSHOT_DIR");
    if (dir.isEmpty()) QSKIP("set POSE_SCREENSHOT_DIR to write the screenshot");
    SampleLayoutView view;
    view.resize(1100, 520);
    const Design d = make_design(Strategy::Pose, 2048, 16384);
    view.setSamples(d, draw_samples(d, 16384, 1, 0, 4), 16384);
    view.plot()->replot();
    QVERIFY(view.grab().save(dir + "/sample-layout.png"));
  }
};

QTEST_MAIN(TestSampleLayoutView)
#include "test_sample_layout_view.moc"
