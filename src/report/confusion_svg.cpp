// src/report/confusion_svg.cpp — the confusion matrix as an annotated heatmap (SVG) and as
// numpy prints an integer matrix (text); the difference of two runs' matrices as a heatmap.
//
// Every function requires rectangular matrices and throws std::invalid_argument otherwise;
// the heatmaps further require them square with one class name per row.
//
// Up to 21 classes a heatmap has cells of 26 to 72 px with their numbers and 13 px names.
// Beyond that (CIFAR-100's 100 classes) it stays readable by shrinking: smaller cells and
// names, column names turned upright, no number in a cell too small for it (the colour
// stays) and no cell drawn where it would be background white.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "report/report.hpp"
#include "report/svg_text.hpp"

namespace statnn::report {

namespace {

struct Rgb {
    double r, g, b;
};

// A three-stop colour ramp over t in [0, 1], linear between the stops at 0, 0.5 and 1.
using Ramp = Rgb[3];

// The confusion heatmap's ramp: white at 0, mid blue at 0.5, dark blue at 1.
constexpr Ramp kShareRamp = {{255, 255, 255}, {110, 160, 210}, {10, 45, 110}};
// The difference heatmap's diverging ramp (ColorBrewer RdBu): blue for less, near-white
// for no change, red for more.
constexpr Ramp kDifferenceRamp = {{33, 102, 172}, {247, 247, 247}, {178, 24, 43}};

Rgb ramp(const Ramp& stops, double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    const Rgb& a = t < 0.5 ? stops[0] : stops[1];
    const Rgb& b = t < 0.5 ? stops[1] : stops[2];
    const double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    return {a.r + (b.r - a.r) * u, a.g + (b.g - a.g) * u, a.b + (b.b - a.b) * u};
}

std::string hex(const Rgb& c) {
    static const char digits[] = "0123456789abcdef";
    std::string s = "#";
    for (double v : {c.r, c.g, c.b}) {
        const int i = std::min(255, std::max(0, static_cast<int>(std::lround(v))));
        s += digits[i >> 4];
        s += digits[i & 15];
    }
    return s;
}

// Dark fills get white text, light fills black text.
bool is_dark(const Rgb& c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b < 140; }

void check_rectangular(const ConfusionMatrix& matrix) {
    for (const auto& row : matrix) {
        if (row.size() != matrix.front().size()) {
            throw std::invalid_argument("confusion matrix: rows of different lengths (" +
                                        std::to_string(matrix.front().size()) + " and " +
                                        std::to_string(row.size()) + ")");
        }
    }
}

// A square matrix of classes (rows = true class, columns = predicted) with the class
// names on both axes, and a colour scale to its right.
struct Heatmap {
    std::string title;
    std::vector<std::string> class_names;
    std::vector<std::vector<double>> t;            // each cell's position on the ramp, 0..1
    std::vector<std::vector<std::string>> labels;  // the text inside each cell
    const Ramp* ramp = &kShareRamp;
    std::string scale_id;                    // the gradient's id, unique within the document
    std::vector<std::string> scale_ticks;    // evenly spaced from the bottom (0) to the top (1)
    std::string scale_caption;
    std::string numbers_elsewhere;  // where the numbers are when the cells are too small for them
};

constexpr double kNameSize = 13, kAxisSize = 14, kTitleSize = 17;
constexpr double kSin45 = 0.70710678;
// Up to this many classes cells are at least 26 px: room for names and numbers at full size.
constexpr std::size_t kRoomyClasses = 21;
constexpr double kSmallestCell = 8, kSmallestName = 7, kSmallestNumber = 6;
// Characters of a class name shown; a longer one is cut and ends in an ellipsis.
constexpr std::size_t kLongestName = 20;

// Where a heatmap's parts go, in px.
struct HeatmapLayout {
    std::size_t n = 0;             // classes
    bool compact = false;          // more than kRoomyClasses classes
    std::vector<std::string> names;  // the class names as shown
    double cell = 0, grid = 0;     // one cell's side, the grid's side
    double name_size = kNameSize;  // of the class names
    bool rotate = false;           // column names turned by 45 degrees
    bool upright = false;          // column names turned by 90 degrees (compact)
    double number_size = 0;        // of the numbers in the cells; 0: none drawn
    double left = 0, top = 0;      // the grid's top-left corner
    double column_labels = 0;      // the height of the column names below the grid
    double scale_x = 0, scale_w = 0;
    double width = 0, height = 0;  // of the document
};

// `name` with at most kLongestName characters (UTF-8), the last an ellipsis when it is cut.
std::string shown_name(const std::string& name) {
    std::size_t characters = 0;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if ((static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) continue;  // inside a character
        if (++characters == kLongestName) {
            std::size_t next = i + 1;
            while (next < name.size() && (static_cast<unsigned char>(name[next]) & 0xC0) == 0x80) ++next;
            return next == name.size() ? name : name.substr(0, i) + "\xE2\x80\xA6";  // U+2026 HORIZONTAL ELLIPSIS
        }
    }
    return name;
}

// The size of the numbers in the cells: up to kRoomyClasses classes they shrink from 13 px
// to fit their cell, but not below 7 px; beyond, a number that would be smaller than
// kSmallestNumber is not drawn (0).
double number_size(const Heatmap& h, const HeatmapLayout& l) {
    std::size_t widest_label = 1;
    for (const auto& row : h.labels) {
        for (const std::string& label : row) widest_label = std::max(widest_label, label.size());
    }
    const double em = 0.64 * static_cast<double>(widest_label);
    if (!l.compact) return std::max(7.0, std::min(13.0, (l.cell - 6) / em));
    const double fits = (l.cell - 3) / em;
    return fits < kSmallestNumber ? 0 : std::min(fits, l.name_size);
}

// Cells shrink from 72 px (a few classes) to 26 px (kRoomyClasses), then more slowly (with
// the square root of the count, so the grid grows) down to kSmallestCell; names with them.
void size_cells(HeatmapLayout& l) {
    const double n = static_cast<double>(l.n);
    if (!l.compact) {
        l.cell = l.n == 0 ? 0 : std::min(72.0, std::max(26.0, 560.0 / n));
        return;
    }
    l.cell = std::max(kSmallestCell, 26.0 * std::sqrt(static_cast<double>(kRoomyClasses) / n));
    l.name_size = std::max(kSmallestName, std::min(kNameSize, 0.8 * l.cell));
}

// The room the class names take left of and below the grid: the column names turned by 45
// degrees when the widest would not fit in its column, upright when the cells are small.
void place_names(HeatmapLayout& l, double name_width) {
    l.rotate = !l.compact && name_width > l.cell - 6;
    l.upright = l.compact;
    // Left of the grid: the rotated "True class", the row names, a gap.
    l.left = 12 + kAxisSize + 12 + name_width + 8;
    if (l.rotate) l.left = std::max(l.left, name_width * kSin45 - l.cell / 2 + 16);
    l.top = l.compact ? 66 : 58;  // compact: room for a note under the title
    if (l.upright) l.column_labels = name_width + 16;
    else l.column_labels = l.rotate ? name_width * kSin45 + 16 : kNameSize + 10;
}

HeatmapLayout heatmap_layout(const Heatmap& h) {
    HeatmapLayout l;
    l.n = h.class_names.size();
    l.compact = l.n > kRoomyClasses;
    for (const auto& name : h.class_names) l.names.push_back(shown_name(name));
    size_cells(l);
    l.grid = l.cell * static_cast<double>(l.n);
    l.number_size = number_size(h, l);

    double name_width = 0;
    for (const auto& name : l.names) name_width = std::max(name_width, text_width(name, l.name_size));
    place_names(l, name_width);
    const double below = 8 + l.column_labels + kAxisSize + 16;
    // Right of the grid: the colour scale, its tick labels and its caption.
    l.scale_x = l.left + l.grid + 22, l.scale_w = 16;
    const double right = 22 + l.scale_w + 6 + 36 + kAxisSize + 14;

    l.width = l.left + l.grid + right;
    l.width = std::max(l.width, text_width(h.title, kTitleSize) * 1.1 + 24);
    l.height = l.n == 0 ? 200 : l.top + l.grid + below;
    return l;
}

// The XML declaration, the <svg> element, the white background and the title.
std::string heatmap_start(const Heatmap& h, const HeatmapLayout& l) {
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(std::ceil(l.width)) + "\" height=\"" +
         svg_number(std::ceil(l.height)) + "\" viewBox=\"0 0 " + svg_number(std::ceil(l.width)) + " " + svg_number(std::ceil(l.height)) +
         "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + svg_number(std::ceil(l.width)) + "\" height=\"" + svg_number(std::ceil(l.height)) +
         "\" fill=\"#ffffff\"/>\n";
    s += "<text x=\"" + svg_number(l.width / 2) + "\" y=\"32\" font-size=\"" + svg_number(kTitleSize) +
         "\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#000000\">" + xml_escape(h.title) + "</text>\n";
    if (l.compact && l.number_size == 0 && !h.numbers_elsewhere.empty())
        s += "<text x=\"" + svg_number(l.width / 2) + "\" y=\"52\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555555\">" +
             xml_escape(h.numbers_elsewhere) + "</text>\n";
    return s;
}

// Cells: fill by the ramp, the label written inside; the grid's frame. A compact map
// leaves out the cells as white as the background, and the labels of those at 0.
std::string heatmap_cells(const Heatmap& h, const HeatmapLayout& l) {
    const double label_size = l.number_size;
    std::string s = "<g font-size=\"" + svg_number(label_size) + "\" text-anchor=\"middle\">\n";
    for (std::size_t i = 0; i < l.n; ++i) {
        for (std::size_t j = 0; j < l.n; ++j) {
            const Rgb fill = ramp(*h.ramp, h.t[i][j]);
            const std::string colour = hex(fill);
            const bool blank = l.compact && colour == "#ffffff";  // the background shows through
            const double x = l.left + l.cell * static_cast<double>(j), y = l.top + l.cell * static_cast<double>(i);
            if (!blank)
                s += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(l.cell) + "\" height=\"" +
                     svg_number(l.cell) + "\" fill=\"" + colour + "\"/>\n";
            if (label_size == 0 || (blank && !(h.t[i][j] > 0))) continue;
            s += "<text x=\"" + svg_number(x + l.cell / 2) + "\" y=\"" + svg_number(y + l.cell / 2 + label_size * 0.36) +
                 "\" fill=\"" + (is_dark(fill) ? "#ffffff" : "#000000") + "\">" + xml_escape(h.labels[i][j]) + "</text>\n";
        }
    }
    s += "</g>\n";
    s += "<rect x=\"" + svg_number(l.left) + "\" y=\"" + svg_number(l.top) + "\" width=\"" + svg_number(l.grid) + "\" height=\"" + svg_number(l.grid) +
         "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
    return s;
}

// One column's name below the grid: level, turned by 45 degrees or upright, its end at the grid.
std::string column_name(const HeatmapLayout& l, std::size_t j) {
    const double x = l.left + l.cell * (static_cast<double>(j) + 0.5);
    const std::string name = xml_escape(l.names[j]);
    if (!l.rotate && !l.upright)
        return "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(l.top + l.grid + 8 + kNameSize) + "\" text-anchor=\"middle\">" +
               name + "</text>\n";
    // Upright text hangs left of its baseline: moved right by a third of its size to centre it.
    const double x0 = l.upright ? x + l.name_size * 0.36 : x, y = l.top + l.grid + (l.upright ? 6 : 14);
    const char* angle = l.upright ? "-90" : "-45";
    return "<text x=\"" + svg_number(x0) + "\" y=\"" + svg_number(y) + "\" text-anchor=\"end\" transform=\"rotate(" + angle + " " +
           svg_number(x0) + " " + svg_number(y) + ")\">" + name + "</text>\n";
}

// Class names: rows on the left, columns below (turned when they would collide).
std::string heatmap_class_names(const HeatmapLayout& l) {
    std::string s = "<g font-size=\"" + svg_number(l.name_size) + "\" fill=\"#000000\">\n";
    for (std::size_t i = 0; i < l.n; ++i) {
        const double y = l.top + l.cell * (static_cast<double>(i) + 0.5) + l.name_size * 0.36;
        s += "<text x=\"" + svg_number(l.left - 8) + "\" y=\"" + svg_number(y) + "\" text-anchor=\"end\">" +
             xml_escape(l.names[i]) + "</text>\n";
    }
    for (std::size_t j = 0; j < l.n; ++j) s += column_name(l, j);
    s += "</g>\n";
    return s;
}

std::string heatmap_axis_titles(const HeatmapLayout& l) {
    const double y_mid = l.top + l.grid / 2;
    const double y_axis_x = 12 + kAxisSize * 0.8;
    std::string s;
    s += "<text x=\"" + svg_number(y_axis_x) + "\" y=\"" + svg_number(y_mid) + "\" font-size=\"" + svg_number(kAxisSize) +
         "\" text-anchor=\"middle\" fill=\"#000000\" transform=\"rotate(-90 " + svg_number(y_axis_x) + " " + svg_number(y_mid) +
         ")\">True class</text>\n";
    s += "<text x=\"" + svg_number(l.left + l.grid / 2) + "\" y=\"" + svg_number(l.top + l.grid + 8 + l.column_labels + kAxisSize) +
         "\" font-size=\"" + svg_number(kAxisSize) + "\" text-anchor=\"middle\" fill=\"#000000\">Predicted class</text>\n";
    return s;
}

// The colour scale: a vertical gradient from the ramp's start (bottom) to its end (top),
// its ticks and its caption.
std::string heatmap_colour_scale(const Heatmap& h, const HeatmapLayout& l) {
    std::string s = "<defs><linearGradient id=\"" + h.scale_id + "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
    for (int k = 0; k < 3; ++k) {
        s += "<stop offset=\"" + svg_number(k * 0.5) + "\" stop-color=\"" + hex((*h.ramp)[k]) + "\"/>";
    }
    s += "</linearGradient></defs>\n";
    s += "<rect x=\"" + svg_number(l.scale_x) + "\" y=\"" + svg_number(l.top) + "\" width=\"" + svg_number(l.scale_w) + "\" height=\"" +
         svg_number(l.grid) + "\" fill=\"url(#" + h.scale_id + ")\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
    s += "<g font-size=\"11\" fill=\"#333333\">\n";
    const double intervals = static_cast<double>(std::max<std::size_t>(h.scale_ticks.size(), 2) - 1);
    for (std::size_t k = 0; k < h.scale_ticks.size(); ++k) {
        const double y = l.top + l.grid - l.grid * static_cast<double>(k) / intervals;
        s += "<line x1=\"" + svg_number(l.scale_x + l.scale_w) + "\" y1=\"" + svg_number(y) + "\" x2=\"" + svg_number(l.scale_x + l.scale_w + 4) +
             "\" y2=\"" + svg_number(y) + "\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
        s += "<text x=\"" + svg_number(l.scale_x + l.scale_w + 6) + "\" y=\"" + svg_number(y + 4) + "\">" +
             xml_escape(h.scale_ticks[k]) + "</text>\n";
    }
    s += "</g>\n";
    const double y_mid = l.top + l.grid / 2;
    const double caption_x = l.scale_x + l.scale_w + 6 + 36 + kAxisSize * 0.5;
    s += "<text x=\"" + svg_number(caption_x) + "\" y=\"" + svg_number(y_mid) + "\" font-size=\"12\" text-anchor=\"middle\" " +
         "fill=\"#333333\" transform=\"rotate(-90 " + svg_number(caption_x) + " " + svg_number(y_mid) + ")\">" +
         xml_escape(h.scale_caption) + "</text>\n";
    return s;
}

std::string heatmap_svg(const Heatmap& h) {
    const HeatmapLayout l = heatmap_layout(h);
    std::string s = heatmap_start(h, l);
    if (l.n == 0) {
        s += "<text x=\"" + svg_number(l.width / 2) + "\" y=\"110\" font-size=\"16\" text-anchor=\"middle\" "
             "fill=\"#888888\">no data</text>\n";
        s += "</svg>\n";
        return s;
    }
    s += heatmap_cells(h, l);
    s += heatmap_class_names(l);
    s += heatmap_axis_titles(l);
    s += heatmap_colour_scale(h, l);
    s += "</svg>\n";
    return s;
}

// The square matrix's checks shared by both heatmaps.
void check_square(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names) {
    check_rectangular(matrix);
    const std::size_t n = matrix.size();
    if (n > 0 && matrix.front().size() != n) {
        throw std::invalid_argument("confusion matrix: " + std::to_string(n) + " rows but " +
                                    std::to_string(matrix.front().size()) + " columns (it must be square)");
    }
    if (class_names.size() != n) {
        throw std::invalid_argument("confusion matrix: " + std::to_string(n) + " classes but " +
                                    std::to_string(class_names.size()) + " class names");
    }
}

// Each row divided by its total (negative counts taken as 0); a row without samples is 0.
std::vector<std::vector<double>> row_shares(const ConfusionMatrix& matrix) {
    std::vector<std::vector<double>> shares(matrix.size());
    for (std::size_t i = 0; i < matrix.size(); ++i) {
        double total = 0;
        for (std::int64_t v : matrix[i]) total += static_cast<double>(std::max<std::int64_t>(v, 0));
        for (std::int64_t v : matrix[i])
            shares[i].push_back(total > 0 ? static_cast<double>(std::max<std::int64_t>(v, 0)) / total : 0);
    }
    return shares;
}

// A difference in percentage points with its sign and one decimal: "+3.4", "-0.5", "0.0".
std::string signed_points(double fraction) {
    const double points = std::round(fraction * 1000) / 10;
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, std::fabs(points), std::chars_format::fixed, 1);
    const std::string digits = result.ec == std::errc() ? std::string(buffer, result.ptr) : "?";
    if (points > 0) return "+" + digits;
    if (points < 0) return "-" + digits;
    return digits;
}

}  // namespace

