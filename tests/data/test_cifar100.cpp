// tests/data/test_cifar100.cpp — the CIFAR-100 binary version on small generated files:
// records, shape, fine and coarse labels, pixel bytes, class names and their fallback,
// which folders it recognises, reads from many threads, batches through the reader, and
// one DataError naming the file (and the record) for every kind of bad input. Then a real
// cifar-100-binary folder when $CIFAR100_DIR names one (skipped otherwise).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "statnn/data/batch_reader.hpp"
#include "statnn/data/cifar10.hpp"
#include "statnn/data/cifar100.hpp"
#include "statnn/shape.hpp"
#include "support/cifar_files.hpp"
#include "support/real_cifar10.hpp"

using namespace statnn;
using namespace statnn::data;
using namespace statnn::test;

namespace {

constexpr long kRecord = kCifar100RecordBytes;
constexpr long kTrainRecords = 7, kTestRecords = 3;
constexpr long kFirstTestRecord = 1000;  // test records are numbered apart from training ones

unsigned char coarse_of(long global) { return static_cast<unsigned char>(global % 20); }
unsigned char fine_of(long global) { return static_cast<unsigned char>((global * 7 + 3) % 100); }

// Writes `records` CIFAR-100 records to `path`; record r is global record first + r.
void write_cifar100_file(const std::string& path, long first, long records) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::vector<unsigned char> record(static_cast<std::size_t>(kRecord));
    for (long r = 0; r < records; ++r) {
        const long g = first + r;
        record[0] = coarse_of(g);
        record[1] = fine_of(g);
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p) record[std::size_t(2 + c * 1024 + p)] = synthetic_pixel(g, c, p);
        std::fwrite(record.data(), 1, record.size(), f);
    }
    std::fclose(f);
}

void write_cifar100_set(const std::string& dir) {
    write_cifar100_file(dir + "/train.bin", 0, kTrainRecords);
    write_cifar100_file(dir + "/test.bin", kFirstTestRecord, kTestRecords);
}

void set_byte(const std::string& path, long offset, unsigned char value) {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, offset, SEEK_SET);
    std::fputc(value, f);
    std::fclose(f);
}

// Every pixel byte of record `index` of `set` is global record `global`'s.
bool pixels_match(const Cifar100Set& set, long index, long global) {
    std::vector<unsigned char> pixels(3072);
    std::int32_t label = -1;
    set.read(index, pixels.data(), label);
    for (int c = 0; c < 3; ++c)
        for (int p = 0; p < 1024; ++p)
            if (pixels[std::size_t(c * 1024 + p)] != synthetic_pixel(global, c, p)) return false;
    return true;
}

std::int32_t label_of(const Cifar100Set& set, long index) {
    std::vector<unsigned char> pixels(3072);
    std::int32_t label = -1;
    set.read(index, pixels.data(), label);
    return label;
}

std::string numbered_lines(const std::string& prefix, int count) {
    std::string text;
    for (int i = 0; i < count; ++i) text += prefix + std::to_string(i) + "\n";
    return text;
}

}  // namespace

TEST_CASE("cifar100: records, shape, split and the fine labels", "[data][cifar100]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    const Cifar100Set train(dir.path(), Split::Train, Cifar100Labels::Fine);
    CHECK(train.records() == kTrainRecords);
    CHECK(train.shape() == RecordShape{3, 32, 32});
    CHECK(train.classes() == 100);
    CHECK(train.split() == Split::Train);
    CHECK(train.path() == dir / "train.bin");
    for (long r = 0; r < kTrainRecords; ++r) {
        CHECK(label_of(train, r) == fine_of(r));
        CHECK(pixels_match(train, r, r));
    }
    const Cifar100Set test(dir.path(), Split::Test, Cifar100Labels::Fine);
    CHECK(test.records() == kTestRecords);
    CHECK(test.split() == Split::Test);
    CHECK(label_of(test, 2) == fine_of(kFirstTestRecord + 2));
    CHECK(pixels_match(test, 2, kFirstTestRecord + 2));
}

TEST_CASE("cifar100: the coarse labels, 20 classes, the same pixels", "[data][cifar100]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    const Cifar100Set train(dir.path(), Split::Train, Cifar100Labels::Coarse);
    CHECK(train.classes() == 20);
    CHECK(train.labels() == Cifar100Labels::Coarse);
    for (long r = 0; r < kTrainRecords; ++r) CHECK(label_of(train, r) == coarse_of(r));
    CHECK(pixels_match(train, 5, 5));
    const Cifar100Set test(dir.path(), Split::Test, Cifar100Labels::Coarse);
    CHECK(label_of(test, 0) == coarse_of(kFirstTestRecord));
}

