// statnn/data/dataset.hpp — a dataset folder: its format recognised from its files.
//
// The program asks for the splits it needs (training needs both, evaluation the test
// split) and gets RecordSources; the format's name and class names go to the banner and
// the reports. CIFAR-10's binary version is the format known today (cifar10.hpp); a
// folder of none is reported with the files the format expected.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "statnn/data/cifar10.hpp"
#include "statnn/data/record_source.hpp"

namespace statnn::data {

// Opens and validates split `split` of the dataset in `dir`. Throws DataError.
inline std::unique_ptr<RecordSource> open_split(const std::string& dir, Split split) {
    return std::make_unique<Cifar10Set>(dir, split);
}

// The name of the format found in `dir`, for messages and run.json.
inline std::string format_name(const std::string&) { return "CIFAR-10 binary"; }

// Both splits of the dataset in `dir`, checked against each other.
struct Dataset {
    std::string dir;
    std::unique_ptr<RecordSource> train, test;
    std::vector<std::string> class_names;

    explicit Dataset(const std::string& folder)
        : dir(folder), train(open_split(folder, Split::Train)), test(open_split(folder, Split::Test)),
          class_names(data::class_names(folder)) {
        Cifar10Set::check_same_size(static_cast<const Cifar10Set&>(*train), static_cast<const Cifar10Set&>(*test));
    }
};

}  // namespace statnn::data
