// statnn/data/statnn_records.hpp — statnn's own record files: images of any shape and
// any class count, with the class names inside. One file format behind RecordSource
// (record_source.hpp); `<binary> import` writes it from a folder of images.
//
// Files: train.statnn and test.statnn in the dataset folder, one per split. A file is a
// header, then fixed-size records. All numbers are little-endian, unsigned:
//
//   offset  bytes  field
//   0       8      magic "STATNNRC"
//   8       4      format version (1)
//   12      4      height
//   16      4      width
//   20      4      channels
//   24      4      classes
//   28      8      records
//   36      ...    the class names in label order, each a length byte (1..255) and that
//                  many bytes of printable ASCII
//   then    records x (4 + channels x height x width) bytes: each record its label (32
//                  bits, below classes), then its pixels as channel planes (c, y, x),
//                  one byte each: what RecordSource::read serves.
//
// A file is validated when opened: magic, version, 1 to 2^24 pixel bytes a record, 1 to
// 65,536 classes, names non-empty and printable, at least one record, the file's size
// exactly the header's plus records x record size, and every label below the class
// count. The test split must agree with the training split on shape and class names.
// Every problem is one DataError naming the file and, for a record, "<file>: record <n>".
#pragma once

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "statnn/data/file_handle.hpp"
#include "statnn/data/record_source.hpp"
#include "statnn/io/atomic_file.hpp"

namespace statnn::data {

namespace statnn_records_detail {

inline constexpr char kMagic[8] = {'S', 'T', 'A', 'T', 'N', 'N', 'R', 'C'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kFixedHeaderBytes = 36;
inline constexpr std::size_t kLabelBytes = 4;
// Bounds that keep every size in range of the types that carry it (RecordShape's ints, a
// 32-bit size_t) far above any real dataset.
inline constexpr std::uint64_t kMaxPixelBytes = 1u << 24;
inline constexpr std::uint32_t kMaxClasses = 1u << 16;
inline constexpr std::size_t kMaxNameBytes = 255;
// The label scan at open reads whole records about this many bytes at a time.
inline constexpr std::size_t kScanChunkBytes = 1u << 20;

inline std::uint32_t get_u32(const unsigned char* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

inline std::uint64_t get_u64(const unsigned char* p) { return get_u32(p) | std::uint64_t(get_u32(p + 4)) << 32; }

inline void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 0; shift < 32; shift += 8) out.push_back(char((v >> shift) & 0xff));
}

inline void put_u64(std::string& out, std::uint64_t v) {
    put_u32(out, std::uint32_t(v));
    put_u32(out, std::uint32_t(v >> 32));
}

inline std::string errno_text() { return std::strerror(errno); }

}  // namespace statnn_records_detail

// Why `name` cannot be a class name, or nothing when it can: 1 to 255 bytes of printable
// ASCII (what every report can show as it is).
inline std::optional<std::string> class_name_problem(const std::string& name) {
    if (name.empty()) return "is empty";
    if (name.size() > statnn_records_detail::kMaxNameBytes)
        return "is " + std::to_string(name.size()) + " bytes long (at most 255)";
    if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= 32 && c < 127; }))
        return "is not printable ASCII";
    return std::nullopt;
}

// What the header of a statnn records file says.
struct StatnnHeader {
    RecordShape shape;
    std::vector<std::string> class_names;  // in label order; their number is the class count
    std::uint64_t records = 0;

    int classes() const { return int(class_names.size()); }
    std::uint64_t header_bytes() const {
        std::uint64_t bytes = statnn_records_detail::kFixedHeaderBytes;
        for (const auto& name : class_names) bytes += 1 + name.size();
        return bytes;
    }
    std::uint64_t record_bytes() const { return statnn_records_detail::kLabelBytes + shape.bytes(); }

    // The header's bytes, as a file starts.
    std::string encode() const {
        using namespace statnn_records_detail;
        std::string out(kMagic, sizeof kMagic);
        for (int v : {int(kVersion), shape.height, shape.width, shape.channels, classes()}) put_u32(out, std::uint32_t(v));
        put_u64(out, records);
        for (const auto& name : class_names) {
            out.push_back(char(name.size()));
            out += name;
        }
        return out;
    }
};