TEST_CASE("cifar100: a record's first pixel bytes are its red plane, then green, then blue", "[data][cifar100]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    set_byte(dir / "train.bin", 3 * kRecord + 2, 11);                  // record 3: red (0, 0)
    set_byte(dir / "train.bin", 3 * kRecord + 2 + 1024 + 33, 22);      // green (1, 1)
    set_byte(dir / "train.bin", 3 * kRecord + 2 + 2048 + 1023, 33);    // blue (31, 31)
    const Cifar100Set set(dir.path(), Split::Train, Cifar100Labels::Fine);
    std::vector<unsigned char> pixels(3072);
    std::int32_t label = -1;
    set.read(3, pixels.data(), label);
    CHECK(int(pixels[0]) == 11);
    CHECK(int(pixels[1024 + 33]) == 22);
    CHECK(int(pixels[3071]) == 33);
    CHECK(label == fine_of(3));
}

TEST_CASE("cifar100: folders recognised by their files, CIFAR-10 folders not, nor the reverse", "[data][cifar100]") {
    TempDir cifar100, cifar10, renamed, empty_train, missing_test;
    write_cifar100_set(cifar100.path());
    CHECK(Cifar100Set::recognizes(cifar100.path()));
    CHECK_FALSE(Cifar10Set::recognizes(cifar100.path()));
    write_cifar_set(cifar10.path(), 4);
    CHECK(Cifar10Set::recognizes(cifar10.path()));
    CHECK_FALSE(Cifar100Set::recognizes(cifar10.path()));
    // CIFAR-10 records under CIFAR-100's names: 3073-byte records are not 3074-byte ones.
    write_cifar_file(renamed / "train.bin", 0, 5);
    write_cifar_file(renamed / "test.bin", 100, 2);
    CHECK_FALSE(Cifar100Set::recognizes(renamed.path()));
    write_cifar100_set(empty_train.path());
    std::ofstream(empty_train / "train.bin", std::ios::trunc);
    CHECK_FALSE(Cifar100Set::recognizes(empty_train.path()));
    write_cifar100_file(missing_test / "train.bin", 0, 2);
    CHECK_FALSE(Cifar100Set::recognizes(missing_test.path()));
    ::mkdir((missing_test / "test.bin").c_str(), 0755);
    CHECK_FALSE(Cifar100Set::recognizes(missing_test.path()));
    CHECK_FALSE(Cifar100Set::recognizes(cifar100 / "nope"));
}

TEST_CASE("cifar100: class names from fine_label_names.txt and coarse_label_names.txt", "[data][cifar100]") {
    TempDir dir;
    // Empty lines (here one at the end) are skipped.
    std::ofstream(dir / "fine_label_names.txt") << numbered_lines("fine_", 100) << "\n";
    std::ofstream(dir / "coarse_label_names.txt") << numbered_lines("coarse_", 20) << "\n";
    const auto fine = Cifar100Set::class_names(dir.path(), Cifar100Labels::Fine);
    REQUIRE(fine.size() == 100);
    CHECK(fine.front() == "fine_0");
    CHECK(fine.back() == "fine_99");
    const auto coarse = Cifar100Set::class_names(dir.path(), Cifar100Labels::Coarse);
    REQUIRE(coarse.size() == 20);
    CHECK(coarse.at(19) == "coarse_19");
}

TEST_CASE("cifar100: class names fall back to the label numbers", "[data][cifar100]") {
    TempDir dir;
    const auto numbers = Cifar100Set::class_names(dir.path(), Cifar100Labels::Fine);  // no files
    REQUIRE(numbers.size() == 100);
    CHECK(numbers.front() == "0");
    CHECK(numbers.back() == "99");
    CHECK(Cifar100Set::class_names(dir.path(), Cifar100Labels::Coarse).at(19) == "19");
    std::ofstream(dir / "fine_label_names.txt") << numbered_lines("fine_", 99);  // one short
    CHECK(Cifar100Set::class_names(dir.path(), Cifar100Labels::Fine).at(0) == "0");
    std::ofstream(dir / "fine_label_names.txt") << numbered_lines("fine_", 101);  // one too many
    CHECK(Cifar100Set::class_names(dir.path(), Cifar100Labels::Fine).at(0) == "0");
    std::ofstream(dir / "coarse_label_names.txt") << numbered_lines("coarse_", 19) << "bad\tname\n";
    CHECK(Cifar100Set::class_names(dir.path(), Cifar100Labels::Coarse).at(0) == "0");
    // The fine names are not coarse ones.
    std::ofstream(dir / "coarse_label_names.txt") << numbered_lines("fine_", 100);
    CHECK(Cifar100Set::class_names(dir.path(), Cifar100Labels::Coarse).size() == 20);
}

