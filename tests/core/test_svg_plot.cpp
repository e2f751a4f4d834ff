// SVG plots for reports: checked on the text itself (tags, counts, attributes).
#include <QtTest>

#include "report/svg_plot.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace pose::report;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (std::size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + needle.size())) ++n;
  return n;
}

// The opening tags of `element`, in order; only those of class `cls` when given.
std::vector<std::string> tags(const std::string& svg, const std::string& element, const std::string& cls = "") {
  std::vector<std::string> out;
  const std::string prefix = "<" + element + " ";
  for (std::size_t pos = svg.find(prefix); pos != std::string::npos; pos = svg.find(prefix, pos + 1)) {
    std::string tag = svg.substr(pos, svg.find('>', pos) - pos + 1);
    if (cls.empty() || tag.find(" class=\"" + cls + "\"") != std::string::npos) out.push_back(std::move(tag));
  }
  return out;
}

std::string attr(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const std::size_t pos = tag.find(key);
  if (pos == std::string::npos) return {};
  const std::size_t start = pos + key.size();
  return tag.substr(start, tag.find('"', start) - start);
}

double attr_num(const std::string& tag, const std::string& name) { return std::stod(attr(tag, name)); }

std::vector<std::pair<double, double>> points(const std::string& polyline) {
  std::vector<std::pair<double, double>> out;
  std::istringstream in(attr(polyline, "points"));
  std::string pair;
  while (in >> pair) {
    const std::size_t comma = pair.find(',');
    out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return out;
}

std::vector<int> point_counts(const std::string& svg) {
  std::vector<int> out;
  for (const std::string& p : tags(svg, "polyline")) out.push_back(static_cast<int>(points(p).size()));
  return out;
}

Series series(std::string name, std::vector<double> x, std::vector<double> y) {
  Series s;
  s.name = std::move(name);
  s.color = "#4e79a7";
  s.x = std::move(x);
  s.y = std::move(y);
  return s;
}

// A complete, inlinable <svg> element with balanced tags.
void check_well_formed(const std::string& svg) {
  QVERIFY2(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" ", 0) == 0, svg.substr(0, 80).c_str());
  QVERIFY(svg.size() >= 7 && svg.compare(svg.size() - 7, 7, "</svg>\n") == 0);
  QCOMPARE(count(svg, "<?xml"), 0);
  QCOMPARE(count(svg, "<svg"), 1);
  QCOMPARE(count(svg, "<g"), count(svg, "</g>"));
  QCOMPARE(count(svg, "<text"), count(svg, "</text>"));
  QCOMPARE(count(svg, "<tspan"), count(svg, "</tspan>"));
  QCOMPARE(count(svg, "<defs>"), count(svg, "</defs>"));
  QCOMPARE(count(svg, "<title>"), count(svg, "</title>"));
  QCOMPARE(count(svg, "<"), count(svg, ">"));
  QVERIFY(svg.find("font-family=\"sans-serif\"") != std::string::npos);
}

LinePlotSpec simple_plot() {
  LinePlotSpec spec;
  spec.title = "Perplexity vs length";
  spec.x_label = "context length";
  spec.y_label = "perplexity";
  spec.series.push_back(series("baseline", {1, 2, 3, 4}, {10, 12, 15, 20}));
  return spec;
}

}  // namespace

class TestSvgPlot : public QObject {
  Q_OBJECT
 private slots:
  void lineplotIsCompleteSvgElement() {
    const std::string svg = render_line_plot(simple_plot());
    check_well_formed(svg);
    QVERIFY(svg.find("width=\"640\" height=\"400\" viewBox=\"0 0 640 400\"") != std::string::npos);
    QCOMPARE(count(svg, "<polyline"), 1);
    QCOMPARE(point_counts(svg), std::vector<int>({4}));
    QCOMPARE(static_cast<int>(tags(svg, "circle", "point").size()), 4);
    QVERIFY(svg.find(">Perplexity vs length</text>") != std::string::npos);
    QVERIFY(svg.find(">context length</text>") != std::string::npos);
    QVERIFY(svg.find(">perplexity</text>") != std::string::npos);
    QVERIFY(svg.find(">baseline</text>") != std::string::npos);  // legend
    QVERIFY(count(svg, "class=\"grid\"") >= 4);
    QVERIFY(count(svg, "class=\"tick-label\"") >= 4);
  }

