// statnn/data/class_selection.hpp — a dataset narrowed to some of its classes and to a few
// training images of each, whatever its format (train and evaluate --classes, --per-class).
//
//   classes {3, 5, 0}   keeps the records of the dataset's classes 3, 5 and 0, relabelled
//                       0, 1 and 2 in that order
//   per_class 100       keeps, of the training records, the first 100 of each kept class in
//                       an order shuffled by `seed` (all of a class that has fewer)
//
// SelectedRecords is a RecordSource over another: it reads every record's label once when
// it is made and keeps a table of the records it serves, in file order. Reads then only
// look up the table and the new label: they allocate nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "statnn/data/record_source.hpp"
#include "statnn/rng.hpp"

namespace statnn::data {

struct ClassSelection {
    std::vector<int> classes;  // the dataset's classes in their new label order; empty: all
    long per_class = 0;        // training records kept per class; 0: all
    std::uint64_t seed = 1;    // of the order in which per_class takes the first ones
    bool narrows() const { return !classes.empty() || per_class > 0; }
};

// Why `selection` cannot apply to data of `classes` classes ("": it can).
inline std::string selection_problem(const ClassSelection& selection, int classes) {
    for (std::size_t i = 0; i < selection.classes.size(); ++i) {
        const int c = selection.classes[i];
        if (c < 0 || c >= classes)
            return "class " + std::to_string(c) + " is not one of the data's " + std::to_string(classes) + " (0.." +
                   std::to_string(classes - 1) + ")";
        if (std::find(selection.classes.begin(), selection.classes.begin() + long(i), c) != selection.classes.begin() + long(i))
            return "class " + std::to_string(c) + " is given twice";
    }
    if (selection.per_class < 0) return "a negative number of images per class";
    return "";
}

class SelectedRecords : public RecordSource {
public:
    // Throws DataError when the selection does not fit the source (selection_problem).
    SelectedRecords(std::unique_ptr<RecordSource> inner, const ClassSelection& selection)
        : inner_(std::move(inner)), new_label_(std::size_t(inner_->classes()), -1) {
        if (const std::string why = selection_problem(selection, inner_->classes()); !why.empty())
            throw DataError("selecting classes: " + why);
        classes_ = selection.classes.empty() ? inner_->classes() : int(selection.classes.size());
        for (int k = 0; k < classes_; ++k)
            new_label_[std::size_t(selection.classes.empty() ? k : selection.classes[std::size_t(k)])] = k;
        const long per_class = inner_->split() == Split::Train ? selection.per_class : 0;
        keep_records(per_class, selection.seed);
    }

    long records() const override { return long(table_.size()); }
    RecordShape shape() const override { return inner_->shape(); }
    int classes() const override { return classes_; }
    Split split() const override { return inner_->split(); }
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        inner_->read(table_[std::size_t(index)], pixels, label);
        label = new_label_[std::size_t(label)];
    }
    std::string record_name(long index) const override { return inner_->record_name(table_[std::size_t(index)]); }

private:
    // The records of the kept classes; with per_class, the first per_class of each in the
    // seeded order. The table stays in file order, so the reader's shuffle decides the rest.
    void keep_records(long per_class, std::uint64_t seed) {
        const long n = inner_->records();
        std::vector<long> order(static_cast<std::size_t>(n));
        std::iota(order.begin(), order.end(), 0L);
        if (per_class > 0) {
            Rng rng(seed ^ 0x9E3779B97F4A7C15ull);
            for (long i = n - 1; i > 0; --i) std::swap(order[std::size_t(i)], order[std::size_t(rng.below(std::uint64_t(i) + 1))]);
        }
        std::vector<long> taken(std::size_t(classes_), 0);
        std::vector<unsigned char> pixels(inner_->shape().bytes());
        for (const long i : order) {
            std::int32_t label = 0;
            inner_->read(i, pixels.data(), label);
            const int k = label >= 0 && label < inner_->classes() ? new_label_[std::size_t(label)] : -1;
            if (k < 0 || (per_class > 0 && taken[std::size_t(k)] >= per_class)) continue;
            ++taken[std::size_t(k)];
            table_.push_back(i);
        }
        std::sort(table_.begin(), table_.end());
    }

    std::unique_ptr<RecordSource> inner_;
    std::vector<int> new_label_;  // by the dataset's label: the new one, or -1 when not kept
    std::vector<long> table_;     // the inner records served, in file order
    int classes_ = 0;
};

// `source` narrowed by `selection`; itself when the selection keeps everything.
inline std::unique_ptr<RecordSource> select_records(std::unique_ptr<RecordSource> source, const ClassSelection& selection) {
    if (!selection.narrows()) return source;
    return std::make_unique<SelectedRecords>(std::move(source), selection);
}

// The names of the kept classes, in their new order.
inline std::vector<std::string> selected_names(const std::vector<std::string>& names, const ClassSelection& selection) {
    if (selection.classes.empty()) return names;
    std::vector<std::string> kept;
    for (int c : selection.classes)
        kept.push_back(std::size_t(c) < names.size() ? names[std::size_t(c)] : std::to_string(c));
    return kept;
}

}  // namespace statnn::data