// ---- bad data: one DataError naming the file (and the record) -----------------------

namespace {

struct BadCase {
    const char* what;
    void (*damage)(const std::string& dir);
    Split split;
    Cifar100Labels labels;
    const char* message;  // after "<dir>/"
};

const BadCase kBadCases[] = {
    {"missing test file", [](const std::string& d) { std::remove((d + "/test.bin").c_str()); }, Split::Test,
     Cifar100Labels::Fine,
     "test.bin: missing (expected the CIFAR-100 binary version: train.bin and test.bin of cifar-100-binary)"},
    {"empty file", [](const std::string& d) { REQUIRE(::truncate((d + "/train.bin").c_str(), 0) == 0); }, Split::Train,
     Cifar100Labels::Fine, "train.bin: empty file"},
    {"size not a whole number of records",
     [](const std::string& d) { REQUIRE(::truncate((d + "/train.bin").c_str(), 2 * kRecord + 1) == 0); }, Split::Train,
     Cifar100Labels::Coarse, "train.bin: 6149 bytes is not a whole number of 3074-byte records"},
    {"CIFAR-10 records", [](const std::string& d) { write_cifar_file(d + "/test.bin", 0, 2); }, Split::Test,
     Cifar100Labels::Fine, "test.bin: 6146 bytes is not a whole number of 3074-byte records"},
    {"coarse label 20", [](const std::string& d) { set_byte(d + "/train.bin", 4 * kRecord, 20); }, Split::Train,
     Cifar100Labels::Coarse, "train.bin: record 4 has coarse label 20 (expected 0..19)"},
    {"fine label 100", [](const std::string& d) { set_byte(d + "/test.bin", 2 * kRecord + 1, 100); }, Split::Test,
     Cifar100Labels::Fine, "test.bin: record 2 has fine label 100 (expected 0..99)"},
    {"fine label 255 while serving coarse labels",
     [](const std::string& d) { set_byte(d + "/train.bin", 6 * kRecord + 1, 255); }, Split::Train,
     Cifar100Labels::Coarse, "train.bin: record 6 has fine label 255 (expected 0..99)"},
    {"a directory where a file should be",
     [](const std::string& d) {
         std::remove((d + "/train.bin").c_str());
         ::mkdir((d + "/train.bin").c_str(), 0755);
     },
     Split::Train, Cifar100Labels::Fine, "train.bin: is a directory, expected a file"},
    {"not a regular file",
     [](const std::string& d) {
         std::remove((d + "/test.bin").c_str());
         REQUIRE(::mkfifo((d + "/test.bin").c_str(), 0644) == 0);
     },
     Split::Test, Cifar100Labels::Coarse, "test.bin: not a regular file"},
};

}  // namespace

TEST_CASE("cifar100 bad data: each case is one DataError naming the file and the problem", "[data][errors]") {
    for (const auto& c : kBadCases) {
        TempDir dir;
        write_cifar100_set(dir.path());
        c.damage(dir.path());
        INFO("case: " << c.what);
        CHECK_THROWS_MATCHES(Cifar100Set(dir.path(), c.split, c.labels), DataError,
                             Catch::Message(dir.path() + "/" + c.message));
    }
}

TEST_CASE("cifar100 bad data: a missing folder, a file given as the folder", "[data][errors]") {
    TempDir dir;
    CHECK_THROWS_MATCHES(Cifar100Set(dir / "nope", Split::Train, Cifar100Labels::Fine), DataError,
                         Catch::Message(dir / "nope" + ": no such directory (see --data)"));
    write_cifar100_set(dir.path());
    CHECK_THROWS_MATCHES(Cifar100Set(dir / "train.bin", Split::Train, Cifar100Labels::Fine), DataError,
                         Catch::Message(dir / "train.bin" + ": not a directory (see --data)"));
}

