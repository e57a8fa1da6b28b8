// statnn/data/idx.hpp — the idx format of MNIST, Fashion-MNIST and EMNIST: one file
// format behind RecordSource (record_source.hpp).
//
// Files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each plain or gzip-compressed (the name + ".gz"; the plain file
// is read when both are there). An image file is a 16-byte header (magic 0x00000803:
// unsigned bytes, 3 dimensions; then count, rows, cols, all big-endian 32-bit) and count
// grey images of rows x cols bytes, row-major; a label file an 8-byte header (magic
// 0x00000801, count) and one byte per label. A record is one channel plane, {1, rows, cols}.
//
// A .gz cannot be read at an offset, so it is decompressed once, as a stream, into a
// cache file (idx_cache_dir(): one entry per source file, written to a temporary name
// and renamed into place, stamped with the source's path, size and modification time so
// that a changed file is decompressed again); records are then pread from that entry.
//
// Classes: the names in class_names.txt (one per line) when the folder has one; else
// max training label + 1, named as Fashion-MNIST's ten when the folder's name says
// "fashion", else by their numbers (MNIST's digits). Everything is validated when a split
// is opened; each problem is one DataError naming the file and, where it applies, the record.
#pragma once

#if defined(STATNN_HAVE_ZLIB)
#include <zlib.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "statnn/data/file_handle.hpp"
#include "statnn/data/record_source.hpp"

