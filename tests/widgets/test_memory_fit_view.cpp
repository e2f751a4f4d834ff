// MemoryFitView: the device's memory in whole GiB, and for the design and for
// Full-length whether it fits, what it needs of what is usable, and the first
// change that fits in the form's words; it fits beside the cost table in a
// 1024 x 700 window.
#include <QtTest>

#include <QSignalSpy>
#include <QSpinBox>
#include <QVBoxLayout>

#include "memory_fit_view.h"

using pose::experiment::DesignFit;
using pose::experiment::FitVerdict;
using pose::experiment::MemorySuggestion;
using pose::experiment::SettingChange;
using pose::widgets::MemoryFitView;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

FitVerdict fitting(double needed) {
  FitVerdict v;
  v.needed = needed;
  v.available = 72 * kGiB;
  v.fits = true;
  return v;
}

FitVerdict notFitting() {
  FitVerdict v;
  v.needed = 126.6 * kGiB;
  v.available = 72 * kGiB;
  MemorySuggestion ckpt{{{SettingChange::Kind::ActivationCheckpointing, 0, 0}}, 114.7 * kGiB, false};
  MemorySuggestion lora{{{SettingChange::Kind::Lora, 16, 0}}, 26.6 * kGiB, true};
  v.suggestions = {ckpt, lora};
  return v;
}

}  // namespace

class TestMemoryFitView : public QObject {
  Q_OBJECT
 private slots:
  void memoryIsWholeGiB() {
    MemoryFitView v;
    QSignalSpy changed(&v, &MemoryFitView::deviceMemoryChanged);
    v.setDeviceMemoryGiB(24);
    QCOMPARE(v.deviceMemoryGiB(), 24);
    QCOMPARE(v.deviceMemoryBytes(), 24 * kGiB);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.takeFirst().at(0).toInt(), 24);
    v.memorySpinBox()->setValue(0);  // below the range: 1 GiB
    QCOMPARE(v.deviceMemoryGiB(), 1);
  }

  void verdictsSayWhatToChange() {
    MemoryFitView v;
    DesignFit fit;
    fit.design = fitting(26.5 * kGiB);
    fit.full_length = notFitting();
    v.setFit(fit);
    QCOMPARE(v.designText(), QStringLiteral("fits: 26.5 GiB of 72.0 GiB usable"));
    QVERIFY2(v.fullLengthText().startsWith(QStringLiteral("does not fit: 126.6 GiB of 72.0 GiB usable")),
             qPrintable(v.fullLengthText()));
    // The first suggestion that fits, not the first listed.
    QVERIFY2(v.fullLengthText().contains(
                 QStringLiteral("to fit: train LoRA of rank 16 on the q, k, v and o projections (26.6 GiB)")),
             qPrintable(v.fullLengthText()));

    fit.full_length.suggestions.pop_back();
    v.setFit(fit);
    QVERIFY2(v.fullLengthText().contains(QStringLiteral("no setting change fits")), qPrintable(v.fullLengthText()));

    v.clear(QStringLiteral("No estimate"));
    QCOMPARE(v.designText(), QStringLiteral("No estimate"));
  }

  void changesInTheFormsWords() {
    const QString text = MemoryFitView::describeChanges({{SettingChange::Kind::ActivationCheckpointing, 0, 0},
                                                         {SettingChange::Kind::BatchSize, 1, 8},
                                                         {SettingChange::Kind::Bf16, 0, 0}});
    QCOMPARE(text, QStringLiteral("turn on activation checkpointing + lower the batch size to 1 (gradient "
                                  "accumulation 8) + set the precision to bf16"));
  }

  void fitsBesideTheCostTableAt1024x700() {
    QWidget window;
    auto* layout = new QVBoxLayout(&window);
    auto* v = new MemoryFitView(&window);
    layout->addWidget(v);
    DesignFit fit;
    fit.design = notFitting();
    fit.full_length = notFitting();
    v->setFit(fit);
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // Long suggestions wrap instead of widening the pane the cost table shares.
    QVERIFY2(v->minimumSizeHint().width() <= 360, qPrintable(QString::number(v->minimumSizeHint().width())));
    QVERIFY(v->width() <= 1024);
    QVERIFY(v->height() <= 700);
  }
};

QTEST_MAIN(TestMemoryFitView)
#include "test_memory_fit_view.moc"
