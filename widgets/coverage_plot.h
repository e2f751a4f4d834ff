// Relative-position coverage of one or two position designs: P(d) that one
// training sample trains distance d, and the chance that K samples train it at
// least once, against distance, with the run's training length and the target
// window Lt marked (the training length is not called Lc: in the Design form
// and the PoSE paper Lc is the original model's window). Takes curves from core/positions (plain data); computeAsync() makes
// them on a worker thread for designs whose Monte-Carlo takes a while (randpos).
#pragma once

#include <QVector>
#include <QWidget>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "positions/coverage_monte_carlo.h"
#include "positions/coverage_types.h"

class QCustomPlot;
class QCPGraph;
class QThread;

namespace pose::widgets {

// A curve reduced for drawing to at most about max_points points: the distance
// range is cut into max_points/2 bins (log-spaced when log_bins, then d = 0 is
// left out because a log axis cannot show it) and each bin keeps its minimum
// and its maximum, in distance order — a one-distance spike or dip survives
// where plain decimation would drop it. Curves that already fit are kept whole.
struct DrawnCurve {
  QVector<double> x, y;
};
DrawnCurve envelope(const std::vector<double>& values, int max_points, bool log_bins);

class CoveragePlot : public QWidget {
  Q_OBJECT
 public:
  explicit CoveragePlot(QWidget* parent = nullptr);
  ~CoveragePlot() override;

  void setCurve(const positions::CoverageCurve& curve);       // the design under study
  void setComparison(const positions::CoverageCurve& curve);  // drawn beside it
  void clearComparison();
  void setRunSamples(std::int64_t samples);  // K of the at-least-once curves; 0 hides them
  void setLogX(bool on);
  void setMaxPoints(int points);             // per drawn curve (default 2000)

  // Computes the curves off the GUI thread (exact where it exists, else
  // Monte-Carlo with `mc`), shows them, then emits curvesReady(). A newer call
  // cancels an older one that is still running.
  void computeAsync(const positions::Design& primary, const std::optional<positions::Design>& comparison,
                    const positions::MonteCarloOptions& mc);
  bool isComputing() const { return worker_ != nullptr; }

  QCustomPlot* plot() const { return plot_; }
  QCPGraph* probabilityGraph(int slot) const;  // slot 0 = curve, 1 = comparison; nullptr when empty
  QCPGraph* atLeastOnceGraph(int slot) const;
  QVector<double> markerPositions() const;     // x of the vertical markers, ascending
  bool logX() const { return logX_; }
  std::int64_t runSamples() const { return runSamples_; }

 signals:
  void curvesReady();
  void computeFailed(const QString& message);  // e.g. an invalid design (UserError text)

 private:
  void rebuild();
  void stopWorker();

  QCustomPlot* plot_;
  std::optional<positions::CoverageCurve> curves_[2];
  QCPGraph* probability_[2] = {nullptr, nullptr};
  QCPGraph* atLeastOnce_[2] = {nullptr, nullptr};
  QVector<double> markers_;
  std::int64_t runSamples_ = 1000;
  bool logX_ = false;
  int maxPoints_ = 2000;
  QThread* worker_ = nullptr;
  int generation_ = 0;  // tells a finished worker whether a newer one replaced it
  std::shared_ptr<std::atomic<bool>> cancel_;
};

}  // namespace pose::widgets
