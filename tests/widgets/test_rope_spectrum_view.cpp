// RopeSpectrumView: what it draws from given data. Set POSE_UPDATE_SCREENSHOTS=1
// to refresh docs/screenshots/rope-spectrum-yarn-s16.png.
#include <QtTest>

#include "rope_spectrum_view.h"

#include <qcustomplot.h>

#include <cmath>

using pose::widgets::RopeSpectrumData;
using pose::widgets::RopeSpectrumView;

namespace {

constexpr double kPi = 3.14159265358979323846;

// The YaRN example of the reference facts: d=128, b=1e4, L0=4096, s=16, Lt=65536.
pose::rope::RopeParams yarn16() {
  pose::rope::RopeParams p;
  p.method = pose::rope::RopeMethod::Yarn;
  p.head_dim = 128;
  p.base = 1e4;
  p.factor = 16;
  p.original_max_position = 4096;
  return p;
}

// Hand-made data: three frequencies, so every drawn value is known here.
RopeSpectrumData tiny() {
  RopeSpectrumData d;
  d.none = {"none", {2 * kPi, 4 * kPi, 8 * kPi}};
  d.method = {"linear", {4 * kPi, 8 * kPi, 16 * kPi}};
  d.original_window = 20;
  d.target_window = 40;
  d.title = "tiny";
  return d;
}

}  // namespace

