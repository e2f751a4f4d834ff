#include "themed_plot.h"

#include <QMouseEvent>
#include <QToolButton>
#include <QWheelEvent>

#include <QEvent>

#include <algorithm>

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
  // new axis rects) is styled too, and their axes' ranges are followed.
  connect(this, &QCustomPlot::beforeReplot, this, [this] {
    apply_plot_palette(this, palette());
    for (QCPAxisRect* rect : axisRects()) {
      for (QCPAxis* axis : rect->axes()) track(axis);
    }
  });
  apply_plot_palette(this, palette());
  for (QCPAxis* axis : axisRect()->axes()) track(axis);

  reset_ = new QToolButton(this);
  reset_->setObjectName(QStringLiteral("resetViewButton"));
  reset_->setText(tr("Reset view"));
  reset_->setToolTip(tr("Back to the whole plot (or double-click it)"));
  reset_->setAutoRaise(false);
  reset_->hide();
  connect(reset_, &QToolButton::clicked, this, &ThemedPlot::resetView);
}

ThemedPlot::~ThemedPlot() {
  // QCustomPlot's destructor deletes the axes after this object's members are
  // gone: no range signal may reach home_ then.
  for (const Home& h : home_) {
    if (h.axis) h.axis->disconnect(this);
  }
}

void ThemedPlot::track(QCPAxis* axis) {
  home_.erase(std::remove_if(home_.begin(), home_.end(), [](const Home& h) { return h.axis.isNull(); }), home_.end());
  if (std::any_of(home_.begin(), home_.end(), [axis](const Home& h) { return h.axis == axis; })) return;
  home_.push_back({axis, axis->range()});
  connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this, axis](const QCPRange& range) {
    if (!byUser_) {
      for (Home& h : home_) {
        if (h.axis == axis) h.range = range;  // the widget's own choice: the new home
      }
      return;
    }
    if (!zoomed_) {
      zoomed_ = true;
      placeResetButton();
      reset_->show();
      reset_->raise();
    }
  });
}

void ThemedPlot::resetView() {
  for (const Home& h : home_) {
    if (h.axis) h.axis->setRange(h.range);
  }
  zoomed_ = false;
  reset_->hide();
  replot(QCustomPlot::rpQueuedReplot);
}

void ThemedPlot::placeResetButton() {
  reset_->adjustSize();
  reset_->move(width() - reset_->width() - 4, 4);
}

void ThemedPlot::wheelEvent(QWheelEvent* event) {
  byUser_ = true;
  QCustomPlot::wheelEvent(event);
  byUser_ = false;
}

void ThemedPlot::mouseMoveEvent(QMouseEvent* event) {
  byUser_ = event->buttons() != Qt::NoButton;  // a drag pans
  QCustomPlot::mouseMoveEvent(event);
  byUser_ = false;
}

void ThemedPlot::mouseDoubleClickEvent(QMouseEvent* event) {
  QCustomPlot::mouseDoubleClickEvent(event);
  if (zoomed_) resetView();
}

void ThemedPlot::resizeEvent(QResizeEvent* event) {
  QCustomPlot::resizeEvent(event);
  placeResetButton();
}

void ThemedPlot::changeEvent(QEvent* event) {
  QCustomPlot::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) replot();
}

}  // namespace pose::widgets