namespace statnn_records_detail {

// Why `h`'s shape, class count or record count cannot be, or nothing.
inline std::optional<std::string> header_problem(const StatnnHeader& h) {
    const std::uint64_t pixel_bytes =
        std::uint64_t(std::max(h.shape.height, 0)) * std::uint64_t(std::max(h.shape.width, 0)) *
        std::uint64_t(std::max(h.shape.channels, 0));
    if (h.shape.height < 1 || h.shape.width < 1 || h.shape.channels < 1 || pixel_bytes > kMaxPixelBytes)
        return "images of " + shape_text(h.shape) + " (height x width x channels; expected 1 to " +
               std::to_string(kMaxPixelBytes) + " bytes of pixels)";
    if (h.class_names.empty() || h.class_names.size() > kMaxClasses)
        return std::to_string(h.class_names.size()) + " classes (expected 1 to " + std::to_string(kMaxClasses) + ")";
    if (h.records == 0) return std::string("no records (its header says 0)");
    if (h.records > std::uint64_t(LONG_MAX) / h.record_bytes())
        return std::to_string(h.records) + " records, too many";
    for (std::size_t c = 0; c < h.class_names.size(); ++c)
        if (auto problem = class_name_problem(h.class_names[c]))
            return "the name of class " + std::to_string(c) + " " + *problem;
    return std::nullopt;
}

// Reads exactly `size` bytes at `offset` of `path`, or throws DataError saying what was being read.
inline void read_or_throw(const std::string& path, int fd, void* out, std::size_t size, off_t offset, const char* what) {
    std::string error;
    if (!read_exactly(fd, out, size, offset, error))
        throw DataError(path + ": cannot read " + what + " (" + (error.empty() ? "unexpected end of file" : error) + ")");
}

// The fixed part of the header: everything but the class names, whose count it sets.
inline StatnnHeader parse_fixed_header(const std::string& path, const unsigned char* bytes) {
    if (std::memcmp(bytes, kMagic, sizeof kMagic) != 0)
        throw DataError(path + ": not a statnn records file (its first 8 bytes are not \"STATNNRC\")");
    const std::uint32_t version = get_u32(bytes + 8);
    if (version != kVersion)
        throw DataError(path + ": format version " + std::to_string(version) + ", but this build reads version " +
                        std::to_string(kVersion));
    StatnnHeader h;
    const std::uint32_t height = get_u32(bytes + 12), width = get_u32(bytes + 16), channels = get_u32(bytes + 20);
    const std::uint32_t classes = get_u32(bytes + 24);
    h.records = get_u64(bytes + 28);
    // Out-of-range sizes become 0 here and are refused with the others below.
    const auto fit = [](std::uint32_t v) { return v > kMaxPixelBytes ? 0 : int(v); };
    h.shape = {fit(channels), fit(height), fit(width)};
    if (h.shape.height == 0 || h.shape.width == 0 || h.shape.channels == 0)
        throw DataError(path + ": images of " + std::to_string(height) + "x" + std::to_string(width) + "x" +
                        std::to_string(channels) + " (height x width x channels; expected 1 to " +
                        std::to_string(kMaxPixelBytes) + " bytes of pixels)");
    if (classes == 0 || classes > kMaxClasses)
        throw DataError(path + ": " + std::to_string(classes) + " classes (expected 1 to " + std::to_string(kMaxClasses) + ")");
    h.class_names.resize(classes);
    return h;
}

// The class names after the fixed header, `classes` of them; `file_bytes` bounds the read.
inline void read_class_names(const std::string& path, int fd, std::uint64_t file_bytes, StatnnHeader& h) {
    const std::uint64_t most = std::uint64_t(h.class_names.size()) * (1 + kMaxNameBytes);
    const std::uint64_t available = file_bytes - kFixedHeaderBytes;
    std::vector<unsigned char> bytes(std::size_t(std::min(most, available)));
    read_or_throw(path, fd, bytes.data(), bytes.size(), off_t(kFixedHeaderBytes), "the class names");
    std::size_t at = 0;
    for (std::size_t c = 0; c < h.class_names.size(); ++c) {
        const std::size_t length = at < bytes.size() ? bytes[at] : 0;
        if (at + 1 + length > bytes.size())
            throw DataError(path + ": the header ends inside the name of class " + std::to_string(c) + " (truncated?)");
        h.class_names[c].assign(reinterpret_cast<const char*>(bytes.data() + at + 1), length);
        if (auto problem = class_name_problem(h.class_names[c]))
            throw DataError(path + ": the name of class " + std::to_string(c) + " " + *problem);
        at += 1 + length;
    }
}

// Reads and validates the header of `path`, open as `fd` and `file_bytes` long, and
// checks the file's size against it. Throws DataError.
inline StatnnHeader read_header(const std::string& path, int fd, std::uint64_t file_bytes) {
    if (file_bytes < kFixedHeaderBytes)
        throw DataError(path + ": " + std::to_string(file_bytes) + " bytes, too short for a statnn records header (" +
                        std::to_string(kFixedHeaderBytes) + " bytes and the class names)");
    unsigned char fixed[kFixedHeaderBytes];
    read_or_throw(path, fd, fixed, sizeof fixed, 0, "its header");
    StatnnHeader h = parse_fixed_header(path, fixed);
    read_class_names(path, fd, file_bytes, h);
    if (auto problem = header_problem(h)) throw DataError(path + ": " + *problem);
    const std::uint64_t expected = h.header_bytes() + h.records * h.record_bytes();
    if (file_bytes != expected)
        throw DataError(path + ": " + std::to_string(file_bytes) + " bytes, but its header says " +
                        std::to_string(h.header_bytes()) + " + " + std::to_string(h.records) + " records of " +
                        std::to_string(h.record_bytes()) + " bytes = " + std::to_string(expected) + " bytes" +
                        (file_bytes < expected ? " (truncated?)" : " (trailing bytes?)"));
    return h;
}

// `path` opened for reading: a regular file, with its size. Throws DataError.
inline FileHandle open_file(const std::string& path, std::uint64_t& file_bytes) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            throw DataError(path + ": missing (expected train.statnn and test.statnn, as `<binary> import` writes them)");
        throw DataError(path + ": cannot access (" + errno_text() + ")");
    }
    if (S_ISDIR(st.st_mode)) throw DataError(path + ": is a directory, expected a file");
    if (!S_ISREG(st.st_mode)) throw DataError(path + ": not a regular file");
    FileHandle fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) throw DataError(path + ": cannot open (" + errno_text() + ")");
    file_bytes = std::uint64_t(st.st_size);
    return fd;
}

}  // namespace statnn_records_detail

