// src/commands/data_location.hpp — where the commands find their data, and the readers
// they stream it with.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "cli.hpp"
#include "files.hpp"
#include "statnn/data/batch_reader.hpp"
#include "statnn/data/dataset.hpp"
#include "statnn/hints.hpp"

namespace statnn::app {

// --data, $CIFAR10_DIR, ./data/cifar-10-batches-bin, ../shared/cifar-10/cifar-10-batches-bin.
inline std::string find_data_dir(const cli::Args& args) {
    if (args.has("data")) return args.text("data");
    if (const char* env = std::getenv("CIFAR10_DIR"); env && *env) return env;
    for (const char* d : {"data/cifar-10-batches-bin", "../shared/cifar-10/cifar-10-batches-bin"})
        if (file_exists(std::string(d) + "/data_batch_1.bin")) return d;
    throw data::DataError(
        "no CIFAR-10 data found (looked at $CIFAR10_DIR, ./data/cifar-10-batches-bin, "
        "../shared/cifar-10/cifar-10-batches-bin); " + std::string(hints::kGetCifar10) + " or pass --data DIR");
}

// The slots of a NetworkReader, made before the reader that fills them.
template <class Net>
struct NetworkBatchSlots {
    // Default-initialised: the reader writes every float before it is read.
    std::unique_ptr<data::BatchSlots<typename Net::InShape, Net::kBatch>> slots{
        new data::BatchSlots<typename Net::InShape, Net::kBatch>};
};

// --classes: the dataset's classes in the order given, each once.
inline std::vector<int> classes_flag(const cli::Args& args) {
    std::vector<int> classes;
    if (!args.has("classes")) return classes;
    const std::string list = args.text("classes");
    for (std::size_t from = 0;;) {
        const std::size_t comma = list.find(',', from);
        const std::string item = list.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        if (item.empty() || item.size() > 6 || item.find_first_not_of("0123456789") != std::string::npos)
            throw cli::UsageError("--classes: expected a comma-separated list of class numbers (e.g. 5,6,7), got '" + list + "'");
        classes.push_back(std::stoi(item));
        if (const std::string why = data::selection_problem({classes, 0, 0}, 1 << 20); !why.empty())
            throw cli::UsageError("--classes: " + why);
        if (comma == std::string::npos) return classes;
        from = comma + 1;
    }
}

// --data-format and --labels; --classes and --per-class (seeded by --seed) narrow the data.
inline data::DataOptions data_options(const cli::Args& args) {
    data::DataOptions options;
    if (!args.program().empty()) options.program = args.program();
    if (args.has("data-format")) {
        const std::string f = args.text("data-format");
        if (f == "cifar10") options.format = data::DataFormat::Cifar10;
        else if (f == "cifar100") options.format = data::DataFormat::Cifar100;
        else if (f == "idx") options.format = data::DataFormat::Idx;
        else if (f == "statnn") options.format = data::DataFormat::StatnnRecords;
        else throw cli::UsageError("--data-format: expected cifar10, cifar100, idx or statnn, got '" + f + "'");
    }
    if (args.has("labels")) {
        const std::string l = args.text("labels");
        if (l != "fine" && l != "coarse") throw cli::UsageError("--labels: expected fine or coarse, got '" + l + "'");
        options.labels = l == "fine" ? data::Cifar100Labels::Fine : data::Cifar100Labels::Coarse;
    }
    options.selection.classes = classes_flag(args);
    options.selection.per_class = long(args.integer("per-class", 0));
    options.selection.seed = args.seed("seed", 1);
    return options;
}

// Refuses a selection the data in `dir` cannot give or `classes` outputs cannot take, naming the flag.
inline void check_selection(const data::ClassSelection& selection, const std::string& dir, const data::DataOptions& options,
                            int classes) {
    if (selection.classes.empty()) return;
    const int whole = int(data::dataset_class_names(dir, options).size());
    if (const std::string why = data::selection_problem(selection, whole); !why.empty())
        throw cli::UsageError("--classes: " + why + " in " + dir);
    if (int(selection.classes.size()) != classes)
        throw cli::UsageError("--classes: keeps " + std::to_string(selection.classes.size()) + " classes, but the network has " +
                              std::to_string(classes) + " outputs");
}

// The network's input as a record shape.
template <class Net>
data::RecordShape network_record_shape() {
    using In = typename Net::InShape;
    return {In::C, In::H, In::W};
}

// The options of --data in `dir`, its format decided; without --classes, the classes the
// weights were trained on (`trained_classes`, from their file; empty: all).
inline data::DataOptions options_for(const cli::Args& args, const std::string& dir,
                                     const std::vector<std::uint32_t>& trained_classes = {}) {
    data::DataOptions options = data::with_format_of(dir, data_options(args));
    if (!args.has("classes")) options.selection.classes.assign(trained_classes.begin(), trained_classes.end());
    return options;
}

// Split `split` of --data, checked to fit the network's input and classes.
template <class Net>
std::unique_ptr<data::RecordSource> open_network_split(const cli::Args& args, data::Split split,
                                                       const std::vector<std::uint32_t>& trained_classes = {}) {
    const std::string dir = find_data_dir(args);
    const data::DataOptions options = options_for(args, dir, trained_classes);
    check_selection(options.selection, dir, options, Net::kClasses);
    auto source = data::open_split(dir, split, options);
    data::check_record_shape(*source, network_record_shape<Net>(), dir, options.format);
    data::check_labels_fit(*source, Net::kClasses);
    return source;
}

// A reader of the network's images together with the slots it fills: one allocation,
// when it is made.
template <class Net>
class NetworkReader : private NetworkBatchSlots<Net>, public data::BatchReader<typename Net::InShape, Net::kBatch> {
public:
    NetworkReader(const data::RecordSource& source, int batch, long limit, bool shuffle, std::uint64_t seed,
                  const data::Augmentation& augment, const data::Normalization& normalization)
        : data::BatchReader<typename Net::InShape, Net::kBatch>(source, *this->slots, batch, limit, shuffle, seed, augment,
                                                                normalization) {}
};

// Reads `images` of the training images (in file order) into net, one batch at a time,
// and calls fn(rows) after each.
template <class Net, class Fn>
void for_first_training_images(Net& net, const data::RecordSource& train, long images, const data::Normalization& n,
                               Fn&& fn) {
    NetworkReader<Net> reader(train, Net::kBatch, images, false, 0, data::Augmentation{}, n);
    reader.start_epoch(0);
    for (int rows; (rows = reader.next(net.input(), net.labels())) > 0;) fn(rows);
}

}  // namespace statnn::app
