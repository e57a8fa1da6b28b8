// tests/data/test_cifar10.cpp — the streaming CIFAR-10 reader on small generated files:
// order, labels, normalisation, per-epoch shuffling, resuming mid-epoch, bounded
// memory, and one clear error for every kind of bad file set. Then the tests' CIFAR-10
// fixture (what the end-to-end tests train on), and the real CIFAR-10 when it is found
// (tagged [real]; skipped without it).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "statnn/data/cifar10.hpp"
#include "support/cifar_files.hpp"
#include "support/cifar_fixture.hpp"
#include "support/golden.hpp"
#include "support/real_cifar10.hpp"
#include "support/cifar_reader.hpp"

using namespace statnn;
using namespace statnn::data;
using namespace statnn::test;

namespace {

constexpr long kPerFile = 23;  // 115 training records: batches of 8 end with a short one

// Every label the reader delivers in one epoch, in order.
std::vector<int> epoch_labels(CifarReader& reader, int epoch, long first_batch = 0, std::vector<float>* images = nullptr) {
    std::vector<float> x(std::size_t(reader.batch()) * kImageBytes);
    std::vector<std::int32_t> y(std::size_t(reader.batch()));
    std::vector<int> labels;
    reader.start_epoch(epoch, first_batch);
    for (int n; (n = reader.next(x.data(), y.data())) > 0;) {
        labels.insert(labels.end(), y.begin(), y.begin() + n);
        if (images) images->insert(images->end(), x.begin(), x.begin() + std::size_t(n) * kImageBytes);
    }
    return labels;
}

}  // namespace

TEST_CASE("reader: file order, labels and float conversion without shuffling", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), kPerFile);
    const Cifar10Set set(dir.path(), Split::Train);
    REQUIRE(set.records() == 5 * kPerFile);
    CifarReader reader(set, 8, 0, false, 1);
    CHECK(reader.batches_per_epoch() == (5 * kPerFile + 7) / 8);
    std::vector<float> images;
    const auto labels = epoch_labels(reader, 0, 0, &images);
    REQUIRE(labels.size() == std::size_t(5 * kPerFile));
    for (long g = 0; g < 5 * kPerFile; ++g) {
        REQUIRE(labels[std::size_t(g)] == synthetic_label(g));
        // Channels-last: (y, x, c) at (p * 3 + c), value byte / 255.
        for (int p : {0, 1, 511, 1023})
            for (int c = 0; c < 3; ++c)
                REQUIRE(images[std::size_t(g) * kImageBytes + std::size_t(p) * 3 + c] ==
                        float(synthetic_pixel(g, c, p)) / 255.0f);
    }
}

TEST_CASE("reader: the last batch of an epoch is short, then the epoch ends", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), kPerFile);
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader reader(set, 8, 0, true, 1);
    std::vector<float> x(8 * kImageBytes);
    std::vector<std::int32_t> y(8);
    reader.start_epoch(0);
    std::vector<int> sizes;
    for (int n; (n = reader.next(x.data(), y.data())) > 0;) sizes.push_back(n);
    CHECK(sizes.size() == 15);
    CHECK(sizes.back() == 115 - 14 * 8);
    CHECK(reader.next(x.data(), y.data()) == 0);
}

TEST_CASE("reader: each epoch is a different permutation, fixed by (seed, epoch)", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), kPerFile);
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader a(set, 8, 0, true, 42), b(set, 8, 0, true, 42), c(set, 8, 0, true, 43);
    a.start_epoch(0);
    const auto order0 = a.order();
    std::vector<std::uint32_t> sorted = order0;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);  // a permutation
    a.start_epoch(1);
    const auto order1 = a.order();
    CHECK(order0 != order1);
    b.start_epoch(1);
    CHECK(b.order() == order1);  // same seed, same epoch: same order
    c.start_epoch(1);
    CHECK(c.order() != order1);
    // The labels delivered follow the order.
    const auto labels = epoch_labels(a, 1);
    for (std::size_t i = 0; i < labels.size(); ++i) REQUIRE(labels[i] == synthetic_label(long(order1[i])));
}

TEST_CASE("reader: starting an epoch at batch k gives the rest of the uninterrupted epoch", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), kPerFile);
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader reader(set, 8, 0, true, 7);
    const auto whole = epoch_labels(reader, 3);
    const auto tail = epoch_labels(reader, 3, 5);
    REQUIRE(tail.size() == whole.size() - 40);
    CHECK(std::equal(tail.begin(), tail.end(), whole.begin() + 40));
    // Abandoning an epoch half way and starting another is safe.
    std::vector<float> x(8 * kImageBytes);
    std::vector<std::int32_t> y(8);
    reader.start_epoch(0);
    reader.next(x.data(), y.data());
    CHECK(epoch_labels(reader, 3) == whole);
}