// The validated header of the statnn records file `path`. Throws DataError.
inline StatnnHeader read_statnn_header(const std::string& path) {
    std::uint64_t file_bytes = 0;
    const FileHandle fd = statnn_records_detail::open_file(path, file_bytes);
    return statnn_records_detail::read_header(path, fd.get(), file_bytes);
}

// The validated file of one split.
class StatnnRecordSet final : public RecordSource {
public:
    static std::string file_name(Split split) { return split == Split::Train ? "train.statnn" : "test.statnn"; }

    // True when `dir` holds both splits' files (what a folder of this format looks like).
    static bool recognizes(const std::string& dir) {
        struct stat st {};
        for (Split split : {Split::Train, Split::Test})
            if (::stat((dir + "/" + file_name(split)).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
        return true;
    }

    // The class names, in label order, from the training file's header.
    static std::vector<std::string> class_names(const std::string& dir) {
        return read_statnn_header(dir + "/" + file_name(Split::Train)).class_names;
    }

    // Opens and validates the file of `split` in `dir` (the test split against the
    // training split's header). Throws DataError.
    StatnnRecordSet(const std::string& dir, Split split) : split_(split), path_(dir + "/" + file_name(split)) {
        std::uint64_t file_bytes = 0;
        fd_ = statnn_records_detail::open_file(path_, file_bytes);
        header_ = statnn_records_detail::read_header(path_, fd_.get(), file_bytes);
        if (split == Split::Test) check_same_as_training(dir + "/" + file_name(Split::Train));
        read_labels();
    }

    long records() const override { return long(header_.records); }
    RecordShape shape() const override { return header_.shape; }
    int classes() const override { return header_.classes(); }
    Split split() const override { return split_; }
    std::string record_name(long index) const override { return path_ + ": record " + std::to_string(index); }
    const StatnnHeader& header() const { return header_; }
    const std::string& path() const { return path_; }

    // Record `index`: its pixels from the file, its label as validated at open.
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        if (index < 0 || index >= records()) throw DataError(path_ + ": record index out of range");
        std::string error;
        if (!read_exactly(fd_.get(), pixels, header_.shape.bytes(),
                          record_offset(index) + off_t(statnn_records_detail::kLabelBytes), error))
            throw DataError(record_name(index) + ": cannot read" + (error.empty() ? " (file shrank)" : " (" + error + ")"));
        label = labels_[std::size_t(index)];
    }

private:
    off_t record_offset(long index) const {
        return off_t(header_.header_bytes()) + off_t(index) * off_t(header_.record_bytes());
    }

    // Every label, read once in chunks of whole records and checked against the class count.
    void read_labels() {
        const std::size_t record_bytes = std::size_t(header_.record_bytes());
        const long chunk_records = long(std::max<std::size_t>(1, statnn_records_detail::kScanChunkBytes / record_bytes));
        std::vector<unsigned char> chunk(std::size_t(chunk_records) * record_bytes);
        labels_.resize(std::size_t(records()));
        for (long first = 0; first < records(); first += chunk_records) {
            const long n = std::min(chunk_records, records() - first);
            statnn_records_detail::read_or_throw(path_, fd_.get(), chunk.data(), std::size_t(n) * record_bytes,
                                                 record_offset(first), "its records");
            for (long r = 0; r < n; ++r) {
                const std::uint32_t label = statnn_records_detail::get_u32(chunk.data() + std::size_t(r) * record_bytes);
                if (label >= std::uint32_t(classes()))
                    throw DataError(record_name(first + r) + " has label " + std::to_string(label) + ", but the file has " +
                                    std::to_string(classes()) + " classes (0.." + std::to_string(classes() - 1) + ")");
                labels_[std::size_t(first + r)] = std::int32_t(label);
            }
        }
    }

    // Both splits of a dataset describe the same images and classes.
    void check_same_as_training(const std::string& train_path) const {
        const StatnnHeader train = read_statnn_header(train_path);
        if (train.shape != header_.shape)
            throw DataError(path_ + ": images of " + shape_text(header_.shape) + " (height x width x channels), but " +
                            train_path + " has images of " + shape_text(train.shape));
        if (train.class_names.size() != header_.class_names.size())
            throw DataError(path_ + ": " + std::to_string(classes()) + " classes, but " + train_path + " has " +
                            std::to_string(train.classes()));
        for (std::size_t c = 0; c < train.class_names.size(); ++c)
            if (train.class_names[c] != header_.class_names[c])
                throw DataError(path_ + ": class " + std::to_string(c) + " is named \"" + header_.class_names[c] +
                                "\", but " + train_path + " names it \"" + train.class_names[c] + "\"");
    }

    Split split_;
    std::string path_;
    FileHandle fd_;
    StatnnHeader header_;
    std::vector<std::int32_t> labels_;  // validated at open: one per record
};

// Writes one statnn records file of a header's records, through io::AtomicFile: the file
// is whole once commit() returns, and absent (the old one kept) if anything fails first.
class StatnnRecordWriter {
public:
    // Throws std::invalid_argument for a header no reader would accept, io::IoError when
    // the file cannot be created.
    StatnnRecordWriter(const std::string& path, StatnnHeader header)
        : header_(checked(path, std::move(header))), file_(path), record_(std::size_t(header_.record_bytes())) {
        file_.write(header_.encode());
    }

