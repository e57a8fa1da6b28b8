// src/image_import.hpp — `import`: a folder of images, one sub-folder per class
// (statnn/data/image_folder.hpp), decoded once into statnn record files
// (statnn/data/statnn_records.hpp) at a network's input shape.
//
// The test split is <root>/test when there is one, else a seeded random fraction of each
// class's training images (stratified). Records are written classes in turn (the first
// image of every class, then the second of every class, ...), so that the first N
// records, which --limit and --val-limit take, hold every class.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "statnn/data/record_source.hpp"

namespace statnn {

// What the import command line asks for, and of which network.
struct ImportSettings {
    std::string root, out;
    data::RecordShape shape;         // the network's input
    int max_classes = 0;             // the network's class count
    std::optional<double> val_split; // --val-split: in (0, 1); without <root>/test the default is 0.1
    std::uint64_t seed = 1;          // which images --val-split moves
    bool resize = false;             // scale images of another size, instead of refusing them
};

inline constexpr double kDefaultValSplit = 0.1;

// One image and its class.
struct ImportImage {
    std::string path;
    std::int32_t label = 0;
};

// Which image goes to which split with which label, in record order.
struct ImportPlan {
    std::vector<std::string> class_names;  // the training class folders, sorted by name
    std::vector<ImportImage> train, test;
    std::optional<double> val_split;       // the fraction moved to the test split; none: <root>/test
};

// Lists <root> and decides every image's split and label; reads no image. Throws
// DataError naming the folder, cli::UsageError for a flag the folder contradicts.
ImportPlan plan_import(const ImportSettings& settings);

// Decodes the plan's images, each read once, and writes <out>/train.statnn and
// <out>/test.statnn. Nothing in <out> changes before every image is decoded (the files are
// written under temporary names, then moved into place), and an <out> folder made here is
// removed again when that fails. Returns how many images were resized. Throws ImageError
// naming the image, DataError, io::IoError.
long write_import(const ImportSettings& settings, const ImportPlan& plan);

// "wrote out/train.statnn (450 records) and out/test.statnn (50 records) from ..." — what
// an import did, as one line.
std::string import_summary(const ImportSettings& settings, const ImportPlan& plan, long resized);

}  // namespace statnn
