// What a RoPE scaling method does to each rotary frequency, in two panels:
//   (a) wavelength per dimension (log scale) for the method against plain RoPE,
//       with the original and target windows as horizontal lines and the YaRN
//       ramp shaded; optionally a second method and the per-dimension wavelength
//       ratio of the two (right axis);
//   (b) the rotary response mean_i cos(s·inv_i) over relative distance
//       s in [0, 2·target window]: how well attention can still tell distances apart.
// Takes plain data; makeRopeSpectrumData() fills it from core RopeParams.
#pragma once

#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

#include "rope/rope_params.h"

class QCustomPlot;
class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;

namespace pose::widgets {

struct RopeSpectrumSeries {
  QString name;                    // legend text, e.g. "yarn"
  std::vector<double> wavelength;  // positions per full turn, one per frequency index
};

struct RopeSpectrumData {
  RopeSpectrumSeries method;
  RopeSpectrumSeries none;                  // plain RoPE, same d and base
  std::optional<RopeSpectrumSeries> second;  // overlay, e.g. yarn-pose against yarn
  double original_window = 0;               // L0
  double target_window = 0;                 // Lt
  std::optional<double> ramp_low;           // YaRN ramp, in frequency-index units
  std::optional<double> ramp_high;
  QString title;                            // one line above the plots
};

// Computes the series for `method` (and `second`), plain RoPE with the same
// head_dim/base, the ramp when the method is yarn/yarn-pose, and a title.
// Throws pose::UserError for invalid parameters.
RopeSpectrumData makeRopeSpectrumData(const rope::RopeParams& method, double target_window,
                                      const rope::RopeParams* second = nullptr);

class RopeSpectrumView : public QWidget {
  Q_OBJECT
 public:
  explicit RopeSpectrumView(QWidget* parent = nullptr);

  // The narrowest its plots get: beside the Design form on a 1024-pixel screen.
  static constexpr int kMinimumWidth = 300;

  void setData(const RopeSpectrumData& data);
  const RopeSpectrumData& data() const { return data_; }

  // Renders `data` offscreen into a PNG (for docs and reports).
  static bool saveScreenshot(const RopeSpectrumData& data, const QString& path, const QSize& size = QSize(1200, 900));

  // For tests and for exporting.
  QCustomPlot* wavelengthPlot() const { return wavelength_plot_; }
  QCustomPlot* responsePlot() const { return response_plot_; }
  QCPGraph* noneWavelengthGraph() const { return none_graph_; }
  QCPGraph* methodWavelengthGraph() const { return method_graph_; }
  QCPGraph* secondWavelengthGraph() const { return second_graph_; }  // hidden without a second method
  QCPGraph* wavelengthRatioGraph() const { return ratio_graph_; }     // hidden without a second method
  QCPGraph* noneResponseGraph() const { return none_response_; }
  QCPGraph* methodResponseGraph() const { return method_response_; }
  QCPGraph* secondResponseGraph() const { return second_response_; }
  QCPItemRect* rampBand() const { return ramp_band_; }  // hidden without a ramp
  QCPItemStraightLine* originalWindowLine() const { return original_line_; }
  QCPItemStraightLine* targetWindowLine() const { return target_line_; }
  QString title() const;

 private:
  void buildWavelengthPanel();
  void buildResponsePanel();
  void showWavelengths();
  void showResponse();

  RopeSpectrumData data_;
  QLabel* title_ = nullptr;
  QCustomPlot* wavelength_plot_ = nullptr;
  QCustomPlot* response_plot_ = nullptr;
  QCPGraph* none_graph_ = nullptr;
  QCPGraph* method_graph_ = nullptr;
  QCPGraph* second_graph_ = nullptr;
  QCPGraph* ratio_graph_ = nullptr;
  QCPGraph* none_response_ = nullptr;
  QCPGraph* method_response_ = nullptr;
  QCPGraph* second_response_ = nullptr;
  QCPItemRect* ramp_band_ = nullptr;
  QCPItemText* ramp_label_ = nullptr;
  QCPItemStraightLine* original_line_ = nullptr;
  QCPItemStraightLine* target_line_ = nullptr;
  QCPItemText* original_label_ = nullptr;
  QCPItemText* target_label_ = nullptr;
  QCPItemStraightLine* original_response_line_ = nullptr;
  QCPItemStraightLine* target_response_line_ = nullptr;
  QCPItemText* original_response_label_ = nullptr;
  QCPItemText* target_response_label_ = nullptr;
};

}  // namespace pose::widgets
