// tests/support/cifar_fixture.hpp — a small CIFAR-10 look-alike that a network can learn
// in seconds, so the end-to-end tests need nothing beside the repository.
//
// The files are those of the official binary version: data_batch_1..5.bin (1000 records
// each), test_batch.bin (1000 records) and batches.meta.txt. Each image is a striped
// square patch on a greyish background. The patch's hue (one of 5) and the direction of
// its stripes (horizontal or vertical) together name the class: the hue alone narrows
// it to two classes, so colour alone scores at most 50%. The patch's size and place, the
// stripe period and phase, the exact colours and the background are random, and every
// pixel gets noise. cnn6 learns the colours within one epoch of 4096 images (38-57%
// over seeds 1-6) and the stripes with a little more (seed 1: 66% after two epochs, 93%
// after four).
// Every run of 10 consecutive records holds each class once, so every file, the test
// set and every --limit prefix are balanced.
//
// All of it is integer arithmetic on statnn's own generators (statnn/rng.hpp), so the
// bytes are the same on every target; a test pins their checksum.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "statnn/data/cifar10.hpp"
#include "statnn/rng.hpp"

#ifndef STATNN_TEST_FIXTURE_DIR
#define STATNN_TEST_FIXTURE_DIR "test-fixtures"
#endif

namespace statnn::test::cifar_fixture {

// Part of the folder name: change it with anything that changes the bytes, so a build
// tree never keeps serving files of an older generator.
inline constexpr int kVersion = 1;
inline constexpr long kTrainRecordsPerFile = 1000;
inline constexpr long kTrainRecords = 5 * kTrainRecordsPerFile;
inline constexpr long kTestRecords = 1000;
inline constexpr std::uint64_t kSeed = 20261202;

// The official class names, one per line (as CIFAR-10's batches.meta.txt).
inline const char* const kClassNames[data::kClasses] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                                        "dog",      "frog",       "horse", "ship", "truck"};

// Saturated patch colours: class c is hue c % 5, with horizontal stripes for c < 5 and
// vertical ones for c >= 5.
inline constexpr int kHues[5][3] = {{220, 50, 40}, {50, 190, 60}, {40, 80, 220}, {230, 200, 40}, {170, 50, 200}};

// An independent random stream for each (purpose, split, number).
inline std::uint64_t stream_seed(std::uint64_t purpose, data::Split split, long number) {
    const std::uint64_t split_bit = split == data::Split::Test ? (std::uint64_t(1) << 40) : 0;
    return splitmix64(splitmix64(kSeed ^ (purpose << 48)) ^ split_bit ^ std::uint64_t(number));
}

inline int label(data::Split split, long index) {
    Rng rng(stream_seed(1, split, index / data::kClasses));
    int order[data::kClasses];
    for (int k = 0; k < data::kClasses; ++k) order[k] = k;
    for (int k = data::kClasses - 1; k > 0; --k) std::swap(order[k], order[rng.below(std::uint64_t(k) + 1)]);
    return order[index % data::kClasses];
}

// Record `index` of `split`: a label byte, then the R, G and B planes (32x32, row-major).
inline void render_record(data::Split split, long index, unsigned char* record) {
    const int cls = label(split, index);
    record[0] = static_cast<unsigned char>(cls);
    Rng rng(stream_seed(2, split, index));
    auto between = [&rng](int lo, int hi) { return lo + int(rng.below(std::uint64_t(hi - lo + 1))); };
    auto clamp_byte = [](int v) { return std::clamp(v, 0, 255); };

    const int grey = between(40, 160);
    int background[3], colour[3];
    for (int c = 0; c < 3; ++c) background[c] = clamp_byte(grey + between(-20, 20));
    for (int c = 0; c < 3; ++c) colour[c] = clamp_byte(kHues[cls % 5][c] + between(-30, 30));
    const int size = between(18, 28);
    const int x0 = between(0, 32 - size), y0 = between(0, 32 - size);
    const int period = between(6, 12), phase = between(0, period - 1);
    const bool vertical = cls >= 5;

    for (int c = 0; c < 3; ++c) {
        unsigned char* plane = record + 1 + c * data::kPixels;
        for (int y = 0; y < 32; ++y)
            for (int x = 0; x < 32; ++x) {
                int value = background[c];
                if (x >= x0 && x < x0 + size && y >= y0 && y < y0 + size) {
                    const int across = vertical ? x : y;
                    const bool bright = 2 * ((across + phase) % period) < period;
                    value = bright ? colour[c] : colour[c] / 8;
                }
                plane[y * 32 + x] = static_cast<unsigned char>(clamp_byte(value + between(-16, 16)));
            }
    }
}

