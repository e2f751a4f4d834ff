#include "report/svg_plot.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>
#include <tuple>

namespace pose::report {
namespace {

// Tableau 10, for series without a colour.
constexpr std::array<const char*, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                                  "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

// Sampled from matplotlib's viridis table at v = 0, 1/16, ..., 1.
constexpr std::array<std::array<int, 3>, 17> kViridis = {{
    {0x44, 0x01, 0x54}, {0x48, 0x18, 0x6a}, {0x47, 0x2d, 0x7b}, {0x42, 0x40, 0x86}, {0x3b, 0x52, 0x8b},
    {0x33, 0x63, 0x8d}, {0x2c, 0x72, 0x8e}, {0x26, 0x82, 0x8e}, {0x21, 0x91, 0x8c}, {0x1f, 0x9f, 0x88},
    {0x27, 0xad, 0x81}, {0x3d, 0xbc, 0x74}, {0x5c, 0xc8, 0x63}, {0x81, 0xd3, 0x4d}, {0xaa, 0xdc, 0x32},
    {0xd5, 0xe2, 0x1a}, {0xfd, 0xe7, 0x25},
}};

constexpr const char* kEmDash = "\xE2\x80\x94";
constexpr const char* kEllipsis = "\xE2\x80\xA6";
constexpr const char* kMissingFill = "#d9d9d9";
constexpr const char* kGridStroke = "#e5e5e5";
constexpr const char* kAxisStroke = "#333333";
constexpr const char* kNoteFill = "#555555";
// Replaced by an id derived from the finished text (see finish()). A raw '<'
// can never come from user text, which is escaped.
constexpr const char* kIdPlaceholder = "<ID>";

// Fixed-point text independent of the C locale (a Qt application sets it from
// the environment, and "1,50" would break the SVG).
std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "0";
  char buf[400];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (res.ec != std::errc()) return "0";
  std::string s(buf, res.ptr);
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // no "-0.00"
  return s;
}

// A pixel coordinate: two decimals, bounded so that wild data cannot produce
// absurd numbers (clipping hides what lies outside the plot anyway).
std::string num(double v) { return fixed(std::clamp(v, -1e6, 1e6), 2); }

std::string integer(long long v) { return std::to_string(v); }

// Approximate rendered width of text in px (sans-serif averages ~0.6 em).
std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}
double text_width(const std::string& s, double font_size) {
  return static_cast<double>(code_points(s)) * font_size * 0.6;
}

// At most max_chars code points, the last one an ellipsis when cut.
std::string truncate_text(const std::string& s, std::size_t max_chars) {
  if (code_points(s) <= max_chars) return s;
  if (max_chars == 0) return "";
  std::size_t kept = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
  }
  return s.substr(0, i) + kEllipsis;
}

std::string hex64(std::uint64_t h) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<std::size_t>(i)] = digits[h & 0xF];
  return s;
}

// Ids must differ between plots inlined in one HTML page, yet the output must
// be deterministic: derive them from the text itself (FNV-1a).
std::string finish(std::string svg) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : svg) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  const std::string id = "pose-svg-" + hex64(h);
  const std::string placeholder = kIdPlaceholder;
  for (std::size_t pos = svg.find(placeholder); pos != std::string::npos; pos = svg.find(placeholder, pos)) {
    svg.replace(pos, placeholder.size(), id);
    pos += id.size();
  }
  return svg;
}

int clamp_size(int v, int lo) { return std::clamp(v, lo, 20000); }

std::string svg_open(int w, int h, const std::string& title) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + integer(w) + "\" height=\"" + integer(h) +
                  "\" viewBox=\"0 0 " + integer(w) + " " + integer(h) +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  if (!title.empty()) s += "<title>" + xml_escape(title) + "</title>\n";
  s += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + integer(w) + "\" height=\"" + integer(h) +
       "\" fill=\"white\"/>\n";
  return s;
}

// <text> with escaped content; attrs start with a space.
std::string text_el(double x, double y, const std::string& content, const std::string& attrs) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + attrs + ">" + xml_escape(content) + "</text>\n";
}

std::string rotated_text(double x, double y, const std::string& content, const std::string& attrs, int degrees) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" transform=\"rotate(" + integer(degrees) + " " + num(x) +
         " " + num(y) + ")\"" + attrs + ">" + xml_escape(content) + "</text>\n";
}

