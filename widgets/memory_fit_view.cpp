#include "memory_fit_view.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

namespace pose::widgets {

namespace {

QString bytesText(double bytes) { return QString::fromStdString(experiment::format_bytes(bytes)); }

}  // namespace

MemoryFitView::MemoryFitView(QWidget* parent) : QWidget(parent) {
  memory_ = new QSpinBox(this);
  memory_->setObjectName(QStringLiteral("deviceMemory"));
  memory_->setRange(1, 4096);
  memory_->setValue(80);
  memory_->setSuffix(tr(" GiB"));
  memory_->setKeyboardTracking(false);  // one verdict per committed value, not per keystroke
  memory_->setToolTip(tr("The device's memory. A run fits when its estimate is at most %1% of it: the rest is "
                         "kept for what the estimate leaves out (the CUDA context, the allocator's cache, "
                         "libraries' workspaces).")
                          .arg(static_cast<int>(100 * (1 - experiment::kMemoryHeadroom))));
  connect(memory_, &QSpinBox::valueChanged, this, &MemoryFitView::deviceMemoryChanged);
  design_ = new QLabel(this);
  design_->setObjectName(QStringLiteral("designFit"));
  fullLength_ = new QLabel(this);
  fullLength_->setObjectName(QStringLiteral("fullLengthFit"));
  for (QLabel* l : {design_, fullLength_}) {
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
  }
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  form->addRow(tr("Device memory"), memory_);
  form->addRow(tr("This design"), design_);
  form->addRow(tr("Full-length at Lt"), fullLength_);
}

int MemoryFitView::deviceMemoryGiB() const { return memory_->value(); }

double MemoryFitView::deviceMemoryBytes() const { return double(memory_->value()) * 1024.0 * 1024.0 * 1024.0; }

void MemoryFitView::setDeviceMemoryGiB(int gib) { memory_->setValue(gib); }

QString MemoryFitView::describeChanges(const std::vector<experiment::SettingChange>& changes) {
  QStringList parts;
  for (const auto& c : changes) {
    switch (c.kind) {
      case experiment::SettingChange::Kind::ActivationCheckpointing:
        parts << tr("turn on activation checkpointing");
        break;
      case experiment::SettingChange::Kind::BatchSize:
        parts << tr("lower the batch size to %1 (gradient accumulation %2)").arg(c.value).arg(c.accum);
        break;
      case experiment::SettingChange::Kind::Lora:
        parts << tr("train LoRA of rank %1 on the q, k, v and o projections").arg(c.value);
        break;
      case experiment::SettingChange::Kind::Bf16:
        parts << tr("set the precision to bf16");
        break;
    }
  }
  return parts.join(QStringLiteral(" + "));
}

QString MemoryFitView::verdictText(const experiment::FitVerdict& v) const {
  if (v.fits) return tr("fits: %1 of %2 usable").arg(bytesText(v.needed), bytesText(v.available));
  QString text = tr("does not fit: %1 of %2 usable").arg(bytesText(v.needed), bytesText(v.available));
  if (const auto top = v.top()) {
    text += QStringLiteral("\n") + tr("to fit: %1 (%2)").arg(describeChanges(top->changes), bytesText(top->bytes));
  } else {
    text += QStringLiteral("\n") + tr("no setting change fits: a larger device or a shorter training length");
  }
  return text;
}

void MemoryFitView::setFit(const experiment::DesignFit& fit) {
  design_->setText(verdictText(fit.design));
  fullLength_->setText(verdictText(fit.full_length));
  const auto colour = [](QLabel* l, bool fits) {
    l->setStyleSheet(fits ? QString() : QStringLiteral("color: #b3261e;"));
  };
  colour(design_, fit.design.fits);
  colour(fullLength_, fit.full_length.fits);
}

void MemoryFitView::clear(const QString& message) {
  design_->setText(message);
  fullLength_->setText(QStringLiteral("—"));
  design_->setStyleSheet(QString());
  fullLength_->setStyleSheet(QString());
}

QString MemoryFitView::designText() const { return design_->text(); }

QString MemoryFitView::fullLengthText() const { return fullLength_->text(); }

}  // namespace pose::widgets
