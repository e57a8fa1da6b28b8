// statnn/data/record_source.hpp — one split of a dataset, read record by record.
//
// A file format (cifar10.hpp, ...) opens and validates its files once and then serves
// any record by index: its pixels as channel planes of bytes (c, y, x), as CIFAR-10
// stores them, and its label. The batch reader (batch_reader.hpp) streams batches from
// any RecordSource; nothing downstream of it knows which format the data came in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace statnn::data {

// A problem with the data: the message names the file and the problem.
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Split { Train, Test };

// The geometry of one record's image.
struct RecordShape {
    int channels = 0, height = 0, width = 0;
    std::size_t pixels() const { return std::size_t(height) * std::size_t(width); }
    std::size_t bytes() const { return pixels() * std::size_t(channels); }
    friend bool operator==(const RecordShape& a, const RecordShape& b) {
        return a.channels == b.channels && a.height == b.height && a.width == b.width;
    }
    friend bool operator!=(const RecordShape& a, const RecordShape& b) { return !(a == b); }
};

// "32x32x3" (height x width x channels).
inline std::string shape_text(const RecordShape& s) {
    return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.channels);
}

// The validated records of one split. Reads are safe from any thread at once.
class RecordSource {
public:
    virtual ~RecordSource() = default;
    virtual long records() const = 0;
    virtual RecordShape shape() const = 0;
    // Labels are 0..classes() - 1; a format checks them before serving a record.
    virtual int classes() const = 0;
    // Training records may be augmented; test records are what a model is measured on.
    virtual Split split() const = 0;
    // Record `index` (file order): shape().bytes() pixel bytes as channel planes, and
    // its label. Throws DataError when the files cannot be read.
    virtual void read(long index, unsigned char* pixels, std::int32_t& label) const = 0;
    // Where record `index` lives, for messages: "<file>: record <n>".
    virtual std::string record_name(long index) const = 0;
};

}  // namespace statnn::data
