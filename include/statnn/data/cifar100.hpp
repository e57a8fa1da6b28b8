// statnn/data/cifar100.hpp — the CIFAR-100 binary version: one file format behind
// RecordSource (record_source.hpp).
//
// Files (the folder cifar-100-binary): train.bin (50,000 records) and test.bin (10,000),
// each a sequence of 3074-byte records: the coarse label byte (0..19), the fine label
// byte (0..99), then 1024 red, 1024 green and 1024 blue bytes (32x32, row-major), as in
// CIFAR-10. A set serves one of the two labels, chosen when it is opened: 100 fine
// classes or 20 coarse ones. It is validated when opened: the file present, a regular
// readable file, a non-empty whole number of records, and both labels of every record
// in range, whichever is served.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "statnn/data/file_handle.hpp"
#include "statnn/data/record_files.hpp"
#include "statnn/data/record_source.hpp"

namespace statnn::data {

enum class Cifar100Labels { Fine, Coarse };

inline constexpr int kCifar100RecordBytes = 3074;
inline constexpr int kCifar100FineClasses = 100;
inline constexpr int kCifar100CoarseClasses = 20;

// The number of classes of a label choice: 100 fine or 20 coarse.
inline constexpr int cifar100_classes(Cifar100Labels labels) {
    return labels == Cifar100Labels::Fine ? kCifar100FineClasses : kCifar100CoarseClasses;
}

// The validated file of one split.
class Cifar100Set final : public RecordSource {
public:
    static std::string file_name(Split split) { return split == Split::Train ? "train.bin" : "test.bin"; }

    // True when `dir` holds both splits' files as regular files of a non-empty whole
    // number of 3074-byte records. The file names alone tell this folder from a
    // CIFAR-10 one; the sizes refuse CIFAR-10 records (3073 bytes) under these names.
    static bool recognizes(const std::string& dir) {
        for (Split split : {Split::Train, Split::Test}) {
            struct stat st {};
            if (::stat((dir + "/" + file_name(split)).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
            if (st.st_size == 0 || st.st_size % kCifar100RecordBytes != 0) return false;
        }
        return true;
    }

    // The class names of `labels`, from fine_label_names.txt or coarse_label_names.txt in
    // `dir` when it holds exactly 100 (20) non-empty lines of printable ASCII; otherwise
    // the label numbers "0".."99" ("0".."19").
    static std::vector<std::string> class_names(const std::string& dir, Cifar100Labels labels) {
        const int count = cifar100_classes(labels);
        const std::string file = labels == Cifar100Labels::Fine ? "fine_label_names.txt" : "coarse_label_names.txt";
        if (auto names = read_name_lines(dir + "/" + file, std::size_t(count))) return *names;
        std::vector<std::string> numbers;
        for (int i = 0; i < count; ++i) numbers.push_back(std::to_string(i));
        return numbers;
    }

    // Opens and validates the file of `split` in `dir`, to serve `labels`. Throws DataError.
    Cifar100Set(const std::string& dir, Split split, Cifar100Labels labels) : split_(split), labels_(labels) {
        check_data_dir(dir);
        file_ = open_record_file(dir + "/" + file_name(split), kCifar100RecordBytes,
                                 "expected the CIFAR-100 binary version: train.bin and test.bin of cifar-100-binary");
        scan_records(file_, kCifar100RecordBytes,
                     [this](const unsigned char* record, long index) { check_labels(record, index); });
    }

    long records() const override { return file_.records; }
    RecordShape shape() const override { return {3, kSide, kSide}; }
    int classes() const override { return cifar100_classes(labels_); }
    Split split() const override { return split_; }
    Cifar100Labels labels() const { return labels_; }
    std::string record_name(long index) const override { return file_.path + ": record " + std::to_string(index); }
    const std::string& path() const { return file_.path; }

    // Record `index`: its pixel planes and the chosen label. The labels are checked
    // again: the file may have changed since it was validated.
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        if (index < 0 || index >= file_.records) throw DataError(file_.path + ": record index out of range");
        unsigned char record[kCifar100RecordBytes];
        std::string error;
        if (!read_exactly(file_.fd.get(), record, sizeof record, off_t(index) * kCifar100RecordBytes, error))
            throw DataError(file_.path + ": cannot read record " + std::to_string(index) +
                            (error.empty() ? " (file shrank)" : " (" + error + ")"));
        check_labels(record, index);
        label = labels_ == Cifar100Labels::Fine ? record[kFineByte] : record[kCoarseByte];
        std::copy(record + kPixelsAt, record + kCifar100RecordBytes, pixels);
    }

private:
    static constexpr int kCoarseByte = 0, kFineByte = 1, kPixelsAt = 2;
    static constexpr int kSide = 32;

    void check_labels(const unsigned char* record, long index) const {
        if (record[kCoarseByte] >= kCifar100CoarseClasses)
            throw bad_label(index, "coarse", record[kCoarseByte], kCifar100CoarseClasses);
        if (record[kFineByte] >= kCifar100FineClasses)
            throw bad_label(index, "fine", record[kFineByte], kCifar100FineClasses);
    }

    DataError bad_label(long index, const char* kind, unsigned label, int classes) const {
        return DataError(file_.path + ": record " + std::to_string(index) + " has " + kind + " label " +
                         std::to_string(label) + " (expected 0.." + std::to_string(classes - 1) + ")");
    }

    Split split_;
    Cifar100Labels labels_;
    RecordFile file_;
};

}  // namespace statnn::data