std::string confusion_svg(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names,
                          const std::string& title) {
    check_square(matrix, class_names);
    Heatmap h;
    h.title = title;
    h.class_names = class_names;
    h.t = row_shares(matrix);
    for (const auto& row : matrix) {
        h.labels.emplace_back();
        for (std::int64_t v : row) h.labels.back().push_back(std::to_string(v));
    }
    h.ramp = &kShareRamp;
    h.scale_id = "confusion-scale";
    h.scale_ticks = {"0", "0.25", "0.5", "0.75", "1"};
    h.scale_caption = "share of the true class";
    h.numbers_elsewhere = "too many classes to write the counts in the cells: confusion.csv holds them";
    return heatmap_svg(h);
}

std::vector<std::vector<double>> confusion_difference(const ConfusionMatrix& first, const ConfusionMatrix& second) {
    check_rectangular(first);
    check_rectangular(second);
    if (first.size() != second.size() || (!first.empty() && first.front().size() != second.front().size())) {
        throw std::invalid_argument("confusion difference: a " + std::to_string(first.size()) + "x" +
                                    std::to_string(first.empty() ? 0 : first.front().size()) + " and a " +
                                    std::to_string(second.size()) + "x" +
                                    std::to_string(second.empty() ? 0 : second.front().size()) +
                                    " matrix (they must be the same size)");
    }
    std::vector<std::vector<double>> difference = row_shares(second);
    const std::vector<std::vector<double>> before = row_shares(first);
    for (std::size_t i = 0; i < difference.size(); ++i)
        for (std::size_t j = 0; j < difference[i].size(); ++j) difference[i][j] -= before[i][j];
    return difference;
}

