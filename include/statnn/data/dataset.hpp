// statnn/data/dataset.hpp — a dataset folder: its format recognised from its files.
//
// The program asks for the splits it needs (training needs both, evaluation the test
// split) and gets RecordSources; the format's name and class names go to the banner and
// the reports. Formats: CIFAR-10 binary (cifar10.hpp), CIFAR-100 binary (cifar100.hpp),
// idx, as MNIST and Fashion-MNIST ship (idx.hpp), and statnn records (statnn_records.hpp).
// A folder of images sorted into class folders (image_folder.hpp) is recognised only to
// say how to import it. A folder of none is opened as CIFAR-10, whose messages then name
// the files it expected.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "statnn/data/cifar10.hpp"
#include "statnn/data/cifar100.hpp"
#include "statnn/data/class_selection.hpp"
#include "statnn/data/idx.hpp"
#include "statnn/data/image_folder.hpp"
#include "statnn/data/record_source.hpp"
#include "statnn/data/statnn_records.hpp"

namespace statnn::data {

enum class DataFormat { Auto, Cifar10, Cifar100, Idx, StatnnRecords, ImageFolder };

// What the command line says about the data beyond its folder.
struct DataOptions {
    DataFormat format = DataFormat::Auto;
    Cifar100Labels labels = Cifar100Labels::Fine;  // CIFAR-100: 100 fine or 20 coarse classes
    // The binary as it was run, for the message that tells how to import an image folder.
    std::string program = "<binary>";
    // Some classes only, relabelled, and a few training images of each (class_selection.hpp).
    ClassSelection selection;
};

inline const char* format_name(DataFormat f) {
    switch (f) {
    case DataFormat::Cifar100: return "CIFAR-100 binary";
    case DataFormat::Idx: return "idx";
    case DataFormat::StatnnRecords: return "statnn records";
    case DataFormat::ImageFolder: return "image folder";
    default: return "CIFAR-10 binary";
    }
}

// The format of the folder: the one asked for, else the first whose files are there.
inline DataFormat recognize_format(const std::string& dir, const DataOptions& options = {}) {
    if (options.format != DataFormat::Auto) return options.format;
    if (Cifar10Set::recognizes(dir)) return DataFormat::Cifar10;
    if (Cifar100Set::recognizes(dir)) return DataFormat::Cifar100;
    if (IdxSet::recognizes(dir)) return DataFormat::Idx;
    if (StatnnRecordSet::recognizes(dir)) return DataFormat::StatnnRecords;
    if (is_image_folder(dir)) return DataFormat::ImageFolder;
    return DataFormat::Cifar10;
}

// `options` with the format of `dir` decided, so that the folder's files are looked at once.
inline DataOptions with_format_of(const std::string& dir, DataOptions options) {
    options.format = recognize_format(dir, options);
    return options;
}

// Images are decoded once, by the import command, not at every read: a folder of them is
// refused with the command line that imports it.
inline DataError not_imported(const std::string& dir, const DataOptions& options) {
    return DataError(dir + ": a folder of images (train/<class>/...), which training does not read directly; run `" +
                     options.program + " import " + dir + " --out DIR` first, then use --data DIR");
}

// Opens and validates split `split` of the dataset in `dir`, as its files have it. Throws DataError.
inline std::unique_ptr<RecordSource> open_whole_split(const std::string& dir, Split split, const DataOptions& options = {}) {
    switch (recognize_format(dir, options)) {
    case DataFormat::Cifar100: return std::make_unique<Cifar100Set>(dir, split, options.labels);
    case DataFormat::Idx: return std::make_unique<IdxSet>(dir, split);
    case DataFormat::StatnnRecords: return std::make_unique<StatnnRecordSet>(dir, split);
    case DataFormat::ImageFolder: throw not_imported(dir, options);
    default: return std::make_unique<Cifar10Set>(dir, split);
    }
}

// Split `split` of the dataset in `dir`, narrowed to options.selection. Throws DataError.
inline std::unique_ptr<RecordSource> open_split(const std::string& dir, Split split, const DataOptions& options = {}) {
    return select_records(open_whole_split(dir, split, options), options.selection);
}

// The class names of the dataset in `dir`, in label order (before any selection).
inline std::vector<std::string> dataset_class_names(const std::string& dir, const DataOptions& options = {}) {
    switch (recognize_format(dir, options)) {
    case DataFormat::Cifar100: return Cifar100Set::class_names(dir, options.labels);
    case DataFormat::Idx: return IdxSet::class_names(dir);
    case DataFormat::StatnnRecords: return StatnnRecordSet::class_names(dir);
    case DataFormat::ImageFolder: throw not_imported(dir, options);
    default: return class_names(dir);
    }
}

// `names` for a network of `classes` outputs: the dataset's first ones, then numbers.
inline std::vector<std::string> names_for_classes(std::vector<std::string> names, int classes) {
    names.resize(std::size_t(std::min<std::size_t>(names.size(), std::size_t(classes))));
    for (int c = int(names.size()); c < classes; ++c) names.push_back(std::to_string(c));
    return names;
}

// Refuses a source with a label the network has no output for, naming the first such
// record: a label >= `classes` must never reach the loss. Reads the records only when
// the format allows more classes than the network has.
inline void check_labels_fit(const RecordSource& source, int classes) {
    if (source.classes() <= classes) return;
    std::vector<unsigned char> pixels(source.shape().bytes());
    for (long i = 0; i < source.records(); ++i) {
        std::int32_t label = 0;
        source.read(i, pixels.data(), label);
        if (label >= classes)
            throw DataError(source.record_name(i) + " has label " + std::to_string(label) + ", but the network has " +
                            std::to_string(classes) + " classes (labels 0.." + std::to_string(classes - 1) + ")");
    }
}

// Refuses records of another shape than the network's input, naming the folder.
inline void check_record_shape(const RecordSource& source, const RecordShape& network, const std::string& dir,
                               DataFormat format) {
    if (source.shape() != network)
        throw DataError(dir + ": " + format_name(format) + " images of " + shape_text(source.shape()) +
                        " (height x width x channels), but the network takes " + shape_text(network));
}

// Both splits of the dataset in `dir`, checked against each other.
struct Dataset {
    std::string dir;
    DataOptions options;  // as opened: the format decided once, from the folder's files
    std::unique_ptr<RecordSource> train, test;
    std::vector<std::string> class_names;

    // The splits narrowed to options.selection, the class names with them.
    Dataset(const std::string& folder, const DataOptions& asked)
        : dir(folder), options(with_format_of(folder, asked)), train(open_whole_split(folder, Split::Train, options)),
          test(open_whole_split(folder, Split::Test, options)), class_names(dataset_class_names(folder, options)) {
        if (format() == DataFormat::Cifar10)
            Cifar10Set::check_same_size(static_cast<const Cifar10Set&>(*train), static_cast<const Cifar10Set&>(*test));
        whole_classes = train->classes();
        if (!options.selection.narrows()) return;
        class_names = selected_names(class_names, options.selection);
        train = select_records(std::move(train), options.selection);
        test = select_records(std::move(test), options.selection);
    }

    int whole_classes = 0;  // the data's classes before any selection

    DataFormat format() const { return options.format; }

    // The records fit a network of input `shape` and `classes` outputs. Throws DataError.
    void check_fits(const RecordShape& shape, int classes) const {
        check_record_shape(*train, shape, dir, format());
        check_labels_fit(*train, classes);
        check_labels_fit(*test, classes);
    }
};

}  // namespace statnn::data