  // Names that fit the legend are never cut (a rounding once cut "full-length-yarn" to
  // "full-length-ya…"); one longer than a third of the width is.
  void legendKeepsNamesThatFit() {
    auto spec = simple_plot();
    spec.series[0].name = "full-length-yarn";
    spec.series.push_back(spec.series[0]);
    spec.series.back().name = "pose-yarn";
    const std::string svg = render_line_plot(spec);
    QVERIFY2(svg.find(">full-length-yarn</text>") != std::string::npos, svg.c_str());
    spec.series[0].name = std::string(60, 'x');
    const std::string cut = render_line_plot(spec);
    QVERIFY(cut.find(">" + std::string(60, 'x') + "</text>") == std::string::npos);  // the legend's label is cut
    QVERIFY(cut.find("<title>" + std::string(60, 'x') + "</title>") != std::string::npos);  // the hover keeps it
    QVERIFY(cut.find("\u2026") != std::string::npos || cut.find("…") != std::string::npos);
  }

  void gapsBreakPolylines() {
    LinePlotSpec spec;
    spec.series.push_back(series("gappy", {1, 2, 3, 4, 5, 6, 7}, {1, 2, kNaN, 3, 4, kInf, 5}));
    spec.series.push_back(series("whole", {1, 2, 3, 4}, {2, 3, 4, 5}));
    spec.series.push_back(series("nan-x", {1, kNaN, 3}, {1, 2, 3}));
    const std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    QCOMPARE(count(svg, "<polyline"), 6);
    QCOMPARE(point_counts(svg), std::vector<int>({2, 2, 1, 4, 1, 1}));
    // Lone points of a series without markers still show as a dot.
    spec.series = {series("lone", {1, 2, 3}, {1, kNaN, 3})};
    spec.series[0].markers = false;
    QCOMPARE(tags(render_line_plot(spec), "circle", "point").size(), std::size_t(2));
    spec.series = {series("pair", {1, 2}, {1, 3})};
    spec.series[0].markers = false;
    QCOMPARE(tags(render_line_plot(spec), "circle", "point").size(), std::size_t(0));
  }