std::string line_el(double x1, double y1, double x2, double y2, const std::string& attrs) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\"" +
         attrs + "/>\n";
}

std::string rect_el(double x, double y, double w, double h, const std::string& attrs) {
  return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) + "\"" +
         attrs + "/>\n";
}

std::string title_el(const std::string& title, int w) {
  if (title.empty()) return "";
  return text_el(w / 2.0, 22, title, " class=\"title\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\"");
}

std::string no_data(double x, double y, double w, double h) {
  return rect_el(x, y, w, h, " class=\"plot-area\" fill=\"white\" stroke=\"#cccccc\"") +
         text_el(x + w / 2, y + h / 2, "no data",
                 " class=\"no-data\" font-size=\"13\" fill=\"" + std::string(kNoteFill) + "\" text-anchor=\"middle\"");
}

// ---------------------------------------------------------------- axes ----

// Maps data values to pixels; lo/hi are in transformed units (log10 on a log axis).
struct Scale {
  bool log = false;
  double lo = 0, hi = 1;
  double p0 = 0, p1 = 1;  // pixels of lo and hi

  bool usable(double v) const { return std::isfinite(v) && (!log || v > 0); }
  double t(double v) const { return log ? std::log10(v) : v; }
  double at(double tv) const { return p0 + (tv - lo) / (hi - lo) * (p1 - p0); }
  double px(double v) const { return at(t(v)); }
};

struct Tick {
  double tv;  // position in transformed units
  std::string label;
};

// Range of transformed values widened by `margin` of its span; a single value
// gets a pad around it.
std::pair<double, double> fit_range(const std::vector<double>& tvals, double margin, bool log) {
  double lo = *std::min_element(tvals.begin(), tvals.end());
  double hi = *std::max_element(tvals.begin(), tvals.end());
  const double span = hi - lo;
  if (!(span > 1e-12 * std::max(1.0, std::abs(hi)))) {
    const double pad = log ? 0.5 : (lo == 0 ? 1.0 : std::abs(lo) * 0.1);
    return {lo - pad, hi + pad};
  }
  return {lo - margin * span, hi + margin * span};
}

double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nice * mag;
}

// Ticks at multiples of a 1/2/5 x 10^k step over [lo, hi] (value units).
std::vector<Tick> linear_ticks(double lo, double hi, int target, bool positions_log) {
  std::vector<Tick> ticks;
  if (!(hi > lo)) return ticks;
  const double step = nice_step(hi - lo, target);
  if (!(step > 0) || !std::isfinite(step)) return ticks;
  const double i0 = std::ceil(lo / step - 1e-9), i1 = std::floor(hi / step + 1e-9);
  if (!(i1 - i0 < 200)) return ticks;
  const int decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 12);
  for (double i = i0; i <= i1; i += 1) {
    double v = i * step;
    if (std::abs(v) < step * 1e-9) v = 0;
    if (positions_log && !(v > 0)) continue;
    ticks.push_back({positions_log ? std::log10(v) : v, fixed(v, decimals)});
  }
  return ticks;
}

// "0.002", "50", "10000", "1e6", "2e-5".
std::string decade_label(int mantissa, int exponent) {
  if (exponent >= -4 && exponent <= 5)
    return fixed(mantissa * std::pow(10.0, exponent), std::max(0, -exponent));
  return integer(mantissa) + "e" + integer(exponent);
}

// "0.5", "256", "1k", "16k", "1M", "2G".
std::string power_of_two_label(int e) {
  if (e >= 30) return integer(1LL << (e - 30)) + "G";
  if (e >= 20) return integer(1LL << (e - 20)) + "M";
  if (e >= 10) return integer(1LL << (e - 10)) + "k";
  if (e >= 0) return integer(1LL << e);
  return fixed(std::pow(2.0, e), -e);
}

// Every stride-th exponent in [e0, e1], aligned on multiples of the stride.
std::vector<int> strided(int e0, int e1, int target) {
  const int count = e1 - e0 + 1;
  const int stride = std::max(1, (count + target - 1) / std::max(1, target));
  std::vector<int> out;
  for (int e = e0; e <= e1; ++e)
    if (((e % stride) + stride) % stride == 0) out.push_back(e);
  if (out.size() < 2) {  // alignment left too few: take them from e0
    out.clear();
    for (int e = e0; e <= e1; e += stride) out.push_back(e);
  }
  return out;
}

