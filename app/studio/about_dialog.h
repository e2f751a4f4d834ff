// Help ▸ About: product, LibTorch and device versions (the same report as
// `pose --version`).
#pragma once

#include <QDialog>

namespace pose::studio {

class AboutDialog : public QDialog {
  Q_OBJECT
 public:
  explicit AboutDialog(QWidget* parent = nullptr);
  QString reportText() const { return report_; }

 private:
  QString report_;
};

}  // namespace pose::studio
