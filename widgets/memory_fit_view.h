// Does the design fit the device: a spin box for the device's memory (GiB)
// and one line each for the design and for Full-length at Lt — fits or not,
// what it needs of what is usable, and when it does not fit the first change
// that would make it fit (experiment/cost_estimate.h: fit_design), with what
// the run would then need.
//
// Takes the verdicts as the core computes them; the owner recomputes them
// when the memory changes (deviceMemoryChanged).
#pragma once

#include <QString>
#include <QWidget>

#include "experiment/cost_estimate.h"

class QLabel;
class QSpinBox;

namespace pose::widgets {

class MemoryFitView : public QWidget {
  Q_OBJECT
 public:
  explicit MemoryFitView(QWidget* parent = nullptr);

  // Whole GiB, 1 to 4096.
  int deviceMemoryGiB() const;
  double deviceMemoryBytes() const;
  void setDeviceMemoryGiB(int gib);  // emits deviceMemoryChanged when it changes

  void setFit(const experiment::DesignFit& fit);
  void clear(const QString& message);

  // What is shown, for tests.
  QString designText() const;
  QString fullLengthText() const;
  QSpinBox* memorySpinBox() const { return memory_; }

  // A change list in the form's words: "turn on activation checkpointing +
  // lower the batch size to 1 (gradient accumulation 8)".
  static QString describeChanges(const std::vector<experiment::SettingChange>& changes);

 signals:
  void deviceMemoryChanged(int gib);

 private:
  QString verdictText(const experiment::FitVerdict& v) const;

  QSpinBox* memory_;
  QLabel* design_;
  QLabel* fullLength_;
};

}  // namespace pose::widgets