struct FileSpec {
    std::string name;
    data::Split split;
    long first, records;
};

inline std::vector<FileSpec> files() {
    std::vector<FileSpec> specs;
    for (int b = 0; b < 5; ++b)
        specs.push_back({"data_batch_" + std::to_string(b + 1) + ".bin", data::Split::Train, b * kTrainRecordsPerFile,
                         kTrainRecordsPerFile});
    specs.push_back({"test_batch.bin", data::Split::Test, 0, kTestRecords});
    return specs;
}

inline std::string meta_text() {
    std::string text;
    for (const char* name : kClassNames) text += std::string(name) + "\n";
    return text;
}

inline std::vector<unsigned char> file_bytes(const FileSpec& spec) {
    std::vector<unsigned char> bytes(std::size_t(spec.records) * data::kRecordBytes);
    for (long r = 0; r < spec.records; ++r)
        render_record(spec.split, spec.first + r, bytes.data() + std::size_t(r) * data::kRecordBytes);
    return bytes;
}

// Written under a name of this process, then renamed: a reader sees the whole file or
// none, and processes writing the same (deterministic) file at once do no harm.
inline void write_atomically(const std::string& path, const void* bytes, std::size_t size) {
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    std::FILE* f = std::fopen(temporary.c_str(), "wb");
    if (!f) throw std::runtime_error(temporary + ": cannot create (" + std::strerror(errno) + ")");
    const bool written = std::fwrite(bytes, 1, size, f) == size;
    if (std::fclose(f) != 0 || !written) {
        std::remove(temporary.c_str());
        throw std::runtime_error(temporary + ": cannot write");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw std::runtime_error(path + ": cannot rename into place (" + std::strerror(errno) + ")");
    }
}

inline void make_directories(const std::string& dir) {
    std::size_t at = 0;
    do {
        at = dir.find('/', at + 1);
        const std::string prefix = dir.substr(0, at);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
            throw std::runtime_error(prefix + ": cannot create (" + std::strerror(errno) + ")");
    } while (at != std::string::npos);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw std::runtime_error(dir + ": not a directory");
}

inline bool has_size(const std::string& path, std::size_t size) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && std::size_t(st.st_size) == size;
}

// Writes every file of the fixture into `dir` (created if needed). With `only_missing`,
// a file already there at its right size is kept.
inline void write_files(const std::string& dir, bool only_missing = false) {
    make_directories(dir);
    for (const auto& spec : files()) {
        const std::string path = dir + "/" + spec.name;
        if (only_missing && has_size(path, std::size_t(spec.records) * data::kRecordBytes)) continue;
        const auto bytes = file_bytes(spec);
        write_atomically(path, bytes.data(), bytes.size());
    }
    const std::string meta = meta_text();
    const std::string meta_path = dir + "/batches.meta.txt";
    if (!(only_missing && has_size(meta_path, meta.size()))) write_atomically(meta_path, meta.data(), meta.size());
}

}  // namespace statnn::test::cifar_fixture

namespace statnn::test {

// The fixture the tests train on, in the build tree (STATNN_TEST_FIXTURE_DIR), written by
// the first test process that needs it; later ones find it in place.
inline const std::string& cifar_fixture_dir() {
    static const std::string dir = [] {
        const std::string d = std::string(STATNN_TEST_FIXTURE_DIR) + "/cifar10-v" + std::to_string(cifar_fixture::kVersion);
        cifar_fixture::write_files(d, /*only_missing=*/true);
        return d;
    }();
    return dir;
}

}  // namespace statnn::test