namespace statnn::data {

namespace idx_detail {

inline constexpr std::uint32_t kImageMagic = 0x00000803;
inline constexpr std::uint32_t kLabelMagic = 0x00000801;
inline constexpr std::size_t kImageHeaderBytes = 16;
inline constexpr std::size_t kLabelHeaderBytes = 8;
// Bounds that keep every size in range of the types that carry it (RecordShape's ints,
// a 32-bit size_t on armv7) far above any real image.
inline constexpr std::uint32_t kMaxPixels = 1u << 24;
inline constexpr std::size_t kChunkBytes = 1 << 16;
inline constexpr const char* kNamesFile = "class_names.txt";

enum class Kind { Images, Labels };

inline std::uint32_t big_endian_u32(const unsigned char* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

inline std::string file_name_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

inline std::string errno_text() { return std::strerror(errno); }

// What an idx header says; labels are records of one byte.
struct IdxHeader {
    Kind kind = Kind::Images;
    std::uint32_t count = 0, rows = 1, cols = 1;

    std::size_t header_bytes() const { return kind == Kind::Images ? kImageHeaderBytes : kLabelHeaderBytes; }
    std::uint64_t record_bytes() const { return std::uint64_t(rows) * cols; }
    std::uint64_t total_bytes() const { return header_bytes() + std::uint64_t(count) * record_bytes(); }
    // "60000 images of 28x28: 16 + 47040000 = 47040016 bytes"
    std::string size_text() const {
        const std::string what = kind == Kind::Images ? std::to_string(count) + " images of " + std::to_string(rows) +
                                                            "x" + std::to_string(cols)
                                                      : std::to_string(count) + " labels";
        return what + ": " + std::to_string(header_bytes()) + " + " + std::to_string(total_bytes() - header_bytes()) +
               " = " + std::to_string(total_bytes()) + " bytes";
    }
};

inline std::string hex32(std::uint32_t v) {
    char text[11];
    std::snprintf(text, sizeof text, "0x%08x", unsigned(v));
    return text;
}

// Checks the first 4 bytes read from `path`. Throws DataError.
inline void check_magic(const std::string& path, const unsigned char* bytes, Kind kind) {
    const std::uint32_t want = kind == Kind::Images ? kImageMagic : kLabelMagic;
    const std::uint32_t magic = big_endian_u32(bytes);
    if (magic != want)
        throw DataError(path + ": magic number " + hex32(magic) + ", expected " + hex32(want) + " (an idx file of " +
                        (kind == Kind::Images ? "unsigned-byte images, 3 dimensions)" : "unsigned-byte labels, 1 dimension)"));
}

// Parses header bytes (header_bytes() of them for `kind`) read from `path`. Throws DataError.
inline IdxHeader parse_header(const std::string& path, const unsigned char* bytes, Kind kind) {
    IdxHeader h;
    h.kind = kind;
    check_magic(path, bytes, kind);
    h.count = big_endian_u32(bytes + 4);
    if (kind == Kind::Images) {
        h.rows = big_endian_u32(bytes + 8);
        h.cols = big_endian_u32(bytes + 12);
        if (h.rows == 0 || h.cols == 0 || h.record_bytes() > kMaxPixels)
            throw DataError(path + ": images of " + std::to_string(h.rows) + "x" + std::to_string(h.cols) +
                            " pixels (expected 1 to " + std::to_string(kMaxPixels) + " pixels)");
    }
    if (h.count == 0) throw DataError(path + ": no records (its header says 0)");
    if (h.count > std::uint32_t(LONG_MAX)) throw DataError(path + ": " + std::to_string(h.count) + " records, too many");
    return h;
}

inline DataError size_mismatch(const std::string& path, std::uint64_t actual, const IdxHeader& h, bool decompressed) {
    return DataError(path + ": " + (decompressed ? "decompresses to " : "") + std::to_string(actual) +
                     " bytes, but its header says " + h.size_text() +
                     (actual < h.total_bytes() ? " (truncated?)" : " (trailing bytes?)"));
}

#if defined(STATNN_HAVE_ZLIB)
// A gzip file decompressed as a stream, chunk by chunk (members one after another, as gzip
// writes them when appended to). Errors name the file and zlib's message.
class GzipStream {
public:
    explicit GzipStream(const std::string& path)
        : path_(path), in_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), input_(kChunkBytes) {
        if (in_.get() < 0) throw DataError(path + ": cannot open (" + errno_text() + ")");
        if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw DataError(path + ": cannot start zlib");
    }
    ~GzipStream() { inflateEnd(&z_); }
    GzipStream(const GzipStream&) = delete;
    GzipStream& operator=(const GzipStream&) = delete;

    // Up to `size` (at most kChunkBytes) decompressed bytes into `out`; 0 at the end.
    std::size_t read(unsigned char* out, std::size_t size) {
        z_.next_out = out;
        z_.avail_out = uInt(size);
        while (z_.avail_out > 0 && !finished_) {
            if (z_.avail_in == 0 && !refill()) {
                if (!member_ended_) throw truncated();
                finished_ = true;
                break;
            }
            if (member_ended_) {  // more input after a member: the next member
                inflateReset(&z_);
                member_ended_ = false;
            }
            const int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc == Z_STREAM_END) member_ended_ = true;
            else if (rc != Z_OK)
                throw DataError(path_ + ": corrupt gzip data (" + (z_.msg ? z_.msg : zError(rc)) + ")");
        }
        return size - z_.avail_out;
    }

private:
    bool refill() {
        ssize_t n;
        do n = ::read(in_.get(), input_.data(), input_.size());
        while (n < 0 && errno == EINTR);
        if (n < 0) throw DataError(path_ + ": cannot read (" + errno_text() + ")");
        z_.next_in = input_.data();
        z_.avail_in = uInt(n);
        compressed_ += std::uint64_t(n);
        return n > 0;
    }
    DataError truncated() const {
        if (compressed_ == 0) return DataError(path_ + ": empty file");
        return DataError(path_ + ": truncated gzip data (unexpected end of file after " + std::to_string(compressed_) +
                         " compressed bytes)");
    }