std::string confusion_difference_svg(const ConfusionMatrix& first, const ConfusionMatrix& second,
                                     const std::vector<std::string>& class_names, const std::string& title) {
    check_square(first, class_names);
    check_square(second, class_names);
    const std::vector<std::vector<double>> difference = confusion_difference(first, second);

    // The scale is symmetric around 0 and reaches the largest change, rounded up to 1, 2
    // or 5 times a power of ten (at least 1 percentage point), so colours compare across
    // cells and small changes are not painted as large ones.
    double largest = 0;
    for (const auto& row : difference)
        for (double d : row) largest = std::max(largest, std::fabs(d));
    double limit = 0.01;
    for (double candidate : {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0}) {
        limit = candidate;
        if (largest <= candidate + 1e-12) break;
    }

    Heatmap h;
    h.title = title;
    h.class_names = class_names;
    for (const auto& row : difference) {
        h.t.emplace_back();
        h.labels.emplace_back();
        for (double d : row) {
            h.t.back().push_back(0.5 + d / (2 * limit));
            h.labels.back().push_back(signed_points(d));
        }
    }
    h.ramp = &kDifferenceRamp;
    h.scale_id = "difference-scale";
    for (double k : {-1.0, -0.5, 0.0, 0.5, 1.0}) h.scale_ticks.push_back(signed_points(k * limit));
    // "+2.5" at full precision; a whole number drops its ".0".
    for (std::string& tick : h.scale_ticks)
        if (tick.size() > 2 && tick.compare(tick.size() - 2, 2, ".0") == 0) tick.erase(tick.size() - 2);
    h.scale_caption = "percentage points of the true class";
    return heatmap_svg(h);
}

