// src/report/confusion_svg.cpp — the confusion matrix as an annotated heatmap (SVG) and as
// numpy prints an integer matrix (text).
//
// Both functions require a rectangular matrix and throw std::invalid_argument otherwise;
// confusion_svg further requires it to be square with one class name per row.
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

// The heatmap's colour ramp: white at 0, mid blue at 0.5, dark blue at 1, linear between.
constexpr Rgb kRamp[3] = {{255, 255, 255}, {110, 160, 210}, {10, 45, 110}};

Rgb ramp(double t) {
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    const Rgb& a = t < 0.5 ? kRamp[0] : kRamp[1];
    const Rgb& b = t < 0.5 ? kRamp[1] : kRamp[2];
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


// A generous estimate of the rendered width of `text` in a sans-serif font of size `size`
// (there is no font metrics library; the layout leaves room for the widest common glyphs).
double text_width(const std::string& text, double size) {
    double em = 0;
    for (unsigned char ch : text) {
        if (ch >= 'A' && ch <= 'Z') em += 0.72;
        else if (ch == 'i' || ch == 'l' || ch == 'j' || ch == '.' || ch == ',' || ch == ' ' || ch == '\'') em += 0.34;
        else if (ch == 'm' || ch == 'w') em += 0.92;
        else em += 0.62;
    }
    return em * size;
}

void check_rectangular(const ConfusionMatrix& matrix) {
    for (const auto& row : matrix) {
        if (row.size() != matrix.front().size()) {
            throw std::invalid_argument("confusion matrix: rows of different lengths (" +
                                        std::to_string(matrix.front().size()) + " and " +
                                        std::to_string(row.size()) + ")");
        }
    }
}

}  // namespace

