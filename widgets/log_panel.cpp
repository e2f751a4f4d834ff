#include "log_panel.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace pose::widgets {

LogPanel::LogPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Show from level:"), this));
  levelBox_ = new QComboBox(this);
  levelBox_->addItems({tr("Trace"), tr("Debug"), tr("Info"), tr("Warning"), tr("Error"), tr("Critical")});
  levelBox_->setCurrentIndex(minimumLevel_);
  bar->addWidget(levelBox_);
  bar->addStretch();
  auto* clearButton = new QPushButton(tr("Clear"), this);
  bar->addWidget(clearButton);
  layout->addLayout(bar);

  view_ = new QPlainTextEdit(this);
  view_->setReadOnly(true);
  view_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  view_->setMaximumBlockCount(5000);
  view_->setLineWrapMode(QPlainTextEdit::NoWrap);
  layout->addWidget(view_);

  connect(levelBox_, &QComboBox::currentIndexChanged, this, &LogPanel::setMinimumLevel);
  connect(clearButton, &QPushButton::clicked, this, &LogPanel::clear);
}

void LogPanel::setMaximumLines(int lines) { view_->setMaximumBlockCount(lines); }

int LogPanel::lineCount() const { return view_->document()->isEmpty() ? 0 : view_->blockCount(); }

QString LogPanel::text() const { return view_->toPlainText(); }

void LogPanel::setMinimumLevel(int level) {
  minimumLevel_ = level;
  if (levelBox_->currentIndex() != level) levelBox_->setCurrentIndex(level);
}

void LogPanel::appendLine(int level, const QString& line) {
  if (level < minimumLevel_) return;
  view_->appendPlainText(line);
}

void LogPanel::clear() { view_->clear(); }

}  // namespace pose::widgets
