#include "flow_layout.h"

#include <QSpacerItem>
#include <algorithm>
#include <QWidget>

namespace pose::widgets {

FlowLayout::FlowLayout(QWidget* parent, int horizontalSpacing, int verticalSpacing)
    : QLayout(parent), horizontalSpacing_(horizontalSpacing), verticalSpacing_(verticalSpacing) {}

FlowLayout::~FlowLayout() {
  while (QLayoutItem* item = takeAt(0)) delete item;
}

void FlowLayout::addSpacing(int width) { addItem(new QSpacerItem(width, 0, QSizePolicy::Fixed, QSizePolicy::Minimum)); }

void FlowLayout::addItem(QLayoutItem* item) { items_.append(item); }

int FlowLayout::count() const { return static_cast<int>(items_.size()); }

QLayoutItem* FlowLayout::itemAt(int index) const { return index >= 0 && index < items_.size() ? items_.at(index) : nullptr; }

QLayoutItem* FlowLayout::takeAt(int index) {
  return index >= 0 && index < items_.size() ? items_.takeAt(index) : nullptr;
}

Qt::Orientations FlowLayout::expandingDirections() const { return {}; }

bool FlowLayout::hasHeightForWidth() const { return true; }

int FlowLayout::heightForWidth(int width) const { return arrange(QRect(0, 0, width, 0), false); }

// As narrow as the widest item: everything else wraps.
QSize FlowLayout::minimumSize() const {
  QSize size;
  for (QLayoutItem* item : items_) {
    if (!item->isEmpty() && !item->spacerItem()) size = size.expandedTo(item->minimumSize());
  }
  const QMargins m = contentsMargins();
  return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

// Everything on one line.
QSize FlowLayout::sizeHint() const {
  int width = 0;
  int height = 0;
  for (QLayoutItem* item : items_) {
    if (item->isEmpty() && !item->spacerItem()) continue;
    width += item->sizeHint().width() + (width > 0 ? horizontalSpacing_ : 0);
    height = std::max(height, item->sizeHint().height());
  }
  const QMargins m = contentsMargins();
  return {width + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect& rect) {
  QLayout::setGeometry(rect);
  arrange(rect, true);
}

int FlowLayout::arrange(const QRect& rect, bool apply) const {
  const QRect area = rect.marginsRemoved(contentsMargins());
  int x = area.x();
  int y = area.y();
  int lineHeight = 0;
  // Each line's items, centred vertically on the line once it is complete.
  QList<QPair<QLayoutItem*, QRect>> line;
  const auto finishLine = [&] {
    if (apply) {
      for (auto& [item, place] : line) {
        place.moveTop(place.top() + (lineHeight - place.height()) / 2);
        item->setGeometry(place);
      }
    }
    line.clear();
  };
  for (QLayoutItem* item : items_) {
    if (item->isEmpty() && !item->spacerItem()) continue;  // hidden widgets
    const QSize size = item->sizeHint().boundedTo(QSize(area.width(), QWIDGETSIZE_MAX)).expandedTo(item->minimumSize());
    if (item->spacerItem()) {
      if (x > area.x()) x += size.width();
      continue;
    }
    if (x > area.x() && x + size.width() > area.right() + 1) {
      finishLine();
      x = area.x();
      y += lineHeight + verticalSpacing_;
      lineHeight = 0;
    }
    line.append({item, QRect(QPoint(x, y), size)});
    x += size.width() + horizontalSpacing_;
    lineHeight = std::max(lineHeight, size.height());
  }
  finishLine();
  return y + lineHeight - rect.y() + contentsMargins().bottom();
}

}  // namespace pose::widgets