    // The next record: its label and shape.bytes() pixel bytes as channel planes.
    void write(std::int32_t label, const unsigned char* pixels) {
        if (written_ == header_.records) throw std::logic_error(file_.path() + ": more records than its header says");
        if (label < 0 || label >= header_.classes())
            throw std::invalid_argument(file_.path() + ": label " + std::to_string(label) + " is not a class");
        for (std::size_t b = 0; b < statnn_records_detail::kLabelBytes; ++b)
            record_[b] = static_cast<unsigned char>(std::uint32_t(label) >> (8 * b));
        std::copy(pixels, pixels + header_.shape.bytes(), record_.begin() + statnn_records_detail::kLabelBytes);
        file_.write(record_.data(), record_.size());
        ++written_;
    }

    // Puts the finished file in place; every record must have been written.
    void commit() {
        if (written_ != header_.records)
            throw std::logic_error(file_.path() + ": " + std::to_string(written_) + " records written, but its header says " +
                                   std::to_string(header_.records));
        file_.commit();
    }

    const StatnnHeader& header() const { return header_; }

private:
    static StatnnHeader checked(const std::string& path, StatnnHeader header) {
        if (auto problem = statnn_records_detail::header_problem(header))
            throw std::invalid_argument(path + ": cannot write " + *problem);
        return header;
    }

    StatnnHeader header_;
    io::AtomicFile file_;
    std::vector<unsigned char> record_;
    std::uint64_t written_ = 0;
};

}  // namespace statnn::data
