// statnn/data/dataset_description.hpp — what a network was trained on, as its checkpoint
// and run.json keep it: the format's name, the record shape, the number of classes and
// their names. Commands that read weights name the classes from it, so a model trained on
// other classes than the data at hand still speaks of its own.
#pragma once

#include <string>
#include <vector>

#include "statnn/data/record_source.hpp"

namespace statnn::data {

struct DatasetDescription {
    std::string format;                    // data::format_name ("CIFAR-10 binary"); empty: not recorded
    RecordShape shape;                     // of one record
    int classes = 0;                       // the dataset's own count
    std::vector<std::string> class_names;  // one per output of the network, as train named them

    bool recorded() const { return !format.empty(); }

    friend bool operator==(const DatasetDescription& a, const DatasetDescription& b) {
        return a.format == b.format && a.shape == b.shape && a.classes == b.classes && a.class_names == b.class_names;
    }
    friend bool operator!=(const DatasetDescription& a, const DatasetDescription& b) { return !(a == b); }
};

}  // namespace statnn::data