std::string confusion_svg(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names,
                          const std::string& title) {
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

    constexpr double kNameSize = 13, kAxisSize = 14, kTitleSize = 17;
    // Cells shrink from 72 px (a few classes) to 26 px (more than 21 classes).
    const double cell = n == 0 ? 0 : std::min(72.0, std::max(26.0, 560.0 / static_cast<double>(n)));
    const double grid = cell * static_cast<double>(n);

    double name_width = 0;
    for (const auto& name : class_names) name_width = std::max(name_width, text_width(name, kNameSize));
    // Column labels are turned by 45 degrees when the widest would not fit in its column.
    const bool rotate = name_width > cell - 6;
    constexpr double kSin45 = 0.70710678;

    // Left of the grid: the rotated "True class", the row names, a gap.
    double left = 12 + kAxisSize + 12 + name_width + 8;
    if (rotate) left = std::max(left, name_width * kSin45 - cell / 2 + 16);
    const double top = 58;
    const double column_labels = rotate ? name_width * kSin45 + 16 : kNameSize + 10;
    const double below = 8 + column_labels + kAxisSize + 16;
    // Right of the grid: the colour scale, its tick labels and its caption.
    const double scale_x = left + grid + 22, scale_w = 16;
    const double right = 22 + scale_w + 6 + 36 + kAxisSize + 14;

    double width = left + grid + right;
    width = std::max(width, text_width(title, kTitleSize) * 1.1 + 24);
    const double height = n == 0 ? 200 : top + grid + below;

    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(std::ceil(width)) + "\" height=\"" +
         svg_number(std::ceil(height)) + "\" viewBox=\"0 0 " + svg_number(std::ceil(width)) + " " + svg_number(std::ceil(height)) +
         "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + svg_number(std::ceil(width)) + "\" height=\"" + svg_number(std::ceil(height)) +
         "\" fill=\"#ffffff\"/>\n";
    s += "<text x=\"" + svg_number(width / 2) + "\" y=\"32\" font-size=\"" + svg_number(kTitleSize) +
         "\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#000000\">" + xml_escape(title) + "</text>\n";

    if (n == 0) {
        s += "<text x=\"" + svg_number(width / 2) + "\" y=\"110\" font-size=\"16\" text-anchor=\"middle\" "
             "fill=\"#888888\">no data</text>\n";
        s += "</svg>\n";
        return s;
    }

    // Cells: fill by the fraction of the true class's samples, the count written inside.
    std::size_t widest_count = 1;
    for (const auto& row : matrix) {
        for (std::int64_t v : row) widest_count = std::max(widest_count, std::to_string(v).size());
    }
    const double count_size =
        std::max(7.0, std::min(13.0, (cell - 6) / (0.64 * static_cast<double>(widest_count))));
    s += "<g font-size=\"" + svg_number(count_size) + "\" text-anchor=\"middle\">\n";
    for (std::size_t i = 0; i < n; ++i) {
        double total = 0;
        for (std::int64_t v : matrix[i]) total += static_cast<double>(std::max<std::int64_t>(v, 0));
        for (std::size_t j = 0; j < n; ++j) {
            const std::int64_t v = matrix[i][j];
            const double fraction = total > 0 ? static_cast<double>(std::max<std::int64_t>(v, 0)) / total : 0;
            const Rgb fill = ramp(fraction);
            const double x = left + cell * static_cast<double>(j), y = top + cell * static_cast<double>(i);
            s += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(cell) + "\" height=\"" +
                 svg_number(cell) + "\" fill=\"" + hex(fill) + "\"/>\n";
            s += "<text x=\"" + svg_number(x + cell / 2) + "\" y=\"" + svg_number(y + cell / 2 + count_size * 0.36) +
                 "\" fill=\"" + (is_dark(fill) ? "#ffffff" : "#000000") + "\">" + std::to_string(v) + "</text>\n";
        }
    }
    s += "</g>\n";
    s += "<rect x=\"" + svg_number(left) + "\" y=\"" + svg_number(top) + "\" width=\"" + svg_number(grid) + "\" height=\"" + svg_number(grid) +
         "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";

    // Class names: rows on the left, columns below (turned when they would collide).
    s += "<g font-size=\"" + svg_number(kNameSize) + "\" fill=\"#000000\">\n";
    for (std::size_t i = 0; i < n; ++i) {
        const double y = top + cell * (static_cast<double>(i) + 0.5) + kNameSize * 0.36;
        s += "<text x=\"" + svg_number(left - 8) + "\" y=\"" + svg_number(y) + "\" text-anchor=\"end\">" +
             xml_escape(class_names[i]) + "</text>\n";
    }
    for (std::size_t j = 0; j < n; ++j) {
        const double x = left + cell * (static_cast<double>(j) + 0.5);
        if (rotate) {
            const double y = top + grid + 14;
            s += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" text-anchor=\"end\" transform=\"rotate(-45 " +
                 svg_number(x) + " " + svg_number(y) + ")\">" + xml_escape(class_names[j]) + "</text>\n";
        } else {
            s += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(top + grid + 8 + kNameSize) + "\" text-anchor=\"middle\">" +
                 xml_escape(class_names[j]) + "</text>\n";
        }
    }
    s += "</g>\n";

    // Axis titles.
    const double y_mid = top + grid / 2;
    const double y_axis_x = 12 + kAxisSize * 0.8;
    s += "<text x=\"" + svg_number(y_axis_x) + "\" y=\"" + svg_number(y_mid) + "\" font-size=\"" + svg_number(kAxisSize) +
         "\" text-anchor=\"middle\" fill=\"#000000\" transform=\"rotate(-90 " + svg_number(y_axis_x) + " " + svg_number(y_mid) +
         ")\">True class</text>\n";
    s += "<text x=\"" + svg_number(left + grid / 2) + "\" y=\"" + svg_number(top + grid + 8 + column_labels + kAxisSize) +
         "\" font-size=\"" + svg_number(kAxisSize) + "\" text-anchor=\"middle\" fill=\"#000000\">Predicted class</text>\n";

    // The colour scale: a vertical gradient from 0 (bottom) to 1 (top) with five ticks.
    s += "<defs><linearGradient id=\"confusion-scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
    for (int k = 0; k < 3; ++k) {
        s += "<stop offset=\"" + svg_number(k * 0.5) + "\" stop-color=\"" + hex(kRamp[k]) + "\"/>";
    }
    s += "</linearGradient></defs>\n";
    s += "<rect x=\"" + svg_number(scale_x) + "\" y=\"" + svg_number(top) + "\" width=\"" + svg_number(scale_w) + "\" height=\"" +
         svg_number(grid) + "\" fill=\"url(#confusion-scale)\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
    s += "<g font-size=\"11\" fill=\"#333333\">\n";
    for (int k = 0; k <= 4; ++k) {
        const double y = top + grid - grid * k / 4.0;
        static const char* labels[5] = {"0", "0.25", "0.5", "0.75", "1"};
        s += "<line x1=\"" + svg_number(scale_x + scale_w) + "\" y1=\"" + svg_number(y) + "\" x2=\"" + svg_number(scale_x + scale_w + 4) +
             "\" y2=\"" + svg_number(y) + "\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
        s += "<text x=\"" + svg_number(scale_x + scale_w + 6) + "\" y=\"" + svg_number(y + 4) + "\">" + labels[k] + "</text>\n";
    }
    s += "</g>\n";
    const double caption_x = scale_x + scale_w + 6 + 36 + kAxisSize * 0.5;
    s += "<text x=\"" + svg_number(caption_x) + "\" y=\"" + svg_number(y_mid) + "\" font-size=\"12\" text-anchor=\"middle\" " +
         "fill=\"#333333\" transform=\"rotate(-90 " + svg_number(caption_x) + " " + svg_number(y_mid) +
         ")\">share of the true class</text>\n";
    s += "</svg>\n";
    return s;
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
