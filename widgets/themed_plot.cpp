#include "themed_plot.h"

#include <QEvent>

namespace pose::widgets {

namespace {

struct PlotColours {
  QColor background, text, axis, grid, subGrid, legendBorder;
};

PlotColours colours_of(const QPalette& palette) {
  PlotColours c;
  c.background = palette.color(QPalette::Base);
  c.text = palette.color(QPalette::Text);
  c.axis = c.text;
  c.axis.setAlphaF(0.75);
  // The grid is a faint line in the text colour: on white it is the light gray
  // QCustomPlot uses, on a dark base a dim one.
  c.grid = c.text;
  c.grid.setAlphaF(0.18);
  c.subGrid = c.text;
  c.subGrid.setAlphaF(0.08);
  c.legendBorder = c.text;
  c.legendBorder.setAlphaF(0.35);
  return c;
}

// Text QCustomPlot colours black unless told otherwise: those follow the palette.
bool default_black(const QColor& colour) { return colour == QColor(Qt::black); }

constexpr const char* kAnnotation = "pose_theme_annotation";

QColor with_alpha(QColor c, double alpha) {
  c.setAlphaF(static_cast<float>(alpha));
  return c;
}

// The same pen (width, dashes) in another colour.
QPen recoloured(QPen pen, const QColor& colour) {
  pen.setColor(colour);
  return pen;
}

void style_axis(QCPAxis* axis, const PlotColours& c) {
  axis->setBasePen(recoloured(axis->basePen(), c.axis));
  axis->setTickPen(recoloured(axis->tickPen(), c.axis));
  axis->setSubTickPen(recoloured(axis->subTickPen(), c.axis));
  axis->setTickLabelColor(c.text);
  axis->setLabelColor(c.text);
  if (QCPGrid* grid = axis->grid()) {
    grid->setPen(recoloured(grid->pen(), c.grid));
    grid->setSubGridPen(recoloured(grid->subGridPen(), c.subGrid));
    if (grid->zeroLinePen().style() != Qt::NoPen) grid->setZeroLinePen(recoloured(grid->zeroLinePen(), c.grid));
  }
}

void style_element(QCPLayoutElement* element, const PlotColours& c) {
  if (!element) return;
  if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
    for (QCPAxis* axis : rect->axes()) style_axis(axis, c);
  } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
    style_axis(scale->axis(), c);
  } else if (auto* text = qobject_cast<QCPTextElement*>(element)) {
    text->setTextColor(c.text);
  } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
    QColor fill = c.background;
    fill.setAlpha(legend->brush().color().alpha());
    legend->setBrush(QBrush(fill));
    legend->setBorderPen(recoloured(legend->borderPen(), c.legendBorder));
    legend->setTextColor(c.text);
    for (int i = 0; i < legend->itemCount(); ++i) {
      if (QCPAbstractLegendItem* item = legend->item(i)) item->setTextColor(c.text);
    }
  }
  // Layouts (and an axis rect's inset layout, where legends often sit) hold more.
  for (QCPLayoutElement* child : element->elements(false)) style_element(child, c);
}

}  // namespace

void apply_plot_palette(QCustomPlot* plot, const QPalette& palette) {
  const PlotColours c = colours_of(palette);
  plot->setBackground(QBrush(c.background));
  style_element(plot->plotLayout(), c);
  for (int i = 0; i < plot->itemCount(); ++i) {
    QCPAbstractItem* item = plot->item(i);
    if (item->property(kAnnotation).toBool()) {
      if (auto* line = qobject_cast<QCPItemStraightLine*>(item)) {
        line->setPen(recoloured(line->pen(), with_alpha(c.text, 0.6)));
      } else if (auto* text = qobject_cast<QCPItemText*>(item)) {
        text->setColor(with_alpha(c.text, 0.8));
        if (text->brush().style() != Qt::NoBrush) {
          text->setBrush(with_alpha(c.background, text->brush().color().alphaF()));
        }
      }
      continue;
    }
    if (auto* text = qobject_cast<QCPItemText*>(item)) {
      // The last palette's text colour counts as default too, so that switching
      // themes back and forth keeps following it.
      if (default_black(text->color()) || text->property("pose_theme_text").toBool()) {
        text->setColor(c.text);
        text->setProperty("pose_theme_text", true);
      }
    }
  }
}

void follow_palette(QCPItemStraightLine* line) { line->setProperty(kAnnotation, true); }
void follow_palette(QCPItemText* text) { text->setProperty(kAnnotation, true); }

ThemedPlot::ThemedPlot(QWidget* parent) : QCustomPlot(parent) {
  // Before every replot: what the widget added since (titles, legends, axes of
  // new axis rects) is styled too.
  connect(this, &QCustomPlot::beforeReplot, this, [this] { apply_plot_palette(this, palette()); });
  apply_plot_palette(this, palette());
}

void ThemedPlot::changeEvent(QEvent* event) {
  QCustomPlot::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) replot();
}

}  // namespace pose::widgets