// numpy's str() of a 2-D integer array: every number right-aligned to the widest, one space
// between numbers, "[[" ... "]]" around the whole, and rows that would pass 75 characters
// wrapped onto lines indented by two spaces. (numpy abbreviates arrays of more than 1000
// numbers with "..."; this always prints every count.)
std::string confusion_text(const ConfusionMatrix& matrix) {
    check_rectangular(matrix);
    if (matrix.empty() || matrix.front().empty()) return "[]";
    std::size_t width = 0;
    for (const auto& row : matrix) {
        for (std::int64_t v : row) width = std::max(width, std::to_string(v).size());
    }
    // Each row's line starts with a two-character prefix ("[[", " [" or, continued, "  ");
    // a number moves to a new line when the line would pass 73 characters with it (75
    // less the closing brackets).
    constexpr std::size_t kLimit = 73;
    std::string out;
    for (std::size_t i = 0; i < matrix.size(); ++i) {
        out += i == 0 ? "[[" : " [";
        std::size_t line = 2;
        for (std::size_t j = 0; j < matrix[i].size(); ++j) {
            std::string word = std::to_string(matrix[i][j]);
            word.insert(0, width - word.size(), ' ');
            if (j > 0) {
                if (line + 1 + word.size() > kLimit) {
                    out += "\n  ";
                    line = 2;
                } else {
                    out += ' ';
                    line += 1;
                }
            }
            out += word;
            line += word.size();
        }
        out += ']';
        if (i + 1 < matrix.size()) out += '\n';
    }
    out += ']';
    return out;
}

}  // namespace statnn::report