std::vector<Tick> log10_ticks(double lo, double hi, int target) {
  std::vector<Tick> ticks;
  const double k0 = std::ceil(lo - 1e-9), k1 = std::floor(hi + 1e-9);
  if (k1 - k0 >= 1 && k1 - k0 < 1000) {
    for (int k : strided(static_cast<int>(k0), static_cast<int>(k1), target))
      ticks.push_back({static_cast<double>(k), decade_label(1, k)});
    return ticks;
  }
  // Less than two decades: 1, 2, 5 x 10^k.
  for (int k = static_cast<int>(std::floor(lo)); k <= static_cast<int>(std::ceil(hi)); ++k) {
    for (int m : {1, 2, 5}) {
      const double tv = k + std::log10(static_cast<double>(m));
      if (tv >= lo - 1e-9 && tv <= hi + 1e-9) ticks.push_back({tv, decade_label(m, k)});
    }
  }
  if (ticks.size() >= 2) return ticks;
  return linear_ticks(std::pow(10.0, lo), std::pow(10.0, hi), target, true);
}

std::vector<Tick> log2_ticks(double lo, double hi, int target) {
  const double l2 = std::log10(2.0);
  const double e0 = std::ceil(lo / l2 - 1e-9), e1 = std::floor(hi / l2 + 1e-9);
  std::vector<Tick> ticks;
  if (e1 - e0 >= 1 && e0 >= -60 && e1 <= 60) {
    for (int e : strided(static_cast<int>(e0), static_cast<int>(e1), target))
      ticks.push_back({e * l2, power_of_two_label(e)});
    return ticks;
  }
  return linear_ticks(std::pow(10.0, lo), std::pow(10.0, hi), target, true);
}

// ---------------------------------------------------------- line plot ----

struct Segmented {
  std::vector<std::vector<std::pair<double, double>>> segments;  // pixels
};