    std::string path_;
    FileHandle in_;
    std::vector<unsigned char> input_;
    z_stream z_{};
    std::uint64_t compressed_ = 0;
    bool member_ended_ = false, finished_ = false;
};
#else
// A build without zlib (CMake found none for the target) reads plain idx files only.
class GzipStream {
public:
    explicit GzipStream(const std::string& path) {
        throw DataError(path + ": a .gz file, but this build of statnn has no zlib; decompress it (gunzip) or rebuild "
                               "with zlib (zlib1g-dev)");
    }
    std::size_t read(unsigned char*, std::size_t) { return 0; }
};
#endif

// The first `size` decompressed bytes (fewer when the data is shorter).
inline std::size_t gzip_prefix(const std::string& path, unsigned char* out, std::size_t size) {
    GzipStream stream(path);
    std::size_t done = 0;
    for (std::size_t n; done < size && (n = stream.read(out + done, size - done)) > 0;) done += n;
    return done;
}

inline bool is_gzip_path(const std::string& path) {
    return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

// The header of an idx file, plain or .gz (a .gz is decompressed only as far as its header).
inline IdxHeader read_header(const std::string& path, Kind kind) {
    unsigned char bytes[kImageHeaderBytes];
    const std::size_t want = kind == Kind::Images ? kImageHeaderBytes : kLabelHeaderBytes;
    std::size_t got = 0;
    if (is_gzip_path(path)) {
        got = gzip_prefix(path, bytes, want);
    } else {
        FileHandle fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) throw DataError(path + ": cannot open (" + errno_text() + ")");
        const ssize_t n = ::pread(fd.get(), bytes, want, 0);
        if (n < 0) throw DataError(path + ": cannot read (" + errno_text() + ")");
        got = std::size_t(n);
    }
    if (got >= 4) check_magic(path, bytes, kind);  // a file of the other kind says so, however short
    if (got < want)
        throw DataError(path + ": " + (is_gzip_path(path) ? "decompresses to " : "") + std::to_string(got) +
                        " bytes, too short for an idx header (" + std::to_string(want) + " bytes)");
    return parse_header(path, bytes, kind);
}

// Where decompressed .gz files are kept: $STATNN_CACHE_DIR, else $XDG_CACHE_HOME/statnn,
// else ~/.cache/statnn.
inline std::string idx_cache_dir() {
    const auto set = [](const char* name) {
        const char* v = std::getenv(name);
        return v && *v ? std::optional<std::string>(v) : std::nullopt;
    };
    if (auto dir = set("STATNN_CACHE_DIR")) return *dir;
    if (auto xdg = set("XDG_CACHE_HOME")) return *xdg + "/statnn";
    if (auto home = set("HOME")) return *home + "/.cache/statnn";
    throw DataError("no folder for decompressed .gz files: set STATNN_CACHE_DIR (or HOME)");
}

// Creates `dir` and its missing parents.
inline void make_folders(const std::string& dir) {
    for (std::size_t end = 1; end != std::string::npos;) {
        end = dir.find('/', end + 1);
        const std::string part = dir.substr(0, end);
        if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            throw DataError(part + ": cannot create the folder for decompressed .gz files (" + errno_text() +
                            "); set STATNN_CACHE_DIR to a writable folder");
    }
}

inline std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return h;
}

// The first line of a cache entry: what it was decompressed from. An entry whose stamp
// differs is stale and is written again.
inline std::string cache_stamp(const std::string& source, const struct stat& st) {
    return "statnn idx cache 1: " + source + ", " + std::to_string(st.st_size) + " bytes, modified " +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "\n";
}

inline bool entry_matches(int fd, const std::string& stamp, std::uint64_t data_bytes) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || std::uint64_t(st.st_size) != stamp.size() + data_bytes) return false;
    std::string found(stamp.size(), '\0');
    std::string error;
    return read_exactly(fd, found.data(), found.size(), 0, error) && found == stamp;
}

inline void write_all(int fd, const void* data, std::size_t size, const std::string& entry) {
    for (const char* p = static_cast<const char*>(data); size > 0;) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw DataError(entry + ": cannot write the decompressed data (" + errno_text() + ")");
        p += n;
        size -= std::size_t(n);
    }
}

// A file being written under a temporary name: removed unless it was renamed into place.
struct PendingEntry {
    std::string path;
    FileHandle fd;
    bool placed = false;
    ~PendingEntry() {
        if (!placed && !path.empty()) ::unlink(path.c_str());
    }
};

