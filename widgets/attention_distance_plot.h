// Attention mass against relative distance (query index - key index), from
// `pose eval attention` (core/eval/attention_distance.h): either one curve per
// layer of one run (light to dark by layer index) or one curve per run at one
// layer or averaged over layers (run colours), with the training window Lc
// marked, the distances beyond it shaded, and the share of attention that
// reaches beyond Lc written in the corner.
//
// x is a log2 axis: a bin [lo, hi] is drawn at its geometric centre
// sqrt(lo * hi) (bin [1, 1] at 1, [2, 3] at 2.45, [4, 7] at 5.29, ...), and the
// distance-0 bin [0, 0], which a log axis cannot place, at 0.5, one octave left
// of distance 1. Ticks sit at the bin positions, labelled by the bin's lower
// edge (0, 1, 2, 4, ..., 1k, 2k). y is the mass, linear from 0.
#pragma once

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

class QCustomPlot;
class QCPTextElement;

namespace pose::widgets {

struct AttentionProfile {
  QVector<std::pair<double, double>> bins;  // [lo, hi] distances, inclusive
  QVector<QVector<double>> layerMass;       // [layer][bin]
  QVector<double> beyondWindow;             // per layer: share of attention at distance >= Lc
  double meanBeyond = 0;                    // mean of beyondWindow over layers
};

// Reads {"bins": [[lo, hi], ...], "layers": [{"layer": i, "mass": [...], "beyond_window": x}, ...],
// "sequences": n, "mean_beyond_window": x}. Layers go to the index their
// "layer" names (array order when it is absent); a null number (how nlohmann
// writes NaN) reads as NaN; a missing "mean_beyond_window" is the mean of the
// layers'. Throws std::invalid_argument for anything else: not an object,
// bins that are not [lo, hi] with 0 <= lo <= hi, a mass array of the wrong
// length, a missing or repeated layer, a non-number.
AttentionProfile attention_profile_from_json(const nlohmann::json& results);

// Where a bin is drawn on the log2 distance axis: sqrt(lo * hi), 0.5 for the
// bin that starts at distance 0.
double attention_bin_position(double lo, double hi);

class AttentionDistancePlot : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionDistancePlot(QWidget* parent = nullptr);

  // The narrowest it gets: two of these side by side fit a 1024-pixel screen
  // beside the experiment dock.
  static constexpr int kMinimumWidth = 360;

  // One curve per layer of `run`, light (layer 0) to dark (last layer); the
  // corner label gives the profile's meanBeyond.
  void showLayers(const QString& run, const AttentionProfile& profile);
  // One curve per (run, colorIndex, profile) in run_color(colorIndex), at
  // `layer`, or averaged over layers when `layer` is -1. Runs without that
  // layer are left out. The label gives each run's share beyond Lc at that
  // layer (meanBeyond for -1).
  void showRuns(int layer, const QVector<std::tuple<QString, int, AttentionProfile>>& runs);
  void setWindow(double lc);  // marker and shading beyond it; 0 hides both
  void clear();               // the curves and the label; the window stays

  QCustomPlot* plot() const { return plot_; }
  int curveCount() const;
  QString beyondLabel() const { return beyondLabel_; }  // empty when nothing is shown
  double window() const { return lc_; }

 private:
  // The x axis' ticks: every bin marked, labels left out where they would
  // touch at the plot's width ("128 256 512", never "128256512").
  void applyTicks();
  struct Curve {
    QString name;
    QColor colour;
    QVector<double> x, y;
    bool inLegend = true;
  };

  void rebuild();

  QCustomPlot* plot_;
  QCPTextElement* title_;
  QVector<Curve> curves_;
  QVector<std::pair<double, QString>> ticks_;  // bin position and its label
  QVector<std::pair<double, QString>> shownTicks_;  // what the axis has now, before thinning
  QString beyondLabel_;
  double lc_ = 0;
};

}  // namespace pose::widgets
