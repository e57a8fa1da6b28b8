// src/report/svg_plot.cpp — per-epoch line charts (accuracy.svg, loss.svg) as hand-written SVG.
//
// Layout (pixels): a 740 x 450 canvas; the plot frame spans x 80..600 and y 50..380; the
// title is centred above the frame, the legend sits to the right of it, the y label is
// rotated along the left edge and "Epoch" is centred below the x tick labels.
//
// Epoch k (1-based) is the k-th value of a series. Non-finite values are not drawn: they
// break the line, and they are ignored when the y range is chosen. The y range is the
// finite data padded by 5 % on each side; ticks are the multiples of a 1-2-5 step inside it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

#include "report/report.hpp"
#include "report/svg_text.hpp"

namespace statnn::report {

namespace {

constexpr double kWidth = 740, kHeight = 450;
constexpr double kLeft = 80, kRight = 600, kTop = 50, kBottom = 380;
constexpr const char* kTrainColour = "#d7301f";
constexpr const char* kValidationColour = "#1a9641";
// Values beyond this are clamped so that the span of any two of them stays finite.
constexpr double kClamp = 1e300;


// A tick label for value v on an axis whose ticks are `step` apart.
std::string tick_label(double v, double step) {
    if (std::fabs(v) < step * 1e-6) v = 0;
    char buffer[64];
    std::to_chars_result result;
    const double magnitude = std::max(std::fabs(v), step);
    if (magnitude >= 1e6 || step < 1e-4) {
        result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 6);
    } else {
        const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
        result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
    }
    if (result.ec != std::errc()) return "?";
    return std::string(buffer, result.ptr);
}

// The 1-2-5 step (..., 0.1, 0.2, 0.5, 1, 2, 5, 10, ...), at least `minimum`, that cuts
// `span` into the number of intervals nearest to `target`.
double nice_step(double span, double target, double minimum) {
    const double raw = span / target;
    if (!(raw > 0) || !std::isfinite(raw)) return std::max(minimum, 1.0);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    double best = 0, best_error = 0;
    for (double scale : {0.1, 1.0, 10.0}) {
        for (double mantissa : {1.0, 2.0, 5.0}) {
            const double step = std::max(mantissa * power * scale, minimum);
            const double error = std::fabs(span / step - target);
            if (best == 0 || error < best_error) {
                best = step;
                best_error = error;
            }
        }
    }
    return best;
}

struct Axis {
    double lo = 0, hi = 1;  // the values at the two ends of the frame
    double step = 0.2;      // distance between ticks
    std::vector<double> ticks;
};

Axis make_axis(double lo, double hi, double target_ticks, double min_step) {
    Axis a;
    a.lo = lo;
    a.hi = hi;
    a.step = nice_step(hi - lo, target_ticks, min_step);
    const double first = std::ceil(lo / a.step - 1e-9);
    const double last = std::floor(hi / a.step + 1e-9);
    for (double i = first; i <= last && a.ticks.size() < 50; i += 1) a.ticks.push_back(i * a.step);
    return a;
}

double clamp_value(double v) { return std::min(std::max(v, -kClamp), kClamp); }

}  // namespace