TEST_CASE("reader: --limit takes the first records, then shuffles among them", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), kPerFile);
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader reader(set, 8, 30, true, 1);
    CHECK(reader.size() == 30);
    reader.start_epoch(0);
    std::set<std::uint32_t> seen(reader.order().begin(), reader.order().end());
    CHECK(seen.size() == 30);
    CHECK(*seen.rbegin() == 29);
}

TEST_CASE("reader: memory is a few batches, whatever the size of the data", "[data]") {
    TempDir dir;
    write_cifar_set(dir.path(), 2000);  // 10,000 training records, 30 MB
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader reader(set, 32, 0, true, 1);
    const std::size_t batch_floats = 32 * kImageBytes * sizeof(float);
    // Two batch slots, one record, and the 4-byte order of each record: not the 30 MB of data.
    CHECK(reader.buffer_bytes() <= 2 * batch_floats + 2 * 32 * 4 + kRecordBytes + 10000 * 4);
    CHECK(reader.buffer_bytes() < std::size_t(10000) * kRecordBytes / 10);
}

TEST_CASE("reader: class names from batches.meta.txt, with a fallback", "[data]") {
    TempDir dir;
    CHECK(class_names(dir.path()).at(0) == "airplane");
    std::ofstream(dir / "batches.meta.txt") << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    CHECK(class_names(dir.path()).at(9) == "j");
    std::ofstream(dir / "batches.meta.txt") << "only\ntwo\n";
    CHECK(class_names(dir.path()).at(1) == "automobile");
}

// ---- bad data: one clear error naming the file and the problem --------------------

namespace {

struct BadCase {
    const char* what;
    void (*damage)(const std::string& dir);
    Split split;
    const char* file;     // the file the message must name
    const char* problem;  // and the problem
};

void truncate_to(const std::string& path, long bytes) {
    REQUIRE(::truncate(path.c_str(), bytes) == 0);
}

void set_byte(const std::string& path, long offset, unsigned char value) {
    std::FILE* f = std::fopen(path.c_str(), "r+b");
    REQUIRE(f);
    std::fseek(f, offset, SEEK_SET);
    std::fputc(value, f);
    std::fclose(f);
}

const BadCase kBadCases[] = {
    {"missing batch file", [](const std::string& d) { std::remove((d + "/data_batch_3.bin").c_str()); }, Split::Train,
     "data_batch_3.bin", "missing"},
    {"empty file", [](const std::string& d) { truncate_to(d + "/data_batch_2.bin", 0); }, Split::Train,
     "data_batch_2.bin", "empty file"},
    {"size not a multiple of 3073", [](const std::string& d) { truncate_to(d + "/data_batch_5.bin", 3073 * 4 + 100); },
     Split::Train, "data_batch_5.bin", "not a whole number of 3073-byte records"},
    {"label byte > 9", [](const std::string& d) { set_byte(d + "/data_batch_4.bin", 3073 * 7, 10); }, Split::Train,
     "data_batch_4.bin", "record 7 has label 10"},
    {"label byte 255", [](const std::string& d) { set_byte(d + "/test_batch.bin", 0, 255); }, Split::Test,
     "test_batch.bin", "record 0 has label 255"},
    {"a directory where a file should be",
     [](const std::string& d) {
         std::remove((d + "/test_batch.bin").c_str());
         ::mkdir((d + "/test_batch.bin").c_str(), 0755);
     },
     Split::Test, "test_batch.bin", "is a directory"},
    {"not a regular file",
     [](const std::string& d) {
         std::remove((d + "/data_batch_1.bin").c_str());
         REQUIRE(::mkfifo((d + "/data_batch_1.bin").c_str(), 0644) == 0);
     },
     Split::Train, "data_batch_1.bin", "not a regular file"},
};

}  // namespace

