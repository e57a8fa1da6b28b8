// tests/data/test_idx.cpp — the idx format (MNIST, Fashion-MNIST, EMNIST) on small generated
// files, plain and gzip-compressed: records, shape, labels, pixel bytes, identical records
// from both, the decompression cache, class names, which folders it recognises, reads from
// many threads, batches through the reader, and one DataError naming the file (and the
// record) for every kind of bad input. Then the real Fashion-MNIST when it is installed
// (skipped otherwise).
#include <zlib.h>

#include <atomic>
#include <cstdint>
#include <dirent.h>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "statnn/data/batch_reader.hpp"
#include "statnn/data/idx.hpp"
#include "statnn/shape.hpp"
#include "support/cifar_files.hpp"
#include "support/real_cifar10.hpp"

using namespace statnn;
using namespace statnn::data;
using namespace statnn::test;

namespace {

constexpr int kRows = 4, kCols = 3;
constexpr long kTrainRecords = 12, kTestRecords = 5;

using Bytes = std::vector<unsigned char>;

unsigned char pixel(Split split, long record, int y, int x) {
    return static_cast<unsigned char>((record * 13 + y * 5 + x * 3 + (split == Split::Test ? 101 : 0)) % 256);
}
int label_of(Split split, long record) { return int(split == Split::Train ? record * 3 % 10 : record * 7 % 10); }
long records_of(Split split) { return split == Split::Train ? kTrainRecords : kTestRecords; }
std::string images_file(Split split) { return split == Split::Train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte"; }
std::string labels_file(Split split) { return split == Split::Train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte"; }

void put_u32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

Bytes image_bytes(Split split, std::uint32_t count, std::uint32_t rows = kRows, std::uint32_t cols = kCols,
                  std::uint32_t magic = 0x803) {
    Bytes out;
    put_u32(out, magic);
    for (std::uint32_t v : {count, rows, cols}) put_u32(out, v);
    for (long r = 0; r < long(count); ++r)
        for (int y = 0; y < int(rows); ++y)
            for (int x = 0; x < int(cols); ++x) out.push_back(pixel(split, r, y, x));
    return out;
}

Bytes label_bytes(const std::vector<int>& labels, std::uint32_t magic = 0x801) {
    Bytes out;
    put_u32(out, magic);
    put_u32(out, std::uint32_t(labels.size()));
    for (int l : labels) out.push_back(static_cast<unsigned char>(l));
    return out;
}

std::vector<int> labels_of(Split split) {
    std::vector<int> labels;
    for (long r = 0; r < records_of(split); ++r) labels.push_back(label_of(split, r));
    return labels;
}

void write_plain(const std::string& path, const Bytes& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    // An empty file is written by opening it alone: fwrite's buffer must not be null.
    if (!bytes.empty()) REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
    std::fclose(f);
}

Bytes gzip(const Bytes& bytes) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Bytes out(deflateBound(&z, uLong(bytes.size())));
    z.next_in = const_cast<unsigned char*>(bytes.data());
    z.avail_in = uInt(bytes.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

// Writes `name` in `dir` (gzip-compressed as name.gz when `gz`), replacing either form.
void write_idx(const std::string& dir, const std::string& name, const Bytes& bytes, bool gz) {
    ::unlink((dir + "/" + name).c_str());
    ::unlink((dir + "/" + name + ".gz").c_str());
    if (gz) write_plain(dir + "/" + name + ".gz", gzip(bytes));
    else write_plain(dir + "/" + name, bytes);
}

void write_idx_set(const std::string& dir, bool gz) {
    for (Split split : {Split::Train, Split::Test}) {
        write_idx(dir, images_file(split), image_bytes(split, std::uint32_t(records_of(split))), gz);
        write_idx(dir, labels_file(split), label_bytes(labels_of(split)), gz);
    }
}

// Decompressed files go to a folder of the test's own while it runs.
class CacheDir {
public:
    CacheDir() {
        const char* old = std::getenv("STATNN_CACHE_DIR");
        if (old) old_ = old;
        ::setenv("STATNN_CACHE_DIR", dir_.path().c_str(), 1);
    }
    ~CacheDir() {
        if (old_) ::setenv("STATNN_CACHE_DIR", old_->c_str(), 1);
        else ::unsetenv("STATNN_CACHE_DIR");
    }
    const std::string& path() const { return dir_.path(); }

private:
    TempDir dir_;
    std::optional<std::string> old_;
};

// The message of the DataError `open` throws ("" when it throws none).
std::string data_error(const std::function<void()>& open) {
    try {
        open();
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

std::string open_error(const std::string& dir, Split split) {
    return data_error([&] { IdxSet set(dir, split); });
}

// The cache entry (in `cache`) decompressed from the file `name`.gz, or "".
std::string cache_entry(const std::string& cache, const std::string& name) {
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(cache.c_str()), &::closedir);
    const std::string suffix = "-" + name;
    for (dirent* e; dir && (e = ::readdir(dir.get()));) {
        const std::string file = e->d_name;
        if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
            return cache + "/" + file;
    }
    return "";
}

void check_record(const IdxSet& set, long r) {
    Bytes pixels(set.shape().bytes());
    std::int32_t label = -1;
    set.read(r, pixels.data(), label);
    REQUIRE(label == label_of(set.split(), r));
    for (int y = 0; y < kRows; ++y)
        for (int x = 0; x < kCols; ++x) REQUIRE(pixels[std::size_t(y * kCols + x)] == pixel(set.split(), r, y, x));
}

}  // namespace

TEST_CASE("idx: records, shape, labels and pixel bytes of plain files", "[data]") {
    TempDir dir;
    write_idx_set(dir.path(), false);
    for (Split split : {Split::Train, Split::Test}) {
        const IdxSet set(dir.path(), split);
        CHECK(set.records() == records_of(split));
        CHECK(set.shape() == RecordShape{1, kRows, kCols});
        CHECK(set.classes() == 10);
        CHECK(set.split() == split);
        for (long r = 0; r < set.records(); ++r) check_record(set, r);
    }
}

TEST_CASE("idx: .gz files give the same records as plain ones", "[data]") {
    TempDir plain_dir, gz_dir;
    CacheDir cache;
    write_idx_set(plain_dir.path(), false);
    write_idx_set(gz_dir.path(), true);
    for (Split split : {Split::Train, Split::Test}) {
        const IdxSet plain(plain_dir.path(), split), gz(gz_dir.path(), split);
        REQUIRE(gz.records() == plain.records());
        REQUIRE(gz.shape() == plain.shape());
        REQUIRE(gz.classes() == plain.classes());
        CHECK(gz.images_path() == gz_dir / (images_file(split) + ".gz"));
        Bytes a(plain.shape().bytes()), b(gz.shape().bytes());
        for (long r = 0; r < plain.records(); ++r) {
            std::int32_t la = -1, lb = -2;
            plain.read(r, a.data(), la);
            gz.read(r, b.data(), lb);
            REQUIRE(a == b);
            REQUIRE(la == lb);
        }
    }
}

TEST_CASE("idx: a .gz is decompressed once into the cache, and again when it changes", "[data]") {
    TempDir dir;
    CacheDir cache;
    write_idx_set(dir.path(), true);
    const auto entry_of = [&](const std::string& name) { return cache_entry(cache.path(), name); };
    { IdxSet first(dir.path(), Split::Test); }
    const std::string entry = entry_of(images_file(Split::Test));
    REQUIRE(!entry.empty());
    struct stat before {}, after {};
    REQUIRE(::stat(entry.c_str(), &before) == 0);
    { IdxSet again(dir.path(), Split::Test); }
    REQUIRE(::stat(entry.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);  // reused, not written again

    // New pixels in a file of the same name: the entry is stale and replaced.
    Bytes changed = image_bytes(Split::Test, kTestRecords);
    changed.back() ^= 0xff;
    write_idx(dir.path(), images_file(Split::Test), changed, true);
    const IdxSet set(dir.path(), Split::Test);
    Bytes pixels(set.shape().bytes());
    std::int32_t label = 0;
    set.read(kTestRecords - 1, pixels.data(), label);
    CHECK(pixels.back() == changed.back());
    CHECK(entry_of(images_file(Split::Test)) == entry);  // one entry per source file
}

TEST_CASE("idx: the cache folder is STATNN_CACHE_DIR, else under XDG_CACHE_HOME, else under HOME", "[data]") {
    CacheDir cache;
    CHECK(idx_detail::idx_cache_dir() == cache.path());
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const std::optional<std::string> old_xdg = xdg ? std::optional<std::string>(xdg) : std::nullopt;
    ::setenv("STATNN_CACHE_DIR", "", 1);
    ::setenv("XDG_CACHE_HOME", "/somewhere/cache", 1);
    CHECK(idx_detail::idx_cache_dir() == "/somewhere/cache/statnn");
    ::unsetenv("XDG_CACHE_HOME");
    if (const char* home = std::getenv("HOME"); home && *home)
        CHECK(idx_detail::idx_cache_dir() == std::string(home) + "/.cache/statnn");
    if (old_xdg) ::setenv("XDG_CACHE_HOME", old_xdg->c_str(), 1);
}

TEST_CASE("idx: a folder is recognised by its four files, each plain or .gz", "[data]") {
    TempDir dir;
    CHECK_FALSE(IdxSet::recognizes(dir.path()));
    write_idx_set(dir.path(), false);
    CHECK(IdxSet::recognizes(dir.path()));
    write_idx(dir.path(), labels_file(Split::Test), label_bytes(labels_of(Split::Test)), true);
    CHECK(IdxSet::recognizes(dir.path()));
    ::unlink((dir / (labels_file(Split::Test) + ".gz")).c_str());
    CHECK_FALSE(IdxSet::recognizes(dir.path()));
}

TEST_CASE("idx: class names from class_names.txt, else Fashion-MNIST's for a fashion folder, else numbers", "[data]") {
    TempDir root;
    const std::string digits = root / "mnist", fashion = root / "Fashion-MNIST";
    for (const auto& dir : {digits, fashion}) {
        REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
        write_idx_set(dir, false);
    }
    CHECK(IdxSet::class_names(digits) == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
    CHECK(IdxSet::class_names(fashion) == idx_detail::fashion_mnist_names());
    CHECK(IdxSet::class_names(fashion).at(9) == "Ankle boot");

    // A names file sets the names and the class count (twelve classes, labels 0..9 used).
    {
        std::FILE* f = std::fopen((digits + "/class_names.txt").c_str(), "w");
        for (int c = 0; c < 12; ++c) std::fprintf(f, "class %d\r\n", c);
        std::fprintf(f, "\n");
        std::fclose(f);
    }
    const auto names = IdxSet::class_names(digits);
    REQUIRE(names.size() == 12);
    CHECK(names[11] == "class 11");
    CHECK(IdxSet(digits, Split::Train).classes() == 12);
    CHECK(IdxSet(digits, Split::Test).classes() == 12);
}

TEST_CASE("idx: a class_names.txt with fewer names than the labels need, or a bad line, is refused", "[data]") {
    TempDir dir;
    write_idx_set(dir.path(), false);
    write_plain(dir / "class_names.txt", Bytes{'a', '\n', 'b', '\n'});
    std::string error = open_error(dir.path(), Split::Train);
    CHECK(error == dir / "train-labels-idx1-ubyte" + ": record 1 has label 3, but class_names.txt names 2 classes, 0..1");
    error = open_error(dir.path(), Split::Test);
    CHECK(error == dir / "t10k-labels-idx1-ubyte" + ": record 1 has label 7, but class_names.txt names 2 classes, 0..1");
    write_plain(dir / "class_names.txt", Bytes{'a', '\n', '\n', 'b', '\n'});
    error = data_error([&] { IdxSet::class_names(dir.path()); });
    CHECK(error == dir / "class_names.txt" +
                       ": line 2 is not a class name (one printable name of up to 200 characters per line)");
}

TEST_CASE("idx: reads from many threads at once give every record", "[data]") {
    TempDir dir;
    CacheDir cache;
    write_idx_set(dir.path(), true);
    const IdxSet set(dir.path(), Split::Train);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            Bytes pixels(set.shape().bytes());
            for (int pass = 0; pass < 50; ++pass)
                for (long r = t; r < set.records(); r += 2) {
                    std::int32_t label = -1;
                    set.read(r, pixels.data(), label);
                    if (label != label_of(Split::Train, r) || pixels[5] != pixel(Split::Train, r, 1, 2)) ++wrong;
                }
        });
    for (auto& t : threads) t.join();
    CHECK(wrong == 0);
}

TEST_CASE("idx: batches through the reader, one grey channel as floats", "[data]") {
    TempDir dir;
    write_idx_set(dir.path(), false);
    const IdxSet set(dir.path(), Split::Test);
    using Reader = BatchReader<Shape<1, kRows, kCols>, 4>;
    auto slots = std::make_unique<Reader::Slots>();
    Reader reader(set, *slots, 4, 0, false, 1);
    std::vector<float> images(4 * kRows * kCols);
    std::vector<std::int32_t> labels(4);
    reader.start_epoch(0);
    long seen = 0;
    for (int n; (n = reader.next(images.data(), labels.data())) > 0; seen += n)
        for (int i = 0; i < n; ++i) {
            REQUIRE(labels[std::size_t(i)] == label_of(Split::Test, seen + i));
            REQUIRE(images[std::size_t(i * kRows * kCols + 1 * kCols + 2)] ==
                    float(pixel(Split::Test, seen + i, 1, 2)) / 255.0f);
        }
    CHECK(seen == kTestRecords);
    // A network of another input shape is refused before any batch.
    using Transposed = BatchReader<Shape<1, kCols, kRows>, 4>;
    auto other_slots = std::make_unique<Transposed::Slots>();
    CHECK_THROWS_AS(Transposed(set, *other_slots, 4, 0, false, 1), DataError);
}

namespace {

// One kind of bad input: what is written over a good set, which split is opened, and the
// error expected (after "<dir>/").
struct BadInput {
    const char* what;
    std::function<void(const std::string& dir)> spoil;
    Split split;
    std::string error;
};

Bytes truncated(Bytes bytes, std::size_t keep) {
    bytes.resize(keep);
    return bytes;
}

Bytes with_byte_flipped(Bytes bytes, std::size_t at) {
    bytes.at(at) ^= 0x55;
    return bytes;
}

std::vector<int> test_labels_with(long record, int label) {
    auto labels = labels_of(Split::Test);
    labels.at(std::size_t(record)) = label;
    return labels;
}

std::vector<BadInput> plain_bad_inputs() {
    const std::string ti = images_file(Split::Train), tl = labels_file(Split::Train);
    const std::string vi = images_file(Split::Test), vl = labels_file(Split::Test);
    const auto write = [](std::string name, Bytes bytes) {
        return [=](const std::string& dir) { write_idx(dir, name, bytes, false); };
    };
    const Bytes train_images = image_bytes(Split::Train, kTrainRecords);
    return {
        {"a missing file", [=](const std::string& d) { ::unlink((d + "/" + vl).c_str()); }, Split::Test,
         vl + ": missing (expected " + vl + " or " + vl + ".gz: the idx files of MNIST, Fashion-MNIST or EMNIST)"},
        {"a bad image magic", write(ti, image_bytes(Split::Train, kTrainRecords, kRows, kCols, 0x802)), Split::Train,
         ti + ": magic number 0x00000802, expected 0x00000803 (an idx file of unsigned-byte images, 3 dimensions)"},
        {"labels where images belong", write(vi, label_bytes(labels_of(Split::Test))), Split::Test,
         vi + ": magic number 0x00000801, expected 0x00000803 (an idx file of unsigned-byte images, 3 dimensions)"},
        {"a bad label magic", write(tl, label_bytes(labels_of(Split::Train), 0x08010000)), Split::Train,
         tl + ": magic number 0x08010000, expected 0x00000801 (an idx file of unsigned-byte labels, 1 dimension)"},
        {"images of no rows", write(ti, image_bytes(Split::Train, kTrainRecords, 0, kCols)), Split::Train,
         ti + ": images of 0x3 pixels (expected 1 to 16777216 pixels)"},
        {"test images of another size", write(vi, image_bytes(Split::Test, kTestRecords, kRows + 1, kCols)), Split::Test,
         vi + ": images of 5x3, but " + ti + " has images of 4x3"},
        {"fewer labels than images", write(tl, label_bytes(std::vector<int>(kTrainRecords - 1, 1))), Split::Train,
         tl + ": 11 labels, but " + ti + " has 12 images"},
        {"a truncated image file", write(ti, truncated(train_images, train_images.size() - 1)), Split::Train,
         ti + ": 159 bytes, but its header says 12 images of 4x3: 16 + 144 = 160 bytes (truncated?)"},
        {"a byte too many", write(vl, [] { auto b = label_bytes(labels_of(Split::Test)); b.push_back(0); return b; }()),
         Split::Test, vl + ": 14 bytes, but its header says 5 labels: 8 + 5 = 13 bytes (trailing bytes?)"},
        {"a short header", write(ti, truncated(train_images, 10)), Split::Train,
         ti + ": 10 bytes, too short for an idx header (16 bytes)"},
        {"no records", write(ti, image_bytes(Split::Train, 0)), Split::Train, ti + ": no records (its header says 0)"},
        {"a test label beyond the training labels", write(vl, label_bytes(test_labels_with(3, 12))), Split::Test,
         vl + ": record 3 has label 12, but " + tl + " has only labels 0..9"},
    };
}

std::vector<BadInput> gzip_bad_inputs() {
    const std::string ti = images_file(Split::Train) + ".gz", tl = labels_file(Split::Train) + ".gz";
    const std::string vl = labels_file(Split::Test) + ".gz";
    const auto write_raw = [](std::string name, Bytes bytes) {
        return [=](const std::string& dir) { write_plain(dir + "/" + name, bytes); };
    };
    const Bytes images_gz = gzip(image_bytes(Split::Train, kTrainRecords));
    const Bytes labels = label_bytes(labels_of(Split::Train));
    return {
        {"a truncated .gz", write_raw(ti, truncated(images_gz, images_gz.size() / 2)), Split::Train,
         ti + ": truncated gzip data (unexpected end of file after " + std::to_string(images_gz.size() / 2) +
             " compressed bytes)"},
        {"a .gz whose checksum fails", write_raw(ti, with_byte_flipped(images_gz, images_gz.size() - 8)), Split::Train,
         ti + ": corrupt gzip data (incorrect data check)"},
        {"a .gz that is not gzip", write_raw(tl, labels), Split::Train, tl + ": corrupt gzip data (incorrect header check)"},
        {"an empty .gz", write_raw(tl, Bytes{}), Split::Train, tl + ": empty file"},
        {"a .gz of a truncated file", write_raw(tl, gzip(truncated(labels, labels.size() - 2))), Split::Train,
         tl + ": decompresses to 18 bytes, but its header says 12 labels: 8 + 12 = 20 bytes (truncated?)"},
        {"a .gz with more than its header says", write_raw(tl, gzip([&] { auto b = labels; b.push_back(1); return b; }())),
         Split::Train, tl + ": decompresses to 21 bytes, but its header says 12 labels: 8 + 12 = 20 bytes (trailing bytes?)"},
        {"a test label beyond the training labels",
         [](const std::string& d) { write_idx(d, labels_file(Split::Test), label_bytes(test_labels_with(3, 12)), true); },
         Split::Test, vl + ": record 3 has label 12, but " + tl + " has only labels 0..9"},
    };
}

void check_bad_inputs(const std::vector<BadInput>& cases, bool gz) {
    CacheDir cache;
    for (const auto& c : cases) {
        SECTION(c.what) {
            TempDir dir;
            write_idx_set(dir.path(), gz);
            c.spoil(dir.path());
            const std::string error = open_error(dir.path(), c.split);
            CHECK(error == dir / c.error);
            CHECK(error.find('\n') == std::string::npos);
        }
    }
}

}  // namespace

TEST_CASE("idx: every bad plain file is one DataError naming the file and the record", "[data]") {
    check_bad_inputs(plain_bad_inputs(), false);
}

TEST_CASE("idx: every bad .gz is one DataError naming the file and zlib's message", "[data]") {
    check_bad_inputs(gzip_bad_inputs(), true);
}

TEST_CASE("idx: a folder that is not there, or a file, is refused", "[data]") {
    TempDir dir;
    write_plain(dir / "file", Bytes{1});
    CHECK(open_error(dir / "nowhere", Split::Train) == dir / "nowhere: no such directory (see --data)");
    CHECK(open_error(dir / "file", Split::Train) == dir / "file: not a directory (see --data)");
}

namespace {

// The real Fashion-MNIST: $FASHION_MNIST_DIR when set (used as given, so a wrong path fails
// instead of skipping), else where Debian's dataset-fashion-mnist installs it.
std::optional<std::string> real_fashion_mnist_dir_or_skip() {
    if (const char* env = std::getenv("FASHION_MNIST_DIR"); env && *env) return std::string(env);
    const std::string installed = "/usr/share/datasets/fashion-mnist";
    if (IdxSet::recognizes(installed)) return installed;
    std::printf("%sno Fashion-MNIST found (looked in: $FASHION_MNIST_DIR (unset), %s); install dataset-fashion-mnist "
                "or set FASHION_MNIST_DIR to run this test\n",
                kSkipMarker, installed.c_str());
    std::fflush(stdout);
    return std::nullopt;
}

}  // namespace

TEST_CASE("idx: the real Fashion-MNIST, 60,000 + 10,000 images of 28x28x1 in 10 named classes", "[data][fashion-mnist]") {
    const auto dir = real_fashion_mnist_dir_or_skip();
    if (!dir) return;
    CacheDir cache;
    const IdxSet train(*dir, Split::Train), test(*dir, Split::Test);
    CHECK(train.records() == 60000);
    CHECK(test.records() == 10000);
    CHECK(train.shape() == RecordShape{1, 28, 28});
    CHECK(test.shape() == RecordShape{1, 28, 28});
    CHECK(train.classes() == 10);
    CHECK(test.classes() == 10);
    CHECK(IdxSet::class_names(*dir) == idx_detail::fashion_mnist_names());
    // Fashion-MNIST is balanced: 6,000 and 1,000 images per class.
    for (const IdxSet* set : {&train, &test}) {
        std::vector<long> per_class(10);
        Bytes pixels(28 * 28);
        for (long r = 0; r < set->records(); ++r) {
            std::int32_t label = -1;
            set->read(r, pixels.data(), label);
            ++per_class.at(std::size_t(label));
        }
        for (long n : per_class) CHECK(n == set->records() / 10);
    }
}