std::string curves_svg(const std::string& title, const std::string& y_label, const std::vector<double>& train,
                       const std::vector<double>& validation) {
    const std::size_t epochs = std::max(train.size(), validation.size());

    // y range from the finite values of both series.
    bool any = false;
    double lo = 0, hi = 0;
    for (const auto* series : {&train, &validation}) {
        for (double v : *series) {
            if (!std::isfinite(v)) continue;
            v = clamp_value(v);
            if (!any) lo = hi = v;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
            any = true;
        }
    }
    if (!any) {
        lo = 0;
        hi = 1;
    } else if (hi - lo <= std::max(std::fabs(hi), std::fabs(lo)) * 1e-12) {
        // A constant series: centre it in a band of +-10 % (or +-1 around zero).
        const double pad = hi != 0 ? std::fabs(hi) * 0.1 : 1.0;
        lo -= pad;
        hi += pad;
    } else {
        const double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
    }
    const Axis y = make_axis(lo, hi, 5, 0);

    // x range: epochs 1..N, padded so that the first and last markers stay inside the frame.
    const double n = static_cast<double>(std::max<std::size_t>(epochs, 1));
    const double x_pad = std::max(0.5, (n - 1) * 0.04);
    const Axis x = make_axis(1 - x_pad, n + x_pad, 10, 1);

    auto px = [&](double epoch) { return kLeft + (epoch - x.lo) / (x.hi - x.lo) * (kRight - kLeft); };
    auto py = [&](double v) { return kBottom - (clamp_value(v) - y.lo) / (y.hi - y.lo) * (kBottom - kTop); };

    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(kWidth) + "\" height=\"" + svg_number(kHeight) +
         "\" viewBox=\"0 0 " + svg_number(kWidth) + " " + svg_number(kHeight) +
         "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + svg_number(kWidth) + "\" height=\"" + svg_number(kHeight) + "\" fill=\"#ffffff\"/>\n";

    // Gridlines, then ticks and their labels.
    s += "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
    for (double t : y.ticks) {
        s += "<line x1=\"" + svg_number(kLeft) + "\" y1=\"" + svg_number(py(t)) + "\" x2=\"" + svg_number(kRight) + "\" y2=\"" +
             svg_number(py(t)) + "\"/>\n";
    }
    for (double t : x.ticks) {
        s += "<line x1=\"" + svg_number(px(t)) + "\" y1=\"" + svg_number(kTop) + "\" x2=\"" + svg_number(px(t)) + "\" y2=\"" +
             svg_number(kBottom) + "\"/>\n";
    }
    s += "</g>\n";
    s += "<g stroke=\"#333333\" stroke-width=\"1\">\n";
    for (double t : y.ticks) {
        s += "<line x1=\"" + svg_number(kLeft - 5) + "\" y1=\"" + svg_number(py(t)) + "\" x2=\"" + svg_number(kLeft) + "\" y2=\"" +
             svg_number(py(t)) + "\"/>\n";
    }
    for (double t : x.ticks) {
        s += "<line x1=\"" + svg_number(px(t)) + "\" y1=\"" + svg_number(kBottom) + "\" x2=\"" + svg_number(px(t)) + "\" y2=\"" +
             svg_number(kBottom + 5) + "\"/>\n";
    }
    s += "</g>\n";
    s += "<g font-size=\"12\" fill=\"#333333\">\n";
    for (double t : y.ticks) {
        s += "<text x=\"" + svg_number(kLeft - 8) + "\" y=\"" + svg_number(py(t) + 4) + "\" text-anchor=\"end\">" +
             xml_escape(tick_label(t, y.step)) + "</text>\n";
    }
    for (double t : x.ticks) {
        s += "<text x=\"" + svg_number(px(t)) + "\" y=\"" + svg_number(kBottom + 20) + "\" text-anchor=\"middle\">" +
             xml_escape(tick_label(t, x.step)) + "</text>\n";
    }
    s += "</g>\n";

    // The frame, the axis labels and the title.
    s += "<rect x=\"" + svg_number(kLeft) + "\" y=\"" + svg_number(kTop) + "\" width=\"" + svg_number(kRight - kLeft) + "\" height=\"" +
         svg_number(kBottom - kTop) + "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
    s += "<text x=\"" + svg_number((kLeft + kRight) / 2) + "\" y=\"" + svg_number(kBottom + 45) +
         "\" font-size=\"14\" text-anchor=\"middle\" fill=\"#000000\">Epoch</text>\n";
    const double y_mid = (kTop + kBottom) / 2;
    s += "<text x=\"22\" y=\"" + svg_number(y_mid) + "\" font-size=\"14\" text-anchor=\"middle\" fill=\"#000000\" " +
         "transform=\"rotate(-90 22 " + svg_number(y_mid) + ")\">" + xml_escape(y_label) + "</text>\n";
    s += "<text x=\"" + svg_number(kWidth / 2) + "\" y=\"30\" font-size=\"17\" font-weight=\"bold\" " +
         "text-anchor=\"middle\" fill=\"#000000\">" + xml_escape(title) + "</text>\n";

    if (!any) {
        s += "<text x=\"" + svg_number((kLeft + kRight) / 2) + "\" y=\"" + svg_number(y_mid + 5) +
             "\" font-size=\"16\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n";
    }

    // The series: runs of consecutive finite values become polylines; every finite value
    // gets a marker.
    auto draw_series = [&](const std::vector<double>& series, const char* colour) {
        s += "<g stroke=\"" + std::string(colour) + "\" fill=\"" + colour + "\">\n";
        std::string points;
        std::size_t run = 0;
        auto flush = [&] {
            if (run >= 2) {
                s += "<polyline fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"" + points +
                     "\"/>\n";
            }
            points.clear();
            run = 0;
        };
        for (std::size_t i = 0; i < series.size(); ++i) {
            if (!std::isfinite(series[i])) {
                flush();
                continue;
            }
            if (run > 0) points += ' ';
            points += svg_number(px(static_cast<double>(i + 1))) + "," + svg_number(py(series[i]));
            ++run;
        }
        flush();
        for (std::size_t i = 0; i < series.size(); ++i) {
            if (!std::isfinite(series[i])) continue;
            s += "<circle cx=\"" + svg_number(px(static_cast<double>(i + 1))) + "\" cy=\"" + svg_number(py(series[i])) +
                 "\" r=\"3.5\" stroke-width=\"1\"/>\n";
        }
        s += "</g>\n";
    };
    draw_series(train, kTrainColour);
    draw_series(validation, kValidationColour);

    // The legend, to the right of the frame.
    const double lx = kRight + 12, ly = kTop;
    s += "<g font-size=\"13\">\n";
    s += "<rect x=\"" + svg_number(lx) + "\" y=\"" + svg_number(ly) + "\" width=\"" + svg_number(kWidth - lx - 6) +
         "\" height=\"52\" fill=\"#ffffff\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n";
    const char* legend_names[2] = {"Training", "Validation"};
    const char* legend_colours[2] = {kTrainColour, kValidationColour};
    for (int k = 0; k < 2; ++k) {
        const double row_y = ly + 17 + 20 * k;
        s += "<line x1=\"" + svg_number(lx + 8) + "\" y1=\"" + svg_number(row_y) + "\" x2=\"" + svg_number(lx + 30) + "\" y2=\"" +
             svg_number(row_y) + "\" stroke=\"" + legend_colours[k] + "\" stroke-width=\"2\"/>\n";
        s += "<circle cx=\"" + svg_number(lx + 19) + "\" cy=\"" + svg_number(row_y) + "\" r=\"3.5\" fill=\"" + legend_colours[k] +
             "\"/>\n";
        s += "<text x=\"" + svg_number(lx + 36) + "\" y=\"" + svg_number(row_y + 4.5) + "\" fill=\"#000000\">" +
             legend_names[k] + "</text>\n";
    }
    s += "</g>\n";
    s += "</svg>\n";
    return s;
}

// Accuracy is plotted as a fraction (the records hold acc in [0, 1]), not as a percentage.
std::string accuracy_svg(const std::vector<EpochRecord>& history) {
    std::vector<double> train, validation;
    train.reserve(history.size());
    validation.reserve(history.size());
    for (const EpochRecord& r : history) {
        train.push_back(r.acc);
        validation.push_back(r.val_acc);
    }
    return curves_svg("Training Accuracy vs Validation Accuracy", "Accuracy", train, validation);
}

std::string loss_svg(const std::vector<EpochRecord>& history) {
    std::vector<double> train, validation;
    train.reserve(history.size());
    validation.reserve(history.size());
    for (const EpochRecord& r : history) {
        train.push_back(r.loss);
        validation.push_back(r.val_loss);
    }
    return curves_svg("Training Loss vs Validation Loss", "Loss", train, validation);
}

}  // namespace statnn::report
