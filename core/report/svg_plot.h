// Plots for experiment reports as standalone SVG text: line plots (perplexity
// or accuracy against context length, with Lc/Lt markers) and heatmaps
// (passkey retrieval: depth x length). Standard library only, so the headless
// CLI can write reports on a GPU server.
//
// Each function returns one complete <svg xmlns=...> element with no XML
// prolog: it can be inlined in an HTML page or saved as a .svg file. The output
// is deterministic (same input, byte-identical string), numbers are printed
// with two decimals and independently of the C locale, so reports diff well.
// All user text (titles, labels, series names) is escaped.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pose::report {

struct Series {
  std::string name;
  std::string color;  // "#4e79a7"; empty: the next colour of the Tableau 10 palette
  std::vector<double> x, y;  // drawn in the given order; the shorter length counts
  bool markers = true;       // a small circle at each point
  double width = 1.5;        // stroke width in px
  bool dashed = false;
};

// A dashed vertical line across the plot area (e.g. Lc, Lt), labelled at the top.
struct VerticalMarker {
  double x;
  std::string label;
};

// A dotted horizontal reference line, labelled at its right end.
struct HorizontalMarker {
  double y;
  std::string label;
};

struct LinePlotSpec {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;  // log axes: base-10 ticks (1, 10, 100; 2 and 5 added on short ranges)
  bool log2_x = false;                // implies a log x axis, ticks at powers of two: 256, 512, 1k, 2k, 16k, 1M
  std::vector<Series> series;
  std::vector<VerticalMarker> vmarkers;    // also widen the x range to stay visible
  std::vector<HorizontalMarker> hmarkers;  // also widen an automatic y range
  int width = 640, height = 400;
  // Fixed y range (lines leaving it are clipped at the plot area); otherwise the
  // data range with a ~5% margin, with "nice" ticks (1, 2, 5 x 10^k).
  std::optional<std::pair<double, double>> y_range;
};

// Non-finite values and, on log axes, non-positive values are skipped; a
// series is broken into one <polyline> per run of consecutive usable points
// (a lone point still gets its polyline, plus a dot when markers are off).
// Without any usable point the SVG carries a "no data" note.
std::string render_line_plot(const LinePlotSpec& spec);

struct HeatmapSpec {
  std::string title, x_label, y_label;
  std::vector<std::string> columns, rows;   // labels
  std::vector<std::vector<double>> values;  // [row][column] in [0,1]; NaN = missing/skipped (light gray with "—")
  // Optional, same shape, e.g. "0.75\n3/4" (a newline starts a second line);
  // a missing or empty entry shows the value with two decimals.
  std::vector<std::vector<std::string>> cell_text;
  int width = 640, height = 360;
  std::string legend_label = "accuracy";  // colour bar 0..1 at the right
};

// One <rect class="cell"> per row x column (the larger of the labels and the
// values decides the shape; absent values count as missing). No cells: a
// "no data" note.
std::string render_heatmap(const HeatmapSpec& spec);

// Viridis colour for v in [0,1] (clamped; NaN counts as 0) as "#rrggbb":
// linear interpolation between 17 anchors sampled from matplotlib's viridis,
// "#440154" at 0 ... "#fde725" at 1.
std::string viridis(double v);

// Escapes &, <, >, ", ' for SVG/HTML text and attributes. Control characters
// that XML 1.0 does not allow (all below 0x20 except tab, newline and carriage
// return) are dropped.
std::string xml_escape(const std::string& text);

}  // namespace pose::report
