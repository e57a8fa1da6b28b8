// statnn/data/cifar10.hpp — the CIFAR-10 binary version: one file format behind
// RecordSource (record_source.hpp).
//
// Files: data_batch_1..5.bin (training) and test_batch.bin, each a sequence of 3073-byte
// records: one label byte (0..9), then 1024 red, 1024 green and 1024 blue bytes
// (32x32, row-major). The set is validated when opened: every file present, a regular
// readable file, a non-empty whole number of records, every label in 0..9, and all files
// the same number of records, as CIFAR-10 ships them.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "statnn/data/file_handle.hpp"
#include "statnn/data/image_bytes.hpp"
#include "statnn/data/record_files.hpp"
#include "statnn/data/record_source.hpp"
#include "statnn/hints.hpp"

namespace statnn::data {

inline constexpr int kImageBytes = 3072;
inline constexpr int kRecordBytes = 3073;
inline constexpr int kClasses = 10;
inline constexpr int kPixels = 1024;
inline constexpr int kSide = 32;

// One CIFAR-10 record's pixels (R, G, B planes) to float / 255, channels-last (y, x, c).
inline void record_to_float(const unsigned char* pixels, float* out) { planes_to_float(pixels, out, kPixels, 3); }

using BatchFile = RecordFile;

// The validated files of one split.
class Cifar10Set final : public RecordSource {
public:
    static std::vector<std::string> file_names(Split split) {
        if (split == Split::Test) return {"test_batch.bin"};
        return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
    }

    // True when `dir` holds the files of both splits (what a folder of this format looks like).
    static bool recognizes(const std::string& dir) {
        struct stat st {};
        for (Split split : {Split::Train, Split::Test})
            for (const auto& name : file_names(split))
                if (::stat((dir + "/" + name).c_str(), &st) != 0) return false;
        return true;
    }

    // Opens and validates the files of `split` in `dir`. Throws DataError.
    Cifar10Set(const std::string& dir, Split split) : split_(split) {
        check_data_dir(dir);
        for (const auto& name : file_names(split)) files_.push_back(open_file(dir + "/" + name));
        for (const auto& f : files_) records_ += f.records;
    }

    // All files of a CIFAR-10 set hold the same number of records; a file that differs
    // is truncated or from another dataset.
    static void check_same_size(const Cifar10Set& reference, const Cifar10Set& other) {
        const BatchFile& r = reference.files_.front();
        for (const auto& f : other.files_)
            if (f.records != r.records)
                throw DataError(f.path + ": " + std::to_string(f.records) + " records, but " + r.path + " has " +
                                std::to_string(r.records) + "; the files of a CIFAR-10 set all hold the same number");
    }

    long records() const override { return records_; }
    RecordShape shape() const override { return {3, kSide, kSide}; }
    int classes() const override { return kClasses; }
    Split split() const override { return split_; }
    const std::vector<BatchFile>& files() const { return files_; }

    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        unsigned char record[kRecordBytes];
        read_record(index, record);
        label = record[0];
        std::copy(record + 1, record + kRecordBytes, pixels);
    }

    std::string record_name(long index) const override {
        for (const auto& f : files_) {
            if (index < f.records) return f.path + ": record " + std::to_string(index);
            index -= f.records;
        }
        return "record index out of range";
    }

    // Reads record `index` (file order) into `record` (3073 bytes). Throws DataError.
    void read_record(long index, unsigned char* record) const {
        for (const auto& f : files_) {
            if (index < f.records) {
                std::string error;
                if (!read_exactly(f.fd.get(), record, kRecordBytes, off_t(index) * kRecordBytes, error))
                    throw DataError(f.path + ": cannot read record " + std::to_string(index) +
                                    (error.empty() ? " (file shrank)" : " (" + error + ")"));
                if (record[0] >= kClasses) throw bad_label(f.path, index, record[0]);
                return;
            }
            index -= f.records;
        }
        throw DataError("record index out of range");
    }

private:
    static DataError bad_label(const std::string& path, long record, unsigned label) {
        return DataError(path + ": record " + std::to_string(record) + " has label " + std::to_string(label) +
                         " (expected 0..9)");
    }

    static BatchFile open_file(const std::string& path) {
        BatchFile f = open_record_file(path, kRecordBytes, std::string("expected the CIFAR-10 binary version; ") + hints::kGetCifar10);
        check_labels(f);
        return f;
    }

    // Scans every label once, in chunks of whole records.
    static void check_labels(const BatchFile& f) {
        scan_records(f, kRecordBytes, [&f](const unsigned char* record, long index) {
            if (record[0] >= kClasses) throw bad_label(f.path, index, record[0]);
        });
    }

    Split split_;
    std::vector<BatchFile> files_;
    long records_ = 0;
};

// The ten CIFAR-10 class names, in label order.
inline const std::vector<std::string>& cifar10_class_names() {
    static const std::vector<std::string> names = {"airplane", "automobile", "bird", "cat", "deer",
                                                   "dog",      "frog",       "horse", "ship", "truck"};
    return names;
}

// Class names from batches.meta.txt when it is there and sane, else CIFAR-10's.
inline std::vector<std::string> class_names(const std::string& dir) {
    return read_name_lines(dir + "/batches.meta.txt", std::size_t(kClasses)).value_or(cifar10_class_names());
}

}  // namespace statnn::data