// Decompresses `source` into the cache entry `entry` (after `stamp`), checking its size
// against `header` as it goes, and returns the open entry.
inline FileHandle decompress_into_cache(const std::string& source, const std::string& entry, const std::string& stamp,
                                       const IdxHeader& header) {
    PendingEntry pending;
    std::vector<char> name(entry.begin(), entry.end());
    const std::string suffix = ".tmp.XXXXXX";
    name.insert(name.end(), suffix.begin(), suffix.end());
    name.push_back('\0');
    pending.fd = FileHandle(::mkostemp(name.data(), O_CLOEXEC));
    if (pending.fd.get() < 0) throw DataError(entry + ": cannot create (" + errno_text() + ")");
    pending.path = name.data();
    ::fchmod(pending.fd.get(), 0644);  // mkostemp makes it private; a shared cache folder should not be
    write_all(pending.fd.get(), stamp.data(), stamp.size(), entry);
    GzipStream stream(source);
    std::vector<unsigned char> chunk(kChunkBytes);
    std::uint64_t total = 0;
    for (std::size_t n; (n = stream.read(chunk.data(), chunk.size())) > 0;) {
        total += n;
        if (total > header.total_bytes()) throw size_mismatch(source, total, header, true);
        write_all(pending.fd.get(), chunk.data(), n, entry);
    }
    if (total != header.total_bytes()) throw size_mismatch(source, total, header, true);
    // Flushed before the rename: after a crash the entry is whole or absent.
    if (::fsync(pending.fd.get()) != 0 || ::rename(pending.path.c_str(), entry.c_str()) != 0)
        throw DataError(entry + ": cannot store the decompressed data (" + errno_text() + ")");
    pending.placed = true;
    return std::move(pending.fd);
}

// An idx file ready for pread: the plain file, or the cache entry of a .gz.
struct IdxFile {
    std::string path;  // the file as found in the folder
    FileHandle fd;
    off_t data_start = 0;  // where the idx bytes start in fd (after a cache entry's stamp)
    IdxHeader header;

    off_t record_offset(long index) const {
        return data_start + off_t(header.header_bytes()) + off_t(index) * off_t(header.record_bytes());
    }
};

inline IdxFile open_plain(const std::string& path, Kind kind) {
    IdxFile f;
    f.path = path;
    f.header = read_header(path, kind);
    f.fd = FileHandle(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (f.fd.get() < 0 || ::fstat(f.fd.get(), &st) != 0) throw DataError(path + ": cannot open (" + errno_text() + ")");
    if (std::uint64_t(st.st_size) != f.header.total_bytes()) throw size_mismatch(path, std::uint64_t(st.st_size), f.header, false);
    return f;
}

inline IdxFile open_gzip(const std::string& path, Kind kind) {
    IdxFile f;
    f.path = path;
    f.header = read_header(path, kind);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw DataError(path + ": cannot access (" + errno_text() + ")");
    std::unique_ptr<char, void (*)(void*)> real(::realpath(path.c_str(), nullptr), &std::free);
    const std::string source = real ? real.get() : path;
    const std::string stamp = cache_stamp(source, st);
    const std::string dir = idx_cache_dir();
    make_folders(dir);
    char key[17];
    std::snprintf(key, sizeof key, "%016llx", static_cast<unsigned long long>(fnv1a(source)));
    const std::string entry = dir + "/" + key + "-" + file_name_of(path.substr(0, path.size() - 3));
    f.fd = FileHandle(::open(entry.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd.get() < 0 || !entry_matches(f.fd.get(), stamp, f.header.total_bytes()))
        f.fd = decompress_into_cache(path, entry, stamp, f.header);
    f.data_start = off_t(stamp.size());
    return f;
}

inline bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// `dir`/`name`, or `dir`/`name`.gz when only that is there. Throws DataError when neither is.
inline std::string find_file(const std::string& dir, const std::string& name) {
    const std::string plain = dir + "/" + name;
    if (exists(plain)) return plain;
    if (exists(plain + ".gz")) return plain + ".gz";
    throw DataError(plain + ": missing (expected " + name + " or " + name +
                    ".gz: the idx files of MNIST, Fashion-MNIST or EMNIST)");
}

inline IdxFile open_file(const std::string& dir, const std::string& name, Kind kind) {
    const std::string path = find_file(dir, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw DataError(path + ": cannot access (" + errno_text() + ")");
    if (!S_ISREG(st.st_mode)) throw DataError(path + ": not a regular file");
    return is_gzip_path(path) ? open_gzip(path, kind) : open_plain(path, kind);
}

inline std::vector<unsigned char> read_labels(const IdxFile& f) {
    std::vector<unsigned char> labels(f.header.count);
    std::string error;
    if (!read_exactly(f.fd.get(), labels.data(), labels.size(), f.record_offset(0), error))
        throw DataError(f.path + ": cannot read its labels (" + (error.empty() ? "file shrank" : error) + ")");
    return labels;
}

// The lines of `path`, without line ends; nothing when it cannot be opened.
inline std::optional<std::vector<std::string>> text_lines(const std::string& path) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!f) return std::nullopt;
    std::vector<std::string> lines(1);
    for (int c; (c = std::fgetc(f.get())) != EOF;) {
        if (c == '\n') lines.emplace_back();
        else if (c != '\r') lines.back() += char(c);
    }
    return lines;
}

// The names in class_names.txt in `dir`, or nothing when there is none. Throws DataError
// when it is there but not one printable name per line (blank lines at its end are fine).
inline std::optional<std::vector<std::string>> names_from_file(const std::string& dir) {
    const std::string path = dir + "/" + kNamesFile;
    auto names = text_lines(path);
    if (!names) return std::nullopt;
    for (auto& name : *names)
        while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!names->empty() && names->back().empty()) names->pop_back();
    if (names->empty()) throw DataError(path + ": no class names");
    for (std::size_t line = 0; line < names->size(); ++line) {
        const std::string& name = (*names)[line];
        const bool printable = std::all_of(name.begin(), name.end(), [](char c) { return c >= 32 && c < 127; });
        if (name.empty() || !printable || name.size() > 200)
            throw DataError(path + ": line " + std::to_string(line + 1) +
                            " is not a class name (one printable name of up to 200 characters per line)");
    }
    return names;
}