TEST_CASE("cifar100 bad data: a file changed after it was opened fails the read, naming the record", "[data][errors]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    const Cifar100Set set(dir.path(), Split::Train, Cifar100Labels::Fine);
    set_byte(dir / "train.bin", 1 * kRecord, 77);
    CHECK_THROWS_MATCHES(label_of(set, 1), DataError,
                         Catch::Message(dir / "train.bin" + ": record 1 has coarse label 77 (expected 0..19)"));
    REQUIRE(::truncate((dir / "train.bin").c_str(), 5 * kRecord) == 0);
    CHECK_THROWS_MATCHES(label_of(set, 5), DataError,
                         Catch::Message(dir / "train.bin" + ": cannot read record 5 (file shrank)"));
    CHECK_THROWS_AS(label_of(set, kTrainRecords), DataError);
    CHECK_THROWS_AS(label_of(set, -1), DataError);
}

TEST_CASE("cifar100: reads from several threads at once", "[data][cifar100]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    const Cifar100Set set(dir.path(), Split::Train, Cifar100Labels::Coarse);
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 50; ++round)
                for (long r = 0; r < kTrainRecords; ++r) {
                    const long index = (r + t) % kTrainRecords;
                    if (label_of(set, index) != coarse_of(index) || !pixels_match(set, index, index)) ++failures[t];
                }
        });
    for (auto& t : threads) t.join();
    CHECK(failures == std::vector<int>(4, 0));
}

TEST_CASE("cifar100: batches through the batch reader", "[data][cifar100]") {
    TempDir dir;
    write_cifar100_set(dir.path());
    const Cifar100Set set(dir.path(), Split::Train, Cifar100Labels::Fine);
    using Reader = BatchReader<Shape<3, 32, 32>, 4>;
    auto slots = std::make_unique<Reader::Slots>();
    Reader reader(set, *slots, 4, 0, false, 1);
    std::vector<float> images(4 * 3072);
    std::vector<std::int32_t> labels(4);
    reader.start_epoch(0);
    long seen = 0;
    for (int n; (n = reader.next(images.data(), labels.data())) > 0; seen += n)
        for (int r = 0; r < n; ++r) {
            REQUIRE(labels[std::size_t(r)] == fine_of(seen + r));
            // Channels-last floats: pixel 1, green.
            CHECK(images[std::size_t(r) * 3072 + 1 * 3 + 1] == float(synthetic_pixel(seen + r, 1, 1)) / 255.0f);
        }
    CHECK(seen == kTrainRecords);
}

// ---- a real cifar-100-binary folder -----------------------------------------------

namespace {

// Records of each label among all records of `set`.
std::vector<long> label_counts(const Cifar100Set& set) {
    std::vector<long> counts(std::size_t(set.classes()), 0);
    std::vector<unsigned char> pixels(3072);
    std::int32_t label = -1;
    for (long r = 0; r < set.records(); ++r) {
        set.read(r, pixels.data(), label);
        ++counts.at(std::size_t(label));
    }
    return counts;
}

}  // namespace

// Not tagged [real]: those cases are CIFAR-10's, selected by name and run with
// $CIFAR10_DIR. This one runs when $CIFAR100_DIR names the folder.
TEST_CASE("cifar100: a genuine cifar-100-binary folder from CIFAR100_DIR, balanced classes", "[data][cifar100-real]") {
    const char* env = std::getenv("CIFAR100_DIR");
    if (!env || !*env) {
        std::printf("%sCIFAR100_DIR is not set; set it to a cifar-100-binary folder to run this test\n", kSkipMarker);
        std::fflush(stdout);
        return;
    }
    const std::string dir = env;
    CHECK(Cifar100Set::recognizes(dir));
    CHECK_FALSE(Cifar10Set::recognizes(dir));
    const Cifar100Set train(dir, Split::Train, Cifar100Labels::Fine), test(dir, Split::Test, Cifar100Labels::Fine);
    CHECK(train.records() == 50000);
    CHECK(test.records() == 10000);
    CHECK(label_counts(train) == std::vector<long>(100, 500));
    CHECK(label_counts(test) == std::vector<long>(100, 100));
    CHECK(label_counts(Cifar100Set(dir, Split::Train, Cifar100Labels::Coarse)) == std::vector<long>(20, 2500));
    const auto fine = Cifar100Set::class_names(dir, Cifar100Labels::Fine);
    CHECK(fine.front() == "apple");
    CHECK(fine.back() == "worm");
    const auto coarse = Cifar100Set::class_names(dir, Cifar100Labels::Coarse);
    CHECK(coarse.front() == "aquatic_mammals");
    CHECK(coarse.back() == "vehicles_2");
}