TEST_CASE("bad data: each case is one error naming the file and the problem", "[data][errors]") {
    for (const auto& c : kBadCases) {
        TempDir dir;
        write_cifar_set(dir.path(), 10);
        c.damage(dir.path());
        INFO("case: " << c.what);
        try {
            const Cifar10Set set(dir.path(), c.split);
            FAIL("no error for: " << c.what);
        } catch (const DataError& e) {
            const std::string msg = e.what();
            INFO("message: " << msg);
            CHECK(msg.find(c.file) != std::string::npos);
            CHECK(msg.find(c.problem) != std::string::npos);
            CHECK(msg.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("bad data: missing folder, a file as folder, a test set of the wrong size", "[data][errors]") {
    TempDir dir;
    CHECK_THROWS_WITH(Cifar10Set(dir / "nope", Split::Train), Catch::Contains("nope: no such directory"));
    write_cifar_set(dir.path(), 10);
    CHECK_THROWS_WITH(Cifar10Set(dir / "test_batch.bin", Split::Train), Catch::Contains("not a directory"));
    write_cifar_file(dir / "test_batch.bin", 100000, 9);
    const Cifar10Set train(dir.path(), Split::Train), test(dir.path(), Split::Test);
    CHECK_THROWS_WITH(Cifar10Set::check_same_size(train, test),
                      Catch::Contains("test_batch.bin: 9 records") && Catch::Contains("data_batch_1.bin has 10"));
}

// Permission bits do not stop root, so as root the check runs in a child process that
// has dropped to the unprivileged user "nobody".
TEST_CASE("bad data: an unreadable file", "[data][errors]") {
    TempDir dir;
    write_cifar_set(dir.path(), 10);
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    REQUIRE(::chmod((dir / "data_batch_2.bin").c_str(), 0) == 0);
    auto check = [&]() -> bool {
        try {
            const Cifar10Set set(dir.path(), Split::Train);
        } catch (const DataError& e) {
            return std::string(e.what()).find("data_batch_2.bin: cannot open (Permission denied)") != std::string::npos;
        }
        return false;
    };
    if (::geteuid() != 0) {
        CHECK(check());
        return;
    }
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
        ::_exit(check() ? 0 : 1);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("reader: a file that shrinks after it was validated fails the next batch, not the process", "[data][errors]") {
    TempDir dir;
    write_cifar_set(dir.path(), 10);
    const Cifar10Set set(dir.path(), Split::Test);
    CifarReader reader(set, 4, 0, false, 1);
    truncate_to(dir / "test_batch.bin", 3073 * 2);
    std::vector<float> x(4 * kImageBytes);
    std::vector<std::int32_t> y(4);
    reader.start_epoch(0);
    CHECK_THROWS_WITH(reader.next(x.data(), y.data()), Catch::Contains("test_batch.bin: cannot read record 2"));
}

// ---- the tests' fixture and the real data ------------------------------------------

namespace {

// Every record of a set: its label, its per-channel mean pixel value and the range of
// its pixel values.
struct RecordSummary {
    int label;
    std::array<double, 3> mean_rgb;
    int spread;
};

std::vector<RecordSummary> summarize(const Cifar10Set& set) {
    std::vector<RecordSummary> all;
    std::vector<unsigned char> record(kRecordBytes);
    for (long i = 0; i < set.records(); ++i) {
        set.read_record(i, record.data());
        RecordSummary r{record[0], {}, 0};
        const auto [low, high] = std::minmax_element(record.begin() + 1, record.end());
        r.spread = *high - *low;
        for (int c = 0; c < 3; ++c) {
            long sum = 0;
            for (int p = 0; p < kPixels; ++p) sum += record[1 + std::size_t(c) * kPixels + std::size_t(p)];
            r.mean_rgb[std::size_t(c)] = double(sum) / kPixels;
        }
        all.push_back(r);
    }
    return all;
}

std::vector<long> class_counts(const std::vector<RecordSummary>& records, long first, long count) {
    std::vector<long> counts(kClasses, 0);
    for (long i = first; i < first + count; ++i) ++counts[std::size_t(records[std::size_t(i)].label)];
    return counts;
}

// FNV-1a, 64-bit: a checksum that is the same everywhere.
std::uint64_t fnv1a(const std::string& bytes, std::uint64_t hash = 0xcbf29ce484222325ull) {
    for (unsigned char b : bytes) hash = (hash ^ b) * 0x100000001b3ull;
    return hash;
}

}  // namespace

TEST_CASE("fixture: valid CIFAR-10 files with balanced classes and the same bytes on every target", "[data][fixture]") {
    const std::string dir = cifar_fixture_dir();
    const Cifar10Set train(dir, Split::Train), test(dir, Split::Test);
    REQUIRE(train.records() == cifar_fixture::kTrainRecords);
    REQUIRE(test.records() == cifar_fixture::kTestRecords);
    Cifar10Set::check_same_size(train, test);
    const auto train_records = summarize(train), test_records = summarize(test);
    for (int b = 0; b < 5; ++b)
        CHECK(class_counts(train_records, b * cifar_fixture::kTrainRecordsPerFile, cifar_fixture::kTrainRecordsPerFile) ==
              std::vector<long>(kClasses, cifar_fixture::kTrainRecordsPerFile / kClasses));
    CHECK(class_counts(test_records, 0, cifar_fixture::kTestRecords) ==
          std::vector<long>(kClasses, cifar_fixture::kTestRecords / kClasses));
    for (long i = 0; i < cifar_fixture::kTestRecords; ++i)
        REQUIRE(test_records[std::size_t(i)].label == cifar_fixture::label(Split::Test, i));
    CHECK(read_text_file(dir + "/batches.meta.txt") ==
          "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
    CHECK(class_names(dir) == std::vector<std::string>(std::begin(cifar_fixture::kClassNames), std::end(cifar_fixture::kClassNames)));

    // Every byte is integer arithmetic: the cross builds' suites check the same sum.
    std::uint64_t sum = fnv1a("");
    for (const auto& spec : cifar_fixture::files()) sum = fnv1a(read_text_file(dir + "/" + spec.name), sum);
    CHECK(sum == 0x90fcc1b3d278f2c2ull);

    // Colour alone is not enough: a nearest-mean-colour classifier fitted on the training
    // set stays near the 50% the hues allow (it sees the background too), far from what
    // the stripes add.
    std::array<std::array<double, 3>, kClasses> centre{};
    for (const auto& r : train_records)
        for (int c = 0; c < 3; ++c) centre[std::size_t(r.label)][std::size_t(c)] += r.mean_rgb[std::size_t(c)];
    for (auto& m : centre)
        for (double& v : m) v /= double(cifar_fixture::kTrainRecords / kClasses);
    long right = 0;
    for (const auto& r : test_records) {
        int best = 0;
        double best_distance = 1e300;
        for (int k = 0; k < kClasses; ++k) {
            double d = 0;
            for (int c = 0; c < 3; ++c) d += (r.mean_rgb[std::size_t(c)] - centre[std::size_t(k)][std::size_t(c)]) *
                                             (r.mean_rgb[std::size_t(c)] - centre[std::size_t(k)][std::size_t(c)]);
            if (d < best_distance) best_distance = d, best = k;
        }
        right += best == r.label;
    }
    const double colour_accuracy = double(right) / double(test_records.size());
    INFO("nearest-mean-colour accuracy on the fixture's test set: " << colour_accuracy);
    CHECK(colour_accuracy > 0.2);
    CHECK(colour_accuracy < 0.55);
}

TEST_CASE("reader: the real CIFAR-10, 5000 training and 1000 test images of each class", "[data][real]") {
    const auto real = real_cifar10_dir_or_skip();
    if (!real) return;
    const Cifar10Set train(*real, Split::Train), test(*real, Split::Test);
    REQUIRE(train.records() == 50000);
    REQUIRE(test.records() == 10000);
    for (const auto& f : train.files()) CHECK(f.records == 10000);
    const auto train_records = summarize(train), test_records = summarize(test);
    CHECK(class_counts(train_records, 0, 50000) == std::vector<long>(kClasses, 5000));
    CHECK(class_counts(test_records, 0, 10000) == std::vector<long>(kClasses, 1000));
    CHECK(test_records[0].label == 3);  // the first test image is a cat
    CHECK(read_text_file(*real + "/batches.meta.txt").rfind("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n", 0) == 0);
    CHECK(class_names(*real) == std::vector<std::string>{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                                                         "ship", "truck"});
    // Pixels: photographs, not fills: no image is one value, images differ from one
    // another, and the mean value is near CIFAR-10's (about 120 of 255).
    double mean = 0;
    std::set<long> distinct_means;
    long flat = 0;
    for (const auto* records : {&train_records, &test_records})
        for (const auto& r : *records) {
            mean += (r.mean_rgb[0] + r.mean_rgb[1] + r.mean_rgb[2]) / 3;
            distinct_means.insert(std::lround(10 * r.mean_rgb[0]));
            flat += r.spread == 0;
        }
    mean /= 60000.0;
    INFO("mean pixel value: " << mean);
    CHECK(flat == 0);
    CHECK(distinct_means.size() > 1000);
    CHECK(mean > 90);
    CHECK(mean < 150);
}