inline const char* images_name(Split split) {
    return split == Split::Train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte";
}
inline const char* labels_name(Split split) {
    return split == Split::Train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte";
}

// The class count and what it comes from, for messages.
struct ClassCount {
    int classes = 0;
    std::string source;  // "class_names.txt names 10 classes" or "train-labels-idx1-ubyte has only labels"
};

inline ClassCount count_from_labels(const std::string& path, const std::vector<unsigned char>& labels) {
    const int classes = int(*std::max_element(labels.begin(), labels.end())) + 1;
    return {classes, file_name_of(path) + " has only labels"};
}

inline void check_labels(const std::string& path, const std::vector<unsigned char>& labels, const ClassCount& count) {
    for (std::size_t r = 0; r < labels.size(); ++r)
        if (labels[r] >= count.classes)
            throw DataError(path + ": record " + std::to_string(r) + " has label " + std::to_string(labels[r]) + ", but " +
                            count.source + " 0.." + std::to_string(count.classes - 1));
}

// The folder's own name, lower case ("fashion-mnist" for /usr/share/datasets/fashion-mnist/).
inline std::string folder_name(const std::string& dir) {
    std::unique_ptr<char, void (*)(void*)> real(::realpath(dir.c_str(), nullptr), &std::free);
    std::string path = real ? real.get() : dir;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    std::string name = file_name_of(path);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

inline const std::vector<std::string>& fashion_mnist_names() {
    static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

}  // namespace idx_detail

// The validated files of one split of an idx dataset.
class IdxSet final : public RecordSource {
public:
    // True when `dir` holds the four files (each plain or .gz).
    static bool recognizes(const std::string& dir) {
        for (Split split : {Split::Train, Split::Test})
            for (const char* name : {idx_detail::images_name(split), idx_detail::labels_name(split)})
                if (!idx_detail::exists(dir + "/" + name) && !idx_detail::exists(dir + "/" + name + ".gz")) return false;
        return true;
    }

    // The class names, in label order: class_names.txt, else Fashion-MNIST's when the
    // folder's name says "fashion" and there are ten classes, else the labels' numbers.
    static std::vector<std::string> class_names(const std::string& dir) {
        if (auto names = idx_detail::names_from_file(dir)) return *names;
        const auto train = idx_detail::open_file(dir, idx_detail::labels_name(Split::Train), idx_detail::Kind::Labels);
        const int classes = idx_detail::count_from_labels(train.path, idx_detail::read_labels(train)).classes;
        if (classes == 10 && idx_detail::folder_name(dir).find("fashion") != std::string::npos)
            return idx_detail::fashion_mnist_names();
        std::vector<std::string> names;
        for (int c = 0; c < classes; ++c) names.push_back(std::to_string(c));
        return names;
    }

    // Opens and validates the files of `split` in `dir` (the test split against the
    // training split's image size and labels). Throws DataError.
    IdxSet(const std::string& dir, Split split) : split_(split) {
        using namespace idx_detail;
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0)
            throw DataError(dir + (errno == ENOENT ? std::string(": no such directory (see --data)")
                                                   : ": cannot access (" + errno_text() + ")"));
        if (!S_ISDIR(st.st_mode)) throw DataError(dir + ": not a directory (see --data)");
        images_ = open_file(dir, images_name(split), Kind::Images);
        const IdxFile labels = open_file(dir, labels_name(split), Kind::Labels);
        if (labels.header.count != images_.header.count)
            throw DataError(labels.path + ": " + std::to_string(labels.header.count) + " labels, but " +
                            file_name_of(images_.path) + " has " + std::to_string(images_.header.count) + " images");
        labels_ = read_labels(labels);
        if (split == Split::Test) check_same_size_as_training(dir);
        const ClassCount count = class_count(dir, split, labels.path);
        check_labels(labels.path, labels_, count);
        classes_ = count.classes;
    }

    long records() const override { return long(images_.header.count); }
    RecordShape shape() const override { return {1, int(images_.header.rows), int(images_.header.cols)}; }
    int classes() const override { return classes_; }
    Split split() const override { return split_; }
    std::string record_name(long index) const override { return images_.path + ": record " + std::to_string(index); }
    // The file the images come from, as found in the folder (plain or .gz).
    const std::string& images_path() const { return images_.path; }

    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        if (index < 0 || index >= records()) throw DataError(images_.path + ": record index out of range");
        std::string error;
        if (!read_exactly(images_.fd.get(), pixels, std::size_t(images_.header.record_bytes()),
                          images_.record_offset(index), error))
            throw DataError(images_.path + ": cannot read record " + std::to_string(index) +
                            (error.empty() ? " (file shrank)" : " (" + error + ")"));
        label = labels_[std::size_t(index)];
    }

