// An spdlog sink that hands each formatted record to a Qt object on its own
// thread. Engine threads log freely; the GUI receives lines through queued calls.
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <mutex>

#include <spdlog/sinks/base_sink.h>

namespace pose::studio {

class LogBridge : public QObject {
  Q_OBJECT
 signals:
  void line(int level, const QString& text);
};

class QtLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit QtLogSink(LogBridge* bridge) : bridge_(bridge) {}
  // Called when the receiving window goes away; later records are dropped.
  void detach() {
    std::lock_guard<std::mutex> lock(mutex_);
    bridge_ = nullptr;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!bridge_) return;
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    QString text = QString::fromUtf8(formatted.data(), static_cast<int>(formatted.size())).trimmed();
    const int level = static_cast<int>(msg.level);
    LogBridge* bridge = bridge_;
    QMetaObject::invokeMethod(bridge, [bridge, level, text] { emit bridge->line(level, text); },
                              Qt::QueuedConnection);
  }
  void flush_() override {}

 private:
  LogBridge* bridge_;
};

}  // namespace pose::studio
