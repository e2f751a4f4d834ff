// LiveEvalView: the curves of periodic evaluations — perplexity against length
// per step for the focus run (newest bold, coloured early to late), and per
// run against the step the perplexity at Lt (with the reference line), passkey
// accuracy and attention beyond Lc; runs that do not train as dashed levels;
// live appends extend everything.
#include <QtTest>

#include <QComboBox>

#include <cmath>

#include "live_eval_view.h"
#include "plot_test_helpers.h"

using pose::widgets::LiveEvalView;
using pose::widgets::PeriodicPoint;
using StepPlot = LiveEvalView::StepPlot;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

PeriodicPoint point(double step, double pplAtLc, double pplAtLt, double passkey, double attention) {
  PeriodicPoint p;
  p.step = step;
  p.perplexity = {{128, pplAtLc + 5}, {256, pplAtLc}, {2048, pplAtLt}};
  p.passkey = passkey;
  p.attentionBeyond = attention;
  return p;
}

}  // namespace

class TestLiveEvalView : public QObject {
  Q_OBJECT
 private slots:
  void drawsStepsAndRunsFromTheirPoints() {
    LiveEvalView view;
    view.resize(1000, 700);
    view.setWindows(256, 2048);
    view.addRun(QStringLiteral("no-finetune"), 0, true);
    view.addRun(QStringLiteral("pose"), 4);
    view.setPoints(QStringLiteral("no-finetune"), {point(0, 30, 400, 1.0, 0.75)});
    view.setPoints(QStringLiteral("pose"),
                   {point(20, 40, 45, 0.0, 0.45), point(0, 50, 60, 0.5, kNaN), point(10, 45, 50, 0.25, 0.5)});

    // The training run takes the focus from the level run.
    QCOMPARE(view.focusRun(), QStringLiteral("pose"));
    const auto curves = view.lengthGraphs();
    QCOMPARE(curves.size(), 3);  // one per step, oldest first
    QCOMPARE(values(curves[0]), (QVector<double>{55, 50, 60}));
    QCOMPARE(values(curves[2]), (QVector<double>{45, 40, 45}));
    QCOMPARE(keys(curves[2]), (QVector<double>{128, 256, 2048}));
    QCOMPARE(curves[2]->pen().widthF(), 3.0);  // the newest bold
    QVERIFY(curves[0]->pen().widthF() < 2.0);
    QVERIFY(curves[2]->pen().color().lightness() > curves[0]->pen().color().lightness());  // early dark, late bright
    QCOMPARE(curves[1]->name(), QStringLiteral("step 10"));
    QVERIFY(texts(view.lengthPlot()).contains(QStringLiteral("Lc = 256")));
    QVERIFY(texts(view.lengthPlot()).contains(QStringLiteral("Lt = 2k")));
    // The legends lie under their plots, never over the curves or the window
    // markers' labels.
    // Seven runs, as the default experiment has.
    for (int i = 0; i < 5; ++i) {
      const QString name = QStringLiteral("extra-%1").arg(i);
      view.addRun(name, 5 + i);
      view.setPoints(name, {point(0, 50, 60 + i, 0.5, 0.5)});
    }
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.resize(700, 900);
    QCoreApplication::processEvents();
    for (QCustomPlot* p : {view.lengthPlot(), view.stepPlot(StepPlot::PerplexityAtLt)}) {
      p->replot();
      QVERIFY(!p->axisRect()->insetLayout()->elements(false).contains(p->legend));
      QVERIFY(p->legend->visible());
      const QRect legend = p->legend->outerRect();
      const QRect data = p->axisRect()->rect();
      QVERIFY(legend.isValid());
      QVERIFY2(!legend.intersects(data) && legend.top() > data.bottom(),
               qPrintable(QStringLiteral("legend at y %1, plot to y %2").arg(legend.top()).arg(data.bottom())));
    }
    // Smaller (the Train workspace at 1024 x 700 with seven runs), the runs'
    // legend folds away rather than leave the data a sliver; the steps' single
    // row stays.
    view.resize(420, 380);
    QCoreApplication::processEvents();
    QCustomPlot* ltPlot = view.stepPlot(StepPlot::PerplexityAtLt);
    QVERIFY(!ltPlot->legend->visible());
    ltPlot->replot();
    QVERIFY2(ltPlot->axisRect()->outerRect().bottom() >= ltPlot->height() - 4,  // the data takes the room
             qPrintable(QStringLiteral("%1 of %2").arg(ltPlot->axisRect()->outerRect().bottom()).arg(ltPlot->height())));
    QVERIFY(view.lengthPlot()->legend->visible());
    view.resize(700, 900);
    QCoreApplication::processEvents();
    QVERIFY(view.stepPlot(StepPlot::PerplexityAtLt)->legend->visible());

    // Against the step: the value at Lt, in step order.
    QCPGraph* lt = view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("pose"));
    QVERIFY(lt);
    QCOMPARE(keys(lt), (QVector<double>{0, 10, 20}));
    QCOMPARE(values(lt), (QVector<double>{60, 50, 45}));
    // The run that does not train: a dashed level across the steps.
    QCPGraph* level = view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("no-finetune"));
    QCOMPARE(keys(level), (QVector<double>{0, 20}));
    QCOMPARE(values(level), (QVector<double>{400, 400}));
    QCOMPARE(level->pen().style(), Qt::DashLine);
    QCOMPARE(values(view.stepGraph(StepPlot::Passkey, QStringLiteral("pose"))), (QVector<double>{0.5, 0.25, 0.0}));
    // A part that was not measured at a step is left out, not drawn as 0.
    QCOMPARE(keys(view.stepGraph(StepPlot::AttentionBeyond, QStringLiteral("pose"))), (QVector<double>{10, 20}));
    QVERIFY(lt->pen().color() != level->pen().color());  // each run its own colour

    // The original model's perplexity at Lc as a reference.
    view.setReference(30, QStringLiteral("original at Lc"));
    QVERIFY(texts(view.stepPlot(StepPlot::PerplexityAtLt)).contains(QStringLiteral("original at Lc: 30.00")));
    QVERIFY(view.stepPlot(StepPlot::PerplexityAtLt)->yAxis->range().contains(30));
    QVERIFY(view.stepPlot(StepPlot::PerplexityAtLt)->yAxis->range().contains(400));
  }

  void liveAppendsExtendTheCurves() {
    LiveEvalView view;
    view.setWindows(256, 2048);
    view.addRun(QStringLiteral("pi"), 1, true);
    view.addRun(QStringLiteral("full"), 2);
    view.addRun(QStringLiteral("pose"), 4);
    view.appendPoint(QStringLiteral("pi"), point(0, 50, 52, 0, 0.44));
    view.appendPoint(QStringLiteral("full"), point(0, 50, 52, 0, 0.44));
    view.appendPoint(QStringLiteral("full"), point(10, 45, 46, 0, 0.43));
    QCOMPARE(view.focusRun(), QStringLiteral("full"));  // follows the live run
    QCOMPARE(view.lengthGraphs().size(), 2);
    QCOMPARE(keys(view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("pi"))), (QVector<double>{0, 10}));

    // The same step again replaces its point.
    view.appendPoint(QStringLiteral("full"), point(10, 44, 44, 0, 0.42));
    QCOMPARE(values(view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("full"))), (QVector<double>{52, 44}));

    // The user picks a run: live points of another run no longer move the focus.
    view.setFocusRun(QStringLiteral("pi"));
    view.appendPoint(QStringLiteral("pose"), point(0, 50, 52, 0, 0.44));
    view.appendPoint(QStringLiteral("pose"), point(40, 40, 41, 0.5, 0.5));
    QCOMPARE(view.focusRun(), QStringLiteral("pi"));
    QCOMPARE(view.lengthGraphs().size(), 1);
    QCOMPARE(keys(view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("pi"))), (QVector<double>{0, 40}));
    QCOMPARE(view.focusCombo()->count(), 3);
    QCOMPARE(view.focusCombo()->currentText(), QStringLiteral("pi"));
    view.focusCombo()->setCurrentText(QStringLiteral("pose"));
    QCOMPARE(view.focusRun(), QStringLiteral("pose"));
    QCOMPARE(view.lengthGraphs().size(), 2);

    // A point before the last one is a new attempt of the run (re-run or
    // resume): the old attempt's later points go.
    view.appendPoint(QStringLiteral("full"), point(20, 40, 41, 0, 0.41));
    view.appendPoint(QStringLiteral("full"), point(0, 51, 53, 0, 0.45));
    QCOMPARE(keys(view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("full"))), (QVector<double>{0}));
    QCOMPARE(values(view.stepGraph(StepPlot::PerplexityAtLt, QStringLiteral("full"))), (QVector<double>{53}));

    view.clear();
    QVERIFY(view.runs().isEmpty());
    QVERIFY(view.lengthGraphs().isEmpty());
    QCOMPARE(view.stepPlot(StepPlot::Passkey)->graphCount(), 0);
  }
};

QTEST_MAIN(TestLiveEvalView)
#include "test_live_eval_view.moc"
