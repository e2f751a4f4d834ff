// ThemedPlot: background, axes, tick labels, grid, titles, legend and default
// text items take the palette's colours before each replot; colours chosen on
// purpose stay; a palette change restyles it.
#include <QtTest>

#include "themed_plot.h"

using pose::widgets::ThemedPlot;

namespace {

QPalette palette_with(const QColor& base, const QColor& text) {
  QPalette p;
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::Text, text);
  return p;
}

// The plot's background as drawn: a corner pixel, outside axes, titles and legend.
QColor drawn_background(QCustomPlot& plot) {
  return QColor(plot.toPixmap(plot.width(), plot.height()).toImage().pixel(1, 1));
}

}  // namespace

class TestThemedPlot : public QObject {
  Q_OBJECT
 private slots:
  void followsThePalette() {
    ThemedPlot plot;
    plot.resize(400, 300);
    plot.plotLayout()->insertRow(0);
    auto* title = new QCPTextElement(&plot, "Loss");
    plot.plotLayout()->addElement(0, 0, title);
    plot.legend->setVisible(true);
    QCPGraph* graph = plot.addGraph();
    graph->setName("run");
    graph->setPen(QPen(QColor(0x4e79a7)));
    auto* plain = new QCPItemText(&plot);  // default colour: follows the theme
    plain->setText("note");
    auto* chosen = new QCPItemText(&plot);  // a colour chosen on purpose
    chosen->setText("Lc");
    chosen->setColor(QColor(0xe1, 0x57, 0x59));

    const QColor darkBase(0x1e, 0x1e, 0x1e), lightText(0xe6, 0xe6, 0xe6);
    plot.setPalette(palette_with(darkBase, lightText));
    plot.replot();
    QCOMPARE(drawn_background(plot), darkBase);
    QCOMPARE(plot.xAxis->tickLabelColor(), lightText);
    QCOMPARE(plot.yAxis->labelColor(), lightText);
    QCOMPARE(plot.xAxis->basePen().color().rgb(), lightText.rgb());
    QCOMPARE(plot.xAxis->grid()->pen().color().rgb(), lightText.rgb());
    QVERIFY(plot.xAxis->grid()->pen().color().alphaF() < 0.5);  // faint
    QCOMPARE(title->textColor(), lightText);
    QCOMPARE(plot.legend->textColor(), lightText);
    QCOMPARE(plot.legend->item(0)->textColor(), lightText);
    QCOMPARE(plot.legend->brush().color().rgb(), darkBase.rgb());
    QCOMPARE(plain->color(), lightText);
    QCOMPARE(chosen->color(), QColor(0xe1, 0x57, 0x59));
    QCOMPARE(graph->pen().color(), QColor(0x4e79a7));

    // Back to a light palette: everything themed follows, the plain note too;
    // the palette change replots by itself.
    plot.setPalette(palette_with(Qt::white, Qt::black));
    QCOMPARE(drawn_background(plot), QColor(Qt::white));
    QCOMPARE(plot.xAxis->tickLabelColor(), QColor(Qt::black));
    QCOMPARE(title->textColor(), QColor(Qt::black));
    QCOMPARE(plain->color(), QColor(Qt::black));
    QCOMPARE(chosen->color(), QColor(0xe1, 0x57, 0x59));
  }

  // What is drawn, not just the properties: the plot area's pixels are the
  // palette's base colour.
  void drawsOnThePalettesBase() {
    ThemedPlot plot;
    plot.resize(300, 200);
    plot.setPalette(palette_with(QColor(0x20, 0x30, 0x40), Qt::white));
    plot.replot();
    const QImage image = plot.toPixmap(300, 200).toImage();
    QCOMPARE(QColor(image.pixel(150, 100)).rgb(), QColor(0x20, 0x30, 0x40).rgb());
  }

  // Wheel zoom leaves a way back: a "Reset view" button and double-click
  // return to the ranges the widget set; ranges the widget sets later are the
  // new home and show no button.
  void zoomComesBackByButtonOrDoubleClick() {
    ThemedPlot plot;
    plot.resize(400, 300);
    plot.setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot.addGraph()->setData({0, 5, 10}, {0, 1, 2});
    plot.xAxis->setRange(0, 10);
    plot.yAxis->setRange(0, 2);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.replot();
    QVERIFY(!plot.isZoomed());
    QVERIFY(!plot.resetButton()->isVisible());

    const QPointF centre = plot.axisRect()->rect().center();
    QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(&plot, &wheel);
    QVERIFY(plot.isZoomed());
    QVERIFY(plot.xAxis->range().size() < 10);
    QVERIFY(plot.resetButton()->isVisible());
    // The button sits inside the plot, at its top right.
    QVERIFY(plot.rect().contains(plot.resetButton()->geometry()));
    plot.resetButton()->click();
    QCOMPARE(plot.xAxis->range().lower, 0.0);
    QCOMPARE(plot.xAxis->range().upper, 10.0);
    QCOMPARE(plot.yAxis->range().upper, 2.0);
    QVERIFY(!plot.resetButton()->isVisible());

    plot.xAxis->setRange(0, 20);  // the widget's own change: the new home
    QVERIFY(!plot.isZoomed());
    QApplication::sendEvent(&plot, &wheel);
    QVERIFY(plot.isZoomed());
    QTest::mouseDClick(&plot, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    QVERIFY(!plot.isZoomed());
    QCOMPARE(plot.xAxis->range().upper, 20.0);
  }
};

QTEST_MAIN(TestThemedPlot)
#include "test_themed_plot.moc"
