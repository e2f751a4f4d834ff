// A read-only, bounded view of log lines with a level filter. Fed by the app
// (which adapts spdlog records into appendLine calls on the GUI thread).
#pragma once

#include <QComboBox>
#include <QPlainTextEdit>
#include <QWidget>

namespace pose::widgets {

class LogPanel : public QWidget {
  Q_OBJECT
 public:
  // Levels, in spdlog's order: 0 trace .. 5 critical.
  explicit LogPanel(QWidget* parent = nullptr);

  void setMaximumLines(int lines);
  int lineCount() const;
  QString text() const;
  int minimumLevel() const { return minimumLevel_; }
  void setMinimumLevel(int level);

 public slots:
  void appendLine(int level, const QString& line);
  void clear();

 private:
  QComboBox* levelBox_;
  QPlainTextEdit* view_;
  int minimumLevel_ = 2;  // info
};

}  // namespace pose::widgets
