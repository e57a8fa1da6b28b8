// src/report/report.hpp — what a training run leaves for a person to read.
//
// Pure functions from numbers to file contents (text or bytes); the caller writes them
// with io::write_file_atomic. No dependency beyond the C++ standard library and
// stb_image_write (PNG).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "statnn/train/history.hpp"

namespace statnn::report {

// One row of history.csv: epoch, loss, acc, val_loss, val_acc, lr, seconds.
using EpochRecord = statnn::EpochRecord;

// history.csv: header "epoch,loss,acc,val_loss,val_acc,lr,seconds", one row per epoch.
std::string history_csv(const std::vector<EpochRecord>& history);
// The inverse (used to continue a resumed run's history). Throws std::runtime_error
// naming the line on malformed input.
std::vector<EpochRecord> parse_history_csv(const std::string& text);

// Line chart of one metric per epoch: training in red, validation in green, labelled
// axes with ticks, a title and a legend.
std::string curves_svg(const std::string& title, const std::string& y_label, const std::vector<double>& train,
                       const std::vector<double>& validation);
// "Training Accuracy vs Validation Accuracy" / "Training Loss vs Validation Loss".
std::string accuracy_svg(const std::vector<EpochRecord>& history);
std::string loss_svg(const std::vector<EpochRecord>& history);

// Several runs' curves on one chart (compare): the runs in distinct colours, validation
// solid, training dashed, a legend naming the runs and the two line styles. A run's
// three vectors have one entry per epoch; non-finite values break its lines.
struct RunCurves {
    std::string name;
    std::vector<double> epochs, train, validation;
};
std::string overlaid_curves_svg(const std::string& title, const std::string& y_label,
                                const std::vector<RunCurves>& runs);
// A run's name and its history.csv, for the overlaid accuracy and loss charts.
struct NamedHistory {
    std::string name;
    std::vector<EpochRecord> history;
};
std::string overlaid_accuracy_svg(const std::vector<NamedHistory>& runs);
std::string overlaid_loss_svg(const std::vector<NamedHistory>& runs);

// matrix[true][predicted] counts.
using ConfusionMatrix = std::vector<std::vector<std::int64_t>>;

// confusion.csv: the header "true\predicted,<class>,...,<class>", then one row per true
// class in the header's order: "<class>,<count>,...,<count>". Names holding a comma or a
// quote are quoted as in RFC 4180. Throws std::invalid_argument when the matrix is not
// square with one name per row, or a name is empty or holds a line break.
std::string confusion_csv(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names);
// The inverse; stores the class names in *class_names when it is not null. Throws
// std::runtime_error naming the line on malformed input: a wrong header, a row whose
// class or number of counts does not match the header, a count that is not a
// non-negative integer, missing or extra rows.
ConfusionMatrix parse_confusion_csv(const std::string& text, std::vector<std::string>* class_names);

// Annotated heatmap: rows = true class, columns = predicted class, class names on both
// axes, the count in every cell, colour by row-normalised fraction.
std::string confusion_svg(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names,
                          const std::string& title);

// Row-normalised difference of two runs' matrices of the same size: second[i][j] /
// (row i's total in second) - first[i][j] / (row i's total in first), a row without
// samples counting as all zero. Positive on the diagonal: the second run recognises the
// class more often.
std::vector<std::vector<double>> confusion_difference(const ConfusionMatrix& first, const ConfusionMatrix& second);
// That difference as an annotated heatmap: a diverging scale (blue less, red more) that
// is symmetric around 0, each cell's change in percentage points, class names on both axes.
std::string confusion_difference_svg(const ConfusionMatrix& first, const ConfusionMatrix& second,
                                     const std::vector<std::string>& class_names, const std::string& title);

// The matrix as the tutorial prints it (numpy style, rows = true class):
// [[814  11 ...]
//  [ 14 855 ...]]
std::string confusion_text(const ConfusionMatrix& matrix);

// A PNG showing one image per class with its name under it, like the tutorial's figure.
// images[k] is one record's pixels as channel planes (c, y, x) of height x width bytes:
// R, G and B planes (a CIFAR-10 record: 3 x 32 x 32) or one grey plane, drawn grey.
// Throws std::invalid_argument for other channel counts. Returns the PNG file's bytes.
std::vector<unsigned char> samples_png(const std::vector<const unsigned char*>& images,
                                       const std::vector<std::string>& names, int channels = 3, int height = 32,
                                       int width = 32);

}  // namespace statnn::report