class TestRopeSpectrumView : public QObject {
  Q_OBJECT
 private slots:
  void drawsWavelengthsOnALogAxisWithBothWindows() {
    RopeSpectrumView view;
    view.setData(tiny());
    QCOMPARE(view.title(), QString("tiny"));
    QCOMPARE(view.methodWavelengthGraph()->data()->size(), 3);
    QCOMPARE(view.noneWavelengthGraph()->data()->size(), 3);
    QCOMPARE(view.methodWavelengthGraph()->data()->at(2)->value, 16 * kPi);
    QCOMPARE(view.methodWavelengthGraph()->data()->at(2)->key, 2.0);
    QCOMPARE(view.wavelengthPlot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
    // The y range holds every wavelength and both windows.
    const QCPRange y = view.wavelengthPlot()->yAxis->range();
    QVERIFY(y.lower < 2 * kPi && y.upper > 16 * kPi && y.upper > 40);
    QCOMPARE(view.wavelengthPlot()->xAxis->range().lower, -0.5);
    QCOMPARE(view.wavelengthPlot()->xAxis->range().upper, 2.5);
    QVERIFY(view.originalWindowLine()->visible());
    QCOMPARE(view.originalWindowLine()->point1->coords().y(), 20.0);
    QCOMPARE(view.originalWindowLine()->point2->coords().y(), 20.0);
    QCOMPARE(view.targetWindowLine()->point1->coords().y(), 40.0);
    QVERIFY(!view.rampBand()->visible());
    QVERIFY(!view.secondWavelengthGraph()->visible());
    QVERIFY(!view.wavelengthRatioGraph()->visible());
    QVERIFY(!view.wavelengthPlot()->xAxis->label().isEmpty());
    QVERIFY(!view.wavelengthPlot()->yAxis->label().isEmpty());
    QCOMPARE(view.wavelengthPlot()->legend->itemCount(), 2);
  }

  void drawsTheRotaryResponseOverTwiceTheTarget() {
    RopeSpectrumView view;
    view.setData(tiny());
    QCPGraph* g = view.methodResponseGraph();
    QCOMPARE(g->data()->size(), 81);  // every distance 0 .. 2·40
    QCOMPARE(view.responsePlot()->xAxis->range().lower, 0.0);
    QCOMPARE(view.responsePlot()->xAxis->range().upper, 80.0);
    QCOMPARE(g->data()->at(0)->value, 1.0);
    // linear: inv = 1/2, 1/4, 1/8 (wavelengths 4π, 8π, 16π).
    const double s = 7;
    const double expected = (std::cos(s / 2) + std::cos(s / 4) + std::cos(s / 8)) / 3;
    QVERIFY(std::abs(g->data()->at(7)->value - expected) < 1e-12);
    const double none_expected = (std::cos(s) + std::cos(s / 2) + std::cos(s / 4)) / 3;
    QVERIFY(std::abs(view.noneResponseGraph()->data()->at(7)->value - none_expected) < 1e-12);
    QVERIFY(!view.responsePlot()->xAxis->label().isEmpty());
  }

  void shadesTheYarnRampAndOverlaysASecondMethod() {
    pose::rope::RopeParams pose_blend = yarn16();
    pose_blend.method = pose::rope::RopeMethod::YarnPose;
    const pose::rope::RopeParams yarn = yarn16();
    const RopeSpectrumData data = pose::widgets::makeRopeSpectrumData(yarn, 65536, &pose_blend);
    RopeSpectrumView view;
    view.setData(data);
    QVERIFY(view.rampBand()->visible());
    QCOMPARE(view.rampBand()->topLeft->coords().x(), 20.0);
    QCOMPARE(view.rampBand()->bottomRight->coords().x(), 46.0);
    QVERIFY(view.secondWavelengthGraph()->visible());
    QCOMPARE(view.secondWavelengthGraph()->data()->size(), 64);
    QCOMPARE(view.wavelengthRatioGraph()->data()->size(), 64);
    QVERIFY(view.wavelengthPlot()->yAxis2->visible());
    QCOMPARE(view.wavelengthPlot()->legend->itemCount(), 4);
    // The two blends agree outside the ramp (ratio 1) and differ inside it.
    const auto ratio = view.wavelengthRatioGraph()->data();
    QVERIFY(std::abs(ratio->at(5)->value - 1.0) < 1e-12);
    QVERIFY(std::abs(ratio->at(60)->value - 1.0) < 1e-12);
    // Inside: γ = 1 − 13/26 = 0.5 at i = 33; yarn λ = λ0 / (1/(2s) + 1/2), yarn-pose λ = λ0·(s/2 + 1/2).
    const double expected_ratio = (16.0 / 2 + 0.5) * (1.0 / (2 * 16.0) + 0.5);
    QVERIFY(std::abs(ratio->at(33)->value - expected_ratio) < 1e-9);
    // Wavelength of the last dimension: 2π·b^(126/128)·16.
    QVERIFY(std::abs(view.methodWavelengthGraph()->data()->at(63)->value / (2 * kPi * std::pow(1e4, 126.0 / 128) * 16) - 1) < 1e-12);
    QCOMPARE(view.methodResponseGraph()->data()->size(), 2 * 65536 + 1);
    QVERIFY(view.title().contains("1.2773"));

    // New data without overlay or ramp hides them again.
    view.setData(tiny());
    QVERIFY(!view.rampBand()->visible());
    QVERIFY(!view.secondWavelengthGraph()->visible());
    QCOMPARE(view.secondWavelengthGraph()->data()->size(), 0);
    QCOMPARE(view.wavelengthPlot()->legend->itemCount(), 2);
    QCOMPARE(view.secondResponseGraph()->data()->size(), 0);
  }

  void savesAScreenshot() {
    const RopeSpectrumData data = pose::widgets::makeRopeSpectrumData(yarn16(), 65536);
    const QString path = QStringLiteral(POSE_BINARY_DIR "/rope-spectrum-yarn-s16.png");
    QVERIFY(RopeSpectrumView::saveScreenshot(data, path));
    const QImage image(path);
    QCOMPARE(image.size(), QSize(1200, 900));
    if (qEnvironmentVariableIsSet("POSE_UPDATE_SCREENSHOTS")) {
      QDir().mkpath(QStringLiteral(POSE_SOURCE_DIR "/docs/screenshots"));
      QVERIFY(RopeSpectrumView::saveScreenshot(data, QStringLiteral(POSE_SOURCE_DIR "/docs/screenshots/rope-spectrum-yarn-s16.png")));
    }
  }
};

QTEST_MAIN(TestRopeSpectrumView)
#include "test_rope_spectrum_view.moc"
