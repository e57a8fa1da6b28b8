// src/report/svg_plot.cpp — per-epoch line charts as hand-written SVG: one run's training
// and validation curves (accuracy.svg, loss.svg), and several runs overlaid (compare).
//
// Layout (pixels): a 740 x 450 canvas (wider when an overlay's legend needs it); the plot
// frame spans x 80..600 and y 50..380; the title is centred above the frame, the legend
// sits to the right of it, the y label is rotated along the left edge and "Epoch" is
// centred below the x tick labels.
//
// In curves_svg epoch k (1-based) is the k-th value of a series; overlays carry their
// epoch numbers. Non-finite values are not drawn: they
// break the line, and they are ignored when the y range is chosen. The y range is the
// finite data padded by 5 % on each side; ticks are the multiples of a 1-2-5 step inside it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
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

// The y axis for the finite values of all `series` (see the layout notes at the top);
// `any` tells whether there was a finite value at all.
Axis value_axis(const std::vector<const std::vector<double>*>& series, bool& any) {
    any = false;
    double lo = 0, hi = 0;
    for (const auto* values : series) {
        for (double v : *values) {
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
    return make_axis(lo, hi, 5, 0);
}

// Epochs 1..last, padded so that the first and last markers stay inside the frame.
Axis epoch_axis(std::size_t last_epoch) {
    const double n = static_cast<double>(std::max<std::size_t>(last_epoch, 1));
    const double x_pad = std::max(0.5, (n - 1) * 0.04);
    return make_axis(1 - x_pad, n + x_pad, 10, 1);
}

// A chart's frame in pixels, and the mapping from data to pixels.
struct Chart {
    Axis x, y;
    double width = kWidth, height = kHeight;
    double px(double epoch) const { return kLeft + (epoch - x.lo) / (x.hi - x.lo) * (kRight - kLeft); }
    double py(double v) const { return kBottom - (clamp_value(v) - y.lo) / (y.hi - y.lo) * (kBottom - kTop); }
};

// The canvas, gridlines, ticks, frame, axis titles and chart title; "no data" when the
// chart has no finite value.
void draw_chart_frame(std::string& s, const Chart& c, const std::string& title, const std::string& y_label,
                      bool any) {
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + svg_number(c.width) + "\" height=\"" + svg_number(c.height) +
         "\" viewBox=\"0 0 " + svg_number(c.width) + " " + svg_number(c.height) +
         "\" font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + svg_number(c.width) + "\" height=\"" + svg_number(c.height) + "\" fill=\"#ffffff\"/>\n";

    // Gridlines, then ticks and their labels.
    s += "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n";
    for (double t : c.y.ticks) {
        s += "<line x1=\"" + svg_number(kLeft) + "\" y1=\"" + svg_number(c.py(t)) + "\" x2=\"" + svg_number(kRight) + "\" y2=\"" +
             svg_number(c.py(t)) + "\"/>\n";
    }
    for (double t : c.x.ticks) {
        s += "<line x1=\"" + svg_number(c.px(t)) + "\" y1=\"" + svg_number(kTop) + "\" x2=\"" + svg_number(c.px(t)) + "\" y2=\"" +
             svg_number(kBottom) + "\"/>\n";
    }
    s += "</g>\n";
    s += "<g stroke=\"#333333\" stroke-width=\"1\">\n";
    for (double t : c.y.ticks) {
        s += "<line x1=\"" + svg_number(kLeft - 5) + "\" y1=\"" + svg_number(c.py(t)) + "\" x2=\"" + svg_number(kLeft) + "\" y2=\"" +
             svg_number(c.py(t)) + "\"/>\n";
    }
    for (double t : c.x.ticks) {
        s += "<line x1=\"" + svg_number(c.px(t)) + "\" y1=\"" + svg_number(kBottom) + "\" x2=\"" + svg_number(c.px(t)) + "\" y2=\"" +
             svg_number(kBottom + 5) + "\"/>\n";
    }
    s += "</g>\n";
    s += "<g font-size=\"12\" fill=\"#333333\">\n";
    for (double t : c.y.ticks) {
        s += "<text x=\"" + svg_number(kLeft - 8) + "\" y=\"" + svg_number(c.py(t) + 4) + "\" text-anchor=\"end\">" +
             xml_escape(tick_label(t, c.y.step)) + "</text>\n";
    }
    for (double t : c.x.ticks) {
        s += "<text x=\"" + svg_number(c.px(t)) + "\" y=\"" + svg_number(kBottom + 20) + "\" text-anchor=\"middle\">" +
             xml_escape(tick_label(t, c.x.step)) + "</text>\n";
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
    s += "<text x=\"" + svg_number(c.width / 2) + "\" y=\"30\" font-size=\"17\" font-weight=\"bold\" " +
         "text-anchor=\"middle\" fill=\"#000000\">" + xml_escape(title) + "</text>\n";

    if (!any) {
        s += "<text x=\"" + svg_number((kLeft + kRight) / 2) + "\" y=\"" + svg_number(y_mid + 5) +
             "\" font-size=\"16\" text-anchor=\"middle\" fill=\"#888888\">no data</text>\n";
    }
}

// One series: runs of consecutive finite values become polylines (dashed when `dash` is
// a stroke-dasharray); finite values get a marker when `markers` is set, and always
// when they stand alone, so that a value between two gaps stays visible.
void draw_series(std::string& s, const Chart& c, const std::vector<double>& epochs, const std::vector<double>& values,
                 const std::string& colour, const std::string& dash, bool markers) {
    s += "<g stroke=\"" + colour + "\" fill=\"" + colour + "\">\n";
    const std::size_t count = std::min(epochs.size(), values.size());
    auto finite = [&](std::size_t i) { return i < count && std::isfinite(values[i]); };
    std::string points;
    std::size_t run = 0;
    auto flush = [&] {
        if (run >= 2) {
            s += "<polyline fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\"" +
                 (dash.empty() ? std::string() : " stroke-dasharray=\"" + dash + "\"") + " points=\"" + points + "\"/>\n";
        }
        points.clear();
        run = 0;
    };
    for (std::size_t i = 0; i < count; ++i) {
        if (!finite(i)) {
            flush();
            continue;
        }
        if (run > 0) points += ' ';
        points += svg_number(c.px(epochs[i])) + "," + svg_number(c.py(values[i]));
        ++run;
    }
    flush();
    for (std::size_t i = 0; i < count; ++i) {
        if (!finite(i)) continue;
        const bool alone = (i == 0 || !finite(i - 1)) && !finite(i + 1);
        if (!markers && !alone) continue;
        s += "<circle cx=\"" + svg_number(c.px(epochs[i])) + "\" cy=\"" + svg_number(c.py(values[i])) +
             "\" r=\"3.5\" stroke-width=\"1\"/>\n";
    }
    s += "</g>\n";
}

std::vector<double> one_to(std::size_t n) {
    std::vector<double> epochs(n);
    for (std::size_t i = 0; i < n; ++i) epochs[i] = static_cast<double>(i + 1);
    return epochs;
}

// Distinct colours for overlaid runs (Tableau 10), reused in order beyond ten runs.
constexpr const char* kRunColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                       "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr const char* kTrainingDash = "7 4";
// Legend names longer than this are cut, so that one long folder name cannot push the
// chart off the page.
constexpr std::size_t kMaxLegendName = 48;

}  // namespace

std::string curves_svg(const std::string& title, const std::string& y_label, const std::vector<double>& train,
                       const std::vector<double>& validation) {
    Chart c;
    bool any = false;
    c.y = value_axis({&train, &validation}, any);
    c.x = epoch_axis(std::max(train.size(), validation.size()));

    std::string s;
    draw_chart_frame(s, c, title, y_label, any);
    draw_series(s, c, one_to(train.size()), train, kTrainColour, "", true);
    draw_series(s, c, one_to(validation.size()), validation, kValidationColour, "", true);

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

std::string overlaid_curves_svg(const std::string& title, const std::string& y_label,
                                const std::vector<RunCurves>& runs) {
    Chart c;
    std::vector<const std::vector<double>*> all;
    double last_epoch = 1;
    for (const RunCurves& r : runs) {
        if (r.train.size() != r.epochs.size() || r.validation.size() != r.epochs.size()) {
            throw std::invalid_argument("overlaid curves of " + r.name + ": " + std::to_string(r.epochs.size()) +
                                        " epochs but " + std::to_string(r.train.size()) + " training and " +
                                        std::to_string(r.validation.size()) + " validation values");
        }
        all.push_back(&r.train);
        all.push_back(&r.validation);
        for (double e : r.epochs)
            if (std::isfinite(e)) last_epoch = std::max(last_epoch, e);
    }
    bool any = false;
    c.y = value_axis(all, any);
    c.x = epoch_axis(static_cast<std::size_t>(std::min(last_epoch, 1e6)));

    // The legend: one row per run in its colour, then the key to the two line styles.
    std::vector<std::string> names;
    double name_width = text_width("validation", 13);
    for (const RunCurves& r : runs) {
        std::string name = r.name.size() > kMaxLegendName ? r.name.substr(0, kMaxLegendName - 3) + "..." : r.name;
        name_width = std::max(name_width, text_width(name, 13));
        names.push_back(std::move(name));
    }
    const double lx = kRight + 12, ly = kTop;
    const double legend_width = 36 + name_width + 10;
    const double rows = static_cast<double>(runs.size()) + 2;
    const double legend_height = 14 + 20 * rows;
    c.width = std::max(kWidth, std::ceil(lx + legend_width + 6));
    c.height = std::max(kHeight, std::ceil(ly + legend_height + 10));

    std::string s;
    draw_chart_frame(s, c, title, y_label, any);
    // Few epochs: markers help to read the values; many: they would hide the lines.
    const bool markers = last_epoch <= 25;
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const std::string colour = kRunColours[k % (sizeof kRunColours / sizeof kRunColours[0])];
        draw_series(s, c, runs[k].epochs, runs[k].train, colour, kTrainingDash, false);
        draw_series(s, c, runs[k].epochs, runs[k].validation, colour, "", markers);
    }

    s += "<g font-size=\"13\">\n";
    s += "<rect x=\"" + svg_number(lx) + "\" y=\"" + svg_number(ly) + "\" width=\"" + svg_number(legend_width) +
         "\" height=\"" + svg_number(legend_height) + "\" fill=\"#ffffff\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n";
    auto legend_row = [&](double row_y, const std::string& colour, const std::string& dash, const std::string& text) {
        s += "<line x1=\"" + svg_number(lx + 8) + "\" y1=\"" + svg_number(row_y) + "\" x2=\"" + svg_number(lx + 30) +
             "\" y2=\"" + svg_number(row_y) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
             (dash.empty() ? std::string() : " stroke-dasharray=\"" + dash + "\"") + "/>\n";
        s += "<text x=\"" + svg_number(lx + 36) + "\" y=\"" + svg_number(row_y + 4.5) + "\" fill=\"#000000\">" +
             xml_escape(text) + "</text>\n";
    };
    for (std::size_t k = 0; k < runs.size(); ++k) {
        legend_row(ly + 17 + 20 * static_cast<double>(k), kRunColours[k % (sizeof kRunColours / sizeof kRunColours[0])],
                   "", names[k]);
    }
    const double key_y = ly + 17 + 20 * static_cast<double>(runs.size()) + 4;
    legend_row(key_y, "#555555", "", "validation");
    legend_row(key_y + 20, "#555555", kTrainingDash, "training");
    s += "</g>\n";
    s += "</svg>\n";
    return s;
}

namespace {

RunCurves run_curves(const std::string& name, const std::vector<EpochRecord>& history, bool accuracy) {
    RunCurves r;
    r.name = name;
    for (const EpochRecord& e : history) {
        r.epochs.push_back(e.epoch);
        r.train.push_back(accuracy ? e.acc : e.loss);
        r.validation.push_back(accuracy ? e.val_acc : e.val_loss);
    }
    return r;
}

std::vector<RunCurves> all_curves(const std::vector<NamedHistory>& runs, bool accuracy) {
    std::vector<RunCurves> curves;
    for (const NamedHistory& run : runs) curves.push_back(run_curves(run.name, run.history, accuracy));
    return curves;
}

}  // namespace

std::string overlaid_accuracy_svg(const std::vector<NamedHistory>& runs) {
    return overlaid_curves_svg("Validation and Training Accuracy", "Accuracy", all_curves(runs, true));
}

std::string overlaid_loss_svg(const std::vector<NamedHistory>& runs) {
    return overlaid_curves_svg("Validation and Training Loss", "Loss", all_curves(runs, false));
}

}  // namespace statnn::report