private:
    void check_same_size_as_training(const std::string& dir) const {
        using namespace idx_detail;
        const std::string train = find_file(dir, images_name(Split::Train));
        const IdxHeader t = read_header(train, Kind::Images);
        if (t.rows != images_.header.rows || t.cols != images_.header.cols)
            throw DataError(images_.path + ": images of " + std::to_string(images_.header.rows) + "x" +
                            std::to_string(images_.header.cols) + ", but " + file_name_of(train) + " has images of " +
                            std::to_string(t.rows) + "x" + std::to_string(t.cols));
    }

    // From class_names.txt, else from the training labels (this split's own, or read again).
    idx_detail::ClassCount class_count(const std::string& dir, Split split, const std::string& labels_path) const {
        using namespace idx_detail;
        if (auto names = names_from_file(dir))
            return {int(names->size()), std::string(kNamesFile) + " names " + std::to_string(names->size()) + " classes,"};
        if (split == Split::Train) return count_from_labels(labels_path, labels_);
        const IdxFile train = open_file(dir, labels_name(Split::Train), Kind::Labels);
        return count_from_labels(train.path, read_labels(train));
    }

    Split split_;
    idx_detail::IdxFile images_;
    std::vector<unsigned char> labels_;  // validated at open: one byte per record
    int classes_ = 0;
};

}  // namespace statnn::data