Segmented segments_of(const Series& s, const Scale& xs, const Scale& ys) {
  Segmented out;
  std::vector<std::pair<double, double>> current;
  const std::size_t n = std::min(s.x.size(), s.y.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (xs.usable(s.x[i]) && ys.usable(s.y[i])) {
      current.emplace_back(xs.px(s.x[i]), ys.px(s.y[i]));
    } else if (!current.empty()) {
      out.segments.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.segments.push_back(std::move(current));
  return out;
}

std::array<int, 3> viridis_rgb(double v) {
  if (std::isnan(v)) v = 0;
  v = std::clamp(v, 0.0, 1.0);
  const double pos = v * static_cast<double>(kViridis.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), kViridis.size() - 2);
  const double f = pos - static_cast<double>(i);
  std::array<int, 3> rgb{};
  for (std::size_t c = 0; c < 3; ++c) {
    const double a = kViridis[i][c], b = kViridis[i + 1][c];
    rgb[c] = std::clamp(static_cast<int>(std::lround(a + (b - a) * f)), 0, 255);
  }
  return rgb;
}

std::string series_color(const Series& s, std::size_t index) {
  return s.color.empty() ? std::string(kPalette[index % kPalette.size()]) : s.color;
}

double stroke_width(const Series& s) { return std::isfinite(s.width) && s.width > 0 ? s.width : 1.5; }

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

std::string viridis(double v) {
  static const char* digits = "0123456789abcdef";
  std::string out = "#";
  for (int value : viridis_rgb(v)) {
    out += digits[value >> 4];
    out += digits[value & 0xF];
  }
  return out;
}

std::string render_line_plot(const LinePlotSpec& spec) {
  const int W = clamp_size(spec.width, 200), H = clamp_size(spec.height, 150);
  Scale xs, ys;
  xs.log = spec.log_x || spec.log2_x;
  ys.log = spec.log_y;

  // Points that will be drawn decide the ranges.
  std::vector<double> tx, ty;
  for (const Series& s : spec.series) {
    const std::size_t n = std::min(s.x.size(), s.y.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (xs.usable(s.x[i]) && ys.usable(s.y[i])) {
        tx.push_back(xs.t(s.x[i]));
        ty.push_back(ys.t(s.y[i]));
      }
    }
  }

  std::string svg = svg_open(W, H, spec.title);
  svg += title_el(spec.title, W);
  const double top = spec.title.empty() ? 16 : 36;
  const double bottom_margin = spec.x_label.empty() ? 30 : 48;
  const double ph = std::max(20.0, H - top - bottom_margin);

  if (tx.empty()) {
    svg += no_data(16, top, W - 32, ph);
    svg += "</svg>\n";
    return finish(std::move(svg));
  }

  for (const VerticalMarker& m : spec.vmarkers)
    if (xs.usable(m.x)) tx.push_back(xs.t(m.x));

  // y range: fixed when it is usable on this axis, else fitted to the data.
  bool fixed_y = false;
  if (spec.y_range) {
    const auto [a, b] = *spec.y_range;
    if (ys.usable(a) && ys.usable(b) && a < b) {
      ys.lo = ys.t(a);
      ys.hi = ys.t(b);
      fixed_y = true;
    }
  }
  if (!fixed_y) {
    for (const HorizontalMarker& m : spec.hmarkers)
      if (ys.usable(m.y)) ty.push_back(ys.t(m.y));
    std::tie(ys.lo, ys.hi) = fit_range(ty, 0.05, ys.log);
  }
  std::tie(xs.lo, xs.hi) = fit_range(tx, 0.03, xs.log);

  const int y_target = std::max(2, static_cast<int>(ph / 50));
  const std::vector<Tick> yticks =
      ys.log ? log10_ticks(ys.lo, ys.hi, y_target) : linear_ticks(ys.lo, ys.hi, y_target, false);

  double ytick_w = 0;
  for (const Tick& t : yticks) ytick_w = std::max(ytick_w, text_width(t.label, 11));
  const double left = std::round(10 + (spec.y_label.empty() ? 0 : 18) + std::max(24.0, ytick_w) + 8);

  bool has_legend = false;
  double name_w = 0;
  for (const Series& s : spec.series) {
    has_legend = has_legend || !s.name.empty();
    name_w = std::max(name_w, text_width(s.name, 12));
  }
  // Rounded up, so a name that fits is never cut by the rounding.
  const double legend_w = has_legend ? std::ceil(std::clamp(name_w + 44, 70.0, W / 3.0)) : 0;
  const std::size_t name_chars = static_cast<std::size_t>(std::max(1.0, (legend_w - 44) / (12 * 0.6) + 1e-9));
  const double right_margin = has_legend ? legend_w + 20 : 16;
  const double pw = std::max(20.0, W - left - right_margin);
  const double right = left + pw, bottom = top + ph;
  xs.p0 = left;
  xs.p1 = right;
  ys.p0 = bottom;
  ys.p1 = top;

  const int x_target = std::max(2, static_cast<int>(pw / 80));
  std::vector<Tick> xticks;
  if (spec.log2_x)  // short labels ("16k"): room for more ticks
    xticks = log2_ticks(xs.lo, xs.hi, std::max(2, static_cast<int>(pw / 55)));
  else if (xs.log)
    xticks = log10_ticks(xs.lo, xs.hi, x_target);
  else
    xticks = linear_ticks(xs.lo, xs.hi, x_target, false);

  auto inside_x = [&](double px) { return px >= left - 0.01 && px <= right + 0.01; };
  auto inside_y = [&](double py) { return py >= top - 0.01 && py <= bottom + 0.01; };

  // The clip leaves room for markers and strokes on the edges (a point at the
  // top of a fixed range stays whole); lines leaving the range are cut short.
  const double clip_pad = 6;
  svg += "<defs><clipPath id=\"" + std::string(kIdPlaceholder) + "-clip\">\n" +
         rect_el(left - clip_pad, top - clip_pad, pw + 2 * clip_pad, ph + 2 * clip_pad, "") + "</clipPath></defs>\n";
  svg += rect_el(left, top, pw, ph, " class=\"plot-area\" fill=\"white\"");

  // Grid, ticks and tick labels.
  const std::string grid = " class=\"grid\" stroke=\"" + std::string(kGridStroke) + "\" stroke-width=\"1\"";
  const std::string tick_mark = " stroke=\"" + std::string(kAxisStroke) + "\" stroke-width=\"1\"";
  for (const Tick& t : xticks) {
    const double px = xs.at(t.tv);
    if (!inside_x(px)) continue;
    svg += line_el(px, top, px, bottom, grid);
    svg += line_el(px, bottom, px, bottom + 4, tick_mark);
    svg += text_el(px, bottom + 17, t.label, " class=\"tick-label\" font-size=\"11\" text-anchor=\"middle\"");
  }
  for (const Tick& t : yticks) {
    const double py = ys.at(t.tv);
    if (!inside_y(py)) continue;
    svg += line_el(left, py, right, py, grid);
    svg += line_el(left - 4, py, left, py, tick_mark);
    svg += text_el(left - 7, py + 4, t.label, " class=\"tick-label\" font-size=\"11\" text-anchor=\"end\"");
  }
  const std::string axis = " class=\"axis\" stroke=\"" + std::string(kAxisStroke) + "\" stroke-width=\"1\"";
  svg += line_el(left, bottom, right, bottom, axis);
  svg += line_el(left, top, left, bottom, axis);
  if (!spec.x_label.empty())
    svg += text_el(left + pw / 2, bottom + 38, spec.x_label,
                   " class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"");
  if (!spec.y_label.empty())
    svg += rotated_text(16, top + ph / 2, spec.y_label,
                        " class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"", -90);

  // Markers and data, clipped to the plot area.
  std::string labels;
  svg += "<g clip-path=\"url(#" + std::string(kIdPlaceholder) + "-clip)\">\n";
  for (const HorizontalMarker& m : spec.hmarkers) {
    if (!ys.usable(m.y)) continue;
    const double py = ys.px(m.y);
    if (!inside_y(py)) continue;
    svg += line_el(left, py, right, py,
                   " class=\"hmarker\" stroke=\"#666666\" stroke-width=\"1\" stroke-dasharray=\"2 3\"");
    if (!m.label.empty())
      labels += text_el(right - 4, py - 4, m.label,
                        " class=\"marker-label\" font-size=\"11\" fill=\"#444444\" text-anchor=\"end\"");
  }
  for (const VerticalMarker& m : spec.vmarkers) {
    if (!xs.usable(m.x)) continue;
    const double px = xs.px(m.x);
    if (!inside_x(px)) continue;
    svg += line_el(px, top, px, bottom,
                   " class=\"vmarker\" stroke=\"#666666\" stroke-width=\"1\" stroke-dasharray=\"5 4\"");
    if (!m.label.empty()) {
      const bool flip = px + 3 + text_width(m.label, 11) > right;
      labels += text_el(flip ? px - 3 : px + 3, top + 12, m.label,
                        std::string(" class=\"marker-label\" font-size=\"11\" fill=\"#444444\" text-anchor=\"") +
                            (flip ? "end" : "start") + "\"");
    }
  }
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const Series& s = spec.series[si];
    const std::string color = xml_escape(series_color(s, si));
    const double sw = stroke_width(s);
    svg += "<g class=\"series\">";
    if (!s.name.empty()) svg += "<title>" + xml_escape(s.name) + "</title>";
    svg += "\n";
    const double radius = std::max(2.5, sw * 1.5);
    for (const auto& seg : segments_of(s, xs, ys).segments) {
      std::string points;
      for (const auto& [px, py] : seg) {
        if (!points.empty()) points += ' ';
        points += num(px) + "," + num(py);
      }
      svg += "<polyline class=\"line\" points=\"" + points + "\" fill=\"none\" stroke=\"" + color +
             "\" stroke-width=\"" + num(sw) + "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"" +
             (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>\n";
      if (s.markers || seg.size() == 1) {
        for (const auto& [px, py] : seg)
          svg += "<circle class=\"point\" cx=\"" + num(px) + "\" cy=\"" + num(py) + "\" r=\"" + num(radius) +
                 "\" fill=\"" + color + "\"/>\n";
      }
    }
    svg += "</g>\n";
  }
  svg += "</g>\n";
  svg += labels;

  // Legend at the right of the plot area.
  if (has_legend) {
    std::vector<std::size_t> entries;
    for (std::size_t si = 0; si < spec.series.size(); ++si)
      if (!spec.series[si].name.empty()) entries.push_back(si);
    const double lx = right + 12, ly = top;
    const double lh = 10 + 18.0 * static_cast<double>(entries.size());
    svg += "<g class=\"legend\">\n";
    svg += rect_el(lx, ly, legend_w, lh, " fill=\"white\" stroke=\"#cccccc\"");
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const Series& s = spec.series[entries[k]];
      const std::string color = xml_escape(series_color(s, entries[k]));
      const double yy = ly + 14 + 18.0 * static_cast<double>(k);
      svg += line_el(lx + 8, yy, lx + 30, yy,
                     " stroke=\"" + color + "\" stroke-width=\"" + num(stroke_width(s)) + "\"" +
                         (s.dashed ? " stroke-dasharray=\"6 4\"" : ""));
      if (s.markers)
        svg += "<circle cx=\"" + num(lx + 19) + "\" cy=\"" + num(yy) + "\" r=\"2.50\" fill=\"" + color + "\"/>\n";
      svg += text_el(lx + 36, yy + 4, truncate_text(s.name, name_chars),
                     " class=\"legend-label\" font-size=\"12\"");
    }
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return finish(std::move(svg));
}

std::string render_heatmap(const HeatmapSpec& spec) {
  const int W = clamp_size(spec.width, 200), H = clamp_size(spec.height, 150);
  std::size_t nrows = std::max(spec.rows.size(), spec.values.size());
  std::size_t ncols = spec.columns.size();
  for (const auto& row : spec.values) ncols = std::max(ncols, row.size());
  if (ncols == 0) nrows = 0;

  std::string svg = svg_open(W, H, spec.title);
  svg += title_el(spec.title, W);
  const double top = spec.title.empty() ? 16 : 36;

  if (nrows == 0) {
    svg += no_data(16, top, W - 32, std::max(20.0, H - top - 16));
    svg += "</svg>\n";
    return finish(std::move(svg));
  }

  auto label = [](const std::vector<std::string>& labels, std::size_t i) {
    return i < labels.size() ? labels[i] : std::string();
  };
  double row_w = 0, col_w = 0;
  for (std::size_t r = 0; r < nrows; ++r) row_w = std::max(row_w, text_width(label(spec.rows, r), 11));
  for (std::size_t c = 0; c < ncols; ++c) col_w = std::max(col_w, text_width(label(spec.columns, c), 11));

  const double left = std::round(std::min(10 + (spec.y_label.empty() ? 0 : 20) + row_w + 8, W / 3.0));
  const double bar_w = 14, right_margin = 16 + bar_w + 40 + (spec.legend_label.empty() ? 0 : 18);
  const double pw = std::max(20.0, W - left - right_margin);
  const double cw = pw / static_cast<double>(ncols);
  const bool rotate_columns = col_w > cw - 4;
  const double col_label_h = rotate_columns ? std::round(std::min(col_w * 0.71 + 14, H / 3.0)) : 20;
  const double bottom_margin = col_label_h + (spec.x_label.empty() ? 0 : 20) + 8;
  const double ph = std::max(20.0, H - top - bottom_margin);
  const double ch = ph / static_cast<double>(nrows);
  const double bottom = top + ph;

  svg += "<g class=\"cells\">\n";
  for (std::size_t r = 0; r < nrows; ++r) {
    for (std::size_t c = 0; c < ncols; ++c) {
      const double v = r < spec.values.size() && c < spec.values[r].size()
                           ? spec.values[r][c]
                           : std::numeric_limits<double>::quiet_NaN();
      const bool missing = !std::isfinite(v);
      const std::string fill = missing ? std::string(kMissingFill) : viridis(v);
      const double x = left + static_cast<double>(c) * cw, y = top + static_cast<double>(r) * ch;
      svg += rect_el(x, y, cw, ch, " class=\"cell\" fill=\"" + fill + "\" stroke=\"white\" stroke-width=\"1\"");

      std::string text;
      if (r < spec.cell_text.size() && c < spec.cell_text[r].size()) text = spec.cell_text[r][c];
      if (text.empty()) text = missing ? std::string(kEmDash) : fixed(v, 2);
      std::vector<std::string> lines;
      for (std::size_t start = 0;;) {
        const std::size_t nl = text.find('\n', start);
        lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      std::size_t longest = 1;
      for (const auto& l : lines) longest = std::max(longest, code_points(l));
      const double n_lines = static_cast<double>(lines.size());
      const double fs = std::floor(std::min({11.0, ch / (n_lines * 1.2 + 0.3),
                                              (cw - 2) / (static_cast<double>(longest) * 0.6)}));
      if (fs < 6) continue;
      // Dark text on the light end of the scale, white on the dark end.
      std::string ink = "#555555";
      if (!missing) {
        const auto rgb = viridis_rgb(v);
        const double lum = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
        ink = lum < 140 ? "white" : "#222222";
      }
      const double cx = x + cw / 2, lh = fs * 1.2;
      const double y0 = y + ch / 2 - (n_lines - 1) * lh / 2 + fs * 0.35;
      svg += "<text class=\"cell-text\" font-size=\"" + integer(static_cast<long long>(fs)) + "\" fill=\"" + ink +
             "\" text-anchor=\"middle\">";
      for (std::size_t i = 0; i < lines.size(); ++i)
        svg += "<tspan x=\"" + num(cx) + "\" y=\"" + num(y0 + static_cast<double>(i) * lh) + "\">" +
               xml_escape(lines[i]) + "</tspan>";
      svg += "</text>\n";
    }
  }
  svg += "</g>\n";

  // Row and column labels.
  for (std::size_t r = 0; r < nrows; ++r) {
    const std::string l = label(spec.rows, r);
    if (!l.empty())
      svg += text_el(left - 6, top + (static_cast<double>(r) + 0.5) * ch + 4, l,
                     " class=\"tick-label\" font-size=\"11\" text-anchor=\"end\"");
  }
  for (std::size_t c = 0; c < ncols; ++c) {
    const std::string l = label(spec.columns, c);
    if (l.empty()) continue;
    const double cx = left + (static_cast<double>(c) + 0.5) * cw;
    if (rotate_columns)
      svg += rotated_text(cx + 4, bottom + 10, l, " class=\"tick-label\" font-size=\"11\" text-anchor=\"end\"", -45);
    else
      svg += text_el(cx, bottom + 15, l, " class=\"tick-label\" font-size=\"11\" text-anchor=\"middle\"");
  }
  if (!spec.x_label.empty())
    svg += text_el(left + pw / 2, bottom + col_label_h + 16, spec.x_label,
                   " class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"");
  if (!spec.y_label.empty())
    svg += rotated_text(16, top + ph / 2, spec.y_label,
                        " class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"", -90);

  // Colour bar, 0 at the bottom.
  const double bx = left + pw + 16;
  svg += "<defs><linearGradient id=\"" + std::string(kIdPlaceholder) +
         "-bar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  for (std::size_t i = 0; i < kViridis.size(); ++i) {
    const double offset = static_cast<double>(i) / static_cast<double>(kViridis.size() - 1);
    svg += "<stop offset=\"" + fixed(offset, 4) + "\" stop-color=\"" + viridis(offset) + "\"/>";
  }
  svg += "</linearGradient></defs>\n";
  svg += "<g class=\"colorbar\">\n";
  svg += rect_el(bx, top, bar_w, ph, " fill=\"url(#" + std::string(kIdPlaceholder) + "-bar)\" stroke=\"#999999\"");
  for (int i = 0; i <= 4; ++i) {
    const double v = i / 4.0, py = bottom - v * ph;
    svg += line_el(bx + bar_w, py, bx + bar_w + 3, py, " stroke=\"#999999\"");
    std::string t = fixed(v, 2);
    t.erase(t.find_last_not_of('0') + 1);
    if (t.back() == '.') t.pop_back();
    svg += text_el(bx + bar_w + 5, py + 4, t, " class=\"tick-label\" font-size=\"11\"");
  }
  if (!spec.legend_label.empty())
    svg += rotated_text(W - 10.0, top + ph / 2, spec.legend_label,
                        " class=\"axis-label\" font-size=\"12\" text-anchor=\"middle\"", -90);
  svg += "</g>\n</svg>\n";
  return finish(std::move(svg));
}

}  // namespace pose::report
