// A layout that places its items left to right and wraps them onto the next
// line when the width runs out, like words in a paragraph: for toolbars of a
// workspace that must fit a 1024-pixel-wide screen beside the experiment dock
// without scrolling sideways, while a wide window keeps them on one line.
#pragma once

#include <QLayout>
#include <QList>

namespace pose::widgets {

class FlowLayout : public QLayout {
 public:
  explicit FlowLayout(QWidget* parent = nullptr, int horizontalSpacing = 6, int verticalSpacing = 4);
  ~FlowLayout() override;

  // An empty gap of `width` pixels before the next item (dropped at the start
  // of a line, where it would only indent).
  void addSpacing(int width);

  void addItem(QLayoutItem* item) override;
  int count() const override;
  QLayoutItem* itemAt(int index) const override;
  QLayoutItem* takeAt(int index) override;
  Qt::Orientations expandingDirections() const override;
  bool hasHeightForWidth() const override;
  int heightForWidth(int width) const override;
  QSize minimumSize() const override;
  QSize sizeHint() const override;
  void setGeometry(const QRect& rect) override;

 private:
  // Lays the items out in `rect` (for real when `apply`), returning the height used.
  int arrange(const QRect& rect, bool apply) const;

  QList<QLayoutItem*> items_;
  int horizontalSpacing_;
  int verticalSpacing_;
};

}  // namespace pose::widgets