  void userTextIsEscaped() {
    QCOMPARE(xml_escape("a<b>&\"c\"'d'"), std::string("a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;"));
    QCOMPARE(xml_escape(std::string("x\x01y\nz")), std::string("xy\nz"));
    QCOMPARE(xml_escape("plain"), std::string("plain"));

    LinePlotSpec spec = simple_plot();
    spec.title = "A & B <i>";
    spec.x_label = "<x>";
    spec.y_label = "\"y\"";
    spec.series[0].name = "<script>alert('x')</script>";
    spec.series[0].color = "red\" onload=\"evil()";
    spec.vmarkers = {{2, "<Lc>"}};
    spec.hmarkers = {{12, "<ref>"}};
    const std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    QCOMPARE(count(svg, "<script"), 0);
    QCOMPARE(count(svg, "<i>"), 0);
    QCOMPARE(count(svg, "<Lc>"), 0);
    QVERIFY(svg.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
    QVERIFY(svg.find("A &amp; B &lt;i&gt;") != std::string::npos);
    QVERIFY(svg.find("&lt;x&gt;") != std::string::npos);
    QVERIFY(svg.find("&quot;y&quot;") != std::string::npos);
    QVERIFY(svg.find("&lt;Lc&gt;") != std::string::npos);
    QVERIFY(svg.find("&lt;ref&gt;") != std::string::npos);
    QCOMPARE(count(svg, "onload=\""), 0);

    HeatmapSpec heat;
    heat.title = "<h>";
    heat.columns = {"<c>"};
    heat.rows = {"<r>"};
    heat.values = {{0.5}};
    heat.cell_text = {{"<t>"}};
    heat.legend_label = "<l>";
    const std::string hsvg = render_heatmap(heat);
    check_well_formed(hsvg);
    for (const char* raw : {"<h>", "<c>", "<r>", "<t>", "<l>"}) QCOMPARE(count(hsvg, raw), 0);
    for (const char* escaped : {"&lt;h&gt;", "&lt;c&gt;", "&lt;r&gt;", "&lt;t&gt;", "&lt;l&gt;"})
      QVERIFY2(hsvg.find(escaped) != std::string::npos, escaped);
  }

  void logAxesSkipNonPositiveValues() {
    LinePlotSpec spec;
    spec.series.push_back(series("ppl", {0, 256, 512, 1024, 2048}, {5, 4, 3, -1, 2}));
    // Linear axes draw everything as one line.
    QCOMPARE(point_counts(render_line_plot(spec)), std::vector<int>({5}));
    spec.log_x = true;
    QCOMPARE(point_counts(render_line_plot(spec)), std::vector<int>({4}));
    spec.log_y = true;
    const std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    QCOMPARE(point_counts(svg), std::vector<int>({2, 1}));
    // Base-10 ticks on a log x axis.
    QVERIFY(svg.find(">1000</text>") != std::string::npos);
    // Only non-positive values: nothing to draw.
    spec.series = {series("neg", {-1, 0}, {1, 2})};
    QVERIFY(render_line_plot(spec).find("no data") != std::string::npos);
  }

  void log2AxisLabelsPowersOfTwo() {
    LinePlotSpec spec;
    spec.log2_x = true;
    spec.series.push_back(series("acc", {256, 512, 1024, 2048}, {1, 0.9, 0.5, 0.2}));
    std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    for (const char* label : {">256</text>", ">512</text>", ">1k</text>", ">2k</text>"})
      QVERIFY2(svg.find(label) != std::string::npos, label);
    spec.series[0].x = {16384, 65536, 1048576};
    svg = render_line_plot(spec);
    QVERIFY(svg.find(">16k</text>") != std::string::npos);
    QVERIFY(svg.find(">1M</text>") != std::string::npos);
    // The x positions grow with the length, evenly per doubling.
    spec.series[0].x = {256, 512, 1024, 2048};
    const auto pts = points(tags(render_line_plot(spec), "polyline").at(0));
    QCOMPARE(pts.size(), std::size_t(4));
    QVERIFY(std::abs((pts[1].first - pts[0].first) - (pts[3].first - pts[2].first)) < 0.02);
    QVERIFY(pts[1].first > pts[0].first);
  }

  void markersProduceLabels() {
    LinePlotSpec spec = simple_plot();
    spec.vmarkers = {{2, "Lc"}, {3.5, "Lt"}};
    spec.hmarkers = {{12, "base ppl"}};
    const std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    QCOMPARE(count(svg, "class=\"vmarker\""), 2);
    QCOMPARE(count(svg, "class=\"hmarker\""), 1);
    QVERIFY(svg.find(">Lc</text>") != std::string::npos);
    QVERIFY(svg.find(">Lt</text>") != std::string::npos);
    QVERIFY(svg.find(">base ppl</text>") != std::string::npos);
    for (const std::string& tag : tags(svg, "line", "vmarker")) {
      QVERIFY(!attr(tag, "stroke-dasharray").empty());
      QCOMPARE(attr(tag, "x1"), attr(tag, "x2"));
    }
    // A vertical marker beyond the data widens the x range so it stays visible.
    spec.vmarkers = {{40, "Lt"}};
    const std::string wide = render_line_plot(spec);
    QCOMPARE(count(wide, "class=\"vmarker\""), 1);
    const auto plot_area = tags(wide, "rect", "plot-area").at(0);
    const double vx = attr_num(tags(wide, "line", "vmarker").at(0), "x1");
    QVERIFY(vx > attr_num(plot_area, "x") && vx <= attr_num(plot_area, "x") + attr_num(plot_area, "width"));
  }

  void fixedYRangeIsRespected() {
    LinePlotSpec spec;
    spec.series.push_back(series("acc", {1, 2, 3}, {0, 0.5, 1}));
    spec.y_range = std::make_pair(0.0, 1.0);
    const std::string svg = render_line_plot(spec);
    check_well_formed(svg);
    const auto area = tags(svg, "rect", "plot-area");
    QCOMPARE(area.size(), std::size_t(1));
    const double top = attr_num(area[0], "y"), height = attr_num(area[0], "height");
    const auto pts = points(tags(svg, "polyline").at(0));
    QCOMPARE(pts.size(), std::size_t(3));
    QCOMPARE(pts[2].second, top);
    QCOMPARE(pts[0].second, top + height);
    QCOMPARE(pts[1].second, top + height / 2);
    QVERIFY(svg.find(">0.0</text>") != std::string::npos || svg.find(">0.00</text>") != std::string::npos);
    QVERIFY(svg.find(">1.0</text>") != std::string::npos || svg.find(">1.00</text>") != std::string::npos);
    // A wider fixed range puts the top value lower; a fitted range leaves a margin.
    spec.y_range = std::make_pair(0.0, 2.0);
    QCOMPARE(points(tags(render_line_plot(spec), "polyline").at(0))[2].second, top + height / 2);
    spec.y_range.reset();
    const double fitted = points(tags(render_line_plot(spec), "polyline").at(0))[2].second;
    QVERIFY(fitted > top + 1 && fitted < top + height / 4);
    // Values beyond a fixed range are clipped to the plot area, not dropped.
    spec.y_range = std::make_pair(0.0, 0.5);
    const std::string clipped = render_line_plot(spec);
    QCOMPARE(point_counts(clipped), std::vector<int>({3}));
    QVERIFY(clipped.find("clip-path=\"url(#") != std::string::npos);
  }

  void heatmapCellsAndColours() {
    QCOMPARE(viridis(0), std::string("#440154"));
    QCOMPARE(viridis(1), std::string("#fde725"));
    QCOMPARE(viridis(-3), std::string("#440154"));
    QCOMPARE(viridis(7), std::string("#fde725"));
    QCOMPARE(viridis(0.5), std::string("#21918c"));
    QCOMPARE(viridis(kNaN), std::string("#440154"));
    QVERIFY(viridis(0.25) != viridis(0.26) || viridis(0.25) != viridis(0.3));

    HeatmapSpec spec;
    spec.title = "Passkey retrieval";
    spec.x_label = "length";
    spec.y_label = "depth";
    spec.columns = {"1k", "2k", "4k", "8k"};
    spec.rows = {"0%", "50%", "100%"};
    spec.values = {{1, 1, 0.5, 0}, {1, 0.75, kNaN, 0}, {1, 0.25, 0, kNaN}};
    spec.cell_text = {{}, {"", "0.75\n3/4"}, {}};
    const std::string svg = render_heatmap(spec);
    check_well_formed(svg);
    const auto cells = tags(svg, "rect", "cell");
    QCOMPARE(cells.size(), std::size_t(12));
    QCOMPARE(attr(cells[0], "fill"), std::string("#fde725"));
    QCOMPARE(attr(cells[3], "fill"), std::string("#440154"));
    QCOMPARE(attr(cells[6], "fill"), std::string("#d9d9d9"));
    QCOMPARE(attr(cells[11], "fill"), std::string("#d9d9d9"));
    QCOMPARE(count(svg, "\xE2\x80\x94"), 2);  // an em dash in each missing cell
    QVERIFY(svg.find(">0.75</tspan><tspan") != std::string::npos);
    QVERIFY(svg.find(">3/4</tspan>") != std::string::npos);
    QVERIFY(svg.find(">0.25</tspan>") != std::string::npos);  // default text: the value
    for (const char* label : {">1k</text>", ">8k</text>", ">0%</text>", ">100%</text>", ">accuracy</text>",
                              ">length</text>", ">depth</text>", ">Passkey retrieval</text>"})
      QVERIFY2(svg.find(label) != std::string::npos, label);
    // Cells tile the grid row by row.
    QVERIFY(attr_num(cells[1], "x") > attr_num(cells[0], "x"));
    QCOMPARE(attr(cells[4], "x"), attr(cells[0], "x"));
    QVERIFY(attr_num(cells[4], "y") > attr_num(cells[0], "y"));
    // A colour bar with the viridis ends.
    QVERIFY(svg.find("<linearGradient") != std::string::npos);

    // Ragged values: the labels decide the shape, absent values are missing.
    spec.values = {{1}};
    spec.cell_text.clear();
    const std::string ragged = render_heatmap(spec);
    check_well_formed(ragged);
    QCOMPARE(static_cast<int>(tags(ragged, "rect", "cell").size()), 12);
    QCOMPARE(count(ragged, "fill=\"#d9d9d9\""), 11);
  }

  void emptyInputNotesNoData() {
    for (const std::string& svg : {render_line_plot(LinePlotSpec{}), render_heatmap(HeatmapSpec{})}) {
      check_well_formed(svg);
      QVERIFY(svg.find(">no data</text>") != std::string::npos);
      QCOMPARE(count(svg, "<polyline"), 0);
      QCOMPARE(count(svg, "class=\"cell\""), 0);
    }
    LinePlotSpec all_nan;
    all_nan.title = "nothing";
    all_nan.series.push_back(series("nan", {1, 2}, {kNaN, kInf}));
    const std::string svg = render_line_plot(all_nan);
    check_well_formed(svg);
    QVERIFY(svg.find(">no data</text>") != std::string::npos);
    HeatmapSpec no_columns;
    no_columns.rows = {"a", "b"};
    QVERIFY(render_heatmap(no_columns).find(">no data</text>") != std::string::npos);
  }

  void outputIsDeterministic() {
    LinePlotSpec spec = simple_plot();
    spec.log_y = true;
    spec.vmarkers = {{2, "Lc"}};
    spec.series.push_back(series("yarn", {1, 2, 3, 4}, {9, 10, 11, 13}));
    spec.series.back().color.clear();  // palette colour
    spec.series.back().dashed = true;
    const std::string a = render_line_plot(spec);
    const std::string b = render_line_plot(spec);
    QCOMPARE(a, b);
    QVERIFY(a.find("stroke-dasharray=\"6 4\"") != std::string::npos);

    HeatmapSpec heat;
    heat.columns = {"a", "b"};
    heat.rows = {"r"};
    heat.values = {{0.1, kNaN}};
    QCOMPARE(render_heatmap(heat), render_heatmap(heat));

    // Numbers have fixed precision: every coordinate of the polylines has two decimals.
    for (const std::string& p : tags(a, "polyline")) {
      std::istringstream in(attr(p, "points"));
      std::string pair;
      while (in >> pair) {
        const std::size_t comma = pair.find(',');
        QCOMPARE(comma - pair.find('.'), std::size_t(3));
        QCOMPARE(pair.size() - pair.rfind('.'), std::size_t(3));
      }
    }

    // Ids (clip path) differ between different plots, so two can share a page.
    const auto clip_id = [](const std::string& svg) { return attr(tags(svg, "clipPath").at(0), "id"); };
    spec.title = "other";
    QVERIFY(!clip_id(a).empty());
    QVERIFY(clip_id(a) != clip_id(render_line_plot(spec)));
  }
};

QTEST_APPLESS_MAIN(TestSvgPlot)
#include "test_svg_plot.moc"
