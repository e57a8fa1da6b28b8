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

// CIFAR-10's class names, in label order.
const std::vector<std::string>& cifar10_class_names();

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

// matrix[true][predicted] counts.
using ConfusionMatrix = std::vector<std::vector<std::int64_t>>;

// Annotated heatmap: rows = true class, columns = predicted class, class names on both
// axes, the count in every cell, colour by row-normalised fraction.
std::string confusion_svg(const ConfusionMatrix& matrix, const std::vector<std::string>& class_names,
                          const std::string& title);

// The matrix as the tutorial prints it (numpy style, rows = true class):
// [[814  11 ...]
//  [ 14 855 ...]]
std::string confusion_text(const ConfusionMatrix& matrix);

// A PNG showing one image per class with its name under it, like the tutorial's figure.
// images[k] is one CIFAR-10 record's pixels: 3072 bytes, the R plane, then G, then B
// (each 32x32 row-major). Returns the PNG file's bytes.
std::vector<unsigned char> samples_png(const std::vector<const unsigned char*>& images,
                                       const std::vector<std::string>& names);

}  // namespace statnn::report
