// tests/data/test_statnn_records.cpp — statnn's own record files
// (statnn/data/statnn_records.hpp): what the writer writes is what the reader serves, byte
// for byte and at the documented offsets; a folder of them is recognised and opened as a
// dataset; every kind of damage is one DataError naming the file (and the record); the
// two splits must agree; a folder of images is refused with the command that imports it.
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "catch.hpp"
#include "statnn/data/dataset.hpp"
#include "statnn/data/statnn_records.hpp"
#include "support/cifar_files.hpp"

using namespace statnn::data;
using statnn::test::TempDir;

namespace {

using Bytes = std::vector<unsigned char>;

const RecordShape kShape{3, 2, 4};  // 3 channels of 2 rows of 4: 24 pixel bytes
const std::vector<std::string> kNames = {"ant", "bee", "cicada"};

// Record r's pixels and label: every byte different, so a misplaced one shows.
unsigned char pixel_of(long r, std::size_t i) { return static_cast<unsigned char>(r * 29 + long(i) * 7 + 3); }
std::int32_t label_of(long r) { return std::int32_t(r % 3); }

StatnnHeader header_of(std::uint64_t records, RecordShape shape = kShape, std::vector<std::string> names = kNames) {
    return StatnnHeader{shape, std::move(names), records};
}

void write_records(const std::string& path, long records, const StatnnHeader& header) {
    StatnnRecordWriter writer(path, header);
    Bytes pixels(header.shape.bytes());
    for (long r = 0; r < records; ++r) {
        for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = pixel_of(r, i);
        writer.write(label_of(r), pixels.data());
    }
    writer.commit();
}

// A dataset folder: `train` training and `test` test records of kShape and kNames.
void write_set(const std::string& dir, long train, long test) {
    write_records(dir + "/train.statnn", train, header_of(std::uint64_t(train)));
    write_records(dir + "/test.statnn", test, header_of(std::uint64_t(test)));
}

Bytes read_bytes(const std::string& path) {
    Bytes bytes;
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    for (int c; (c = std::fgetc(f)) != EOF;) bytes.push_back(static_cast<unsigned char>(c));
    std::fclose(f);
    return bytes;
}

void write_bytes(const std::string& path, const Bytes& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);  // an empty vector's data() may be null
    std::fclose(f);
}

void put_u32(Bytes& bytes, std::size_t at, std::uint32_t v) {
    for (int b = 0; b < 4; ++b) bytes[at + std::size_t(b)] = static_cast<unsigned char>(v >> (8 * b));
}

std::uint32_t u32_at(const Bytes& bytes, std::size_t at) {
    return std::uint32_t(bytes[at]) | std::uint32_t(bytes[at + 1]) << 8 | std::uint32_t(bytes[at + 2]) << 16 |
           std::uint32_t(bytes[at + 3]) << 24;
}

// The message opening split `split` of `dir` gives, or "(opened)".
std::string refusal(const std::string& dir, Split split = Split::Train) {
    try {
        StatnnRecordSet set(dir, split);
    } catch (const DataError& e) {
        return e.what();
    }
    return "(opened)";
}

constexpr std::size_t kTestNamesAt = 36;
// 36 + (1 + 3) + (1 + 3) + (1 + 6)
constexpr std::size_t kTestRecordsAt = 51;
constexpr std::size_t kTestRecordBytes = 4 + 24;

}  // namespace

TEST_CASE("statnn records: the file is laid out as documented", "[data][statnn]") {
    TempDir dir;
    write_records(dir / "train.statnn", 5, header_of(5));
    const Bytes bytes = read_bytes(dir / "train.statnn");
    REQUIRE(bytes.size() == kTestRecordsAt + 5 * kTestRecordBytes);
    CHECK(std::string(bytes.begin(), bytes.begin() + 8) == "STATNNRC");
    CHECK(u32_at(bytes, 8) == 1);    // version
    CHECK(u32_at(bytes, 12) == 2);   // height
    CHECK(u32_at(bytes, 16) == 4);   // width
    CHECK(u32_at(bytes, 20) == 3);   // channels
    CHECK(u32_at(bytes, 24) == 3);   // classes
    CHECK(u32_at(bytes, 28) == 5);   // records, low half
    CHECK(u32_at(bytes, 32) == 0);   // records, high half
    CHECK(std::string(bytes.begin() + kTestNamesAt, bytes.begin() + kTestRecordsAt) == "\x03" "ant" "\x03" "bee" "\x06" "cicada");
    for (long r = 0; r < 5; ++r) {
        const std::size_t at = kTestRecordsAt + std::size_t(r) * kTestRecordBytes;
        CHECK(u32_at(bytes, at) == std::uint32_t(label_of(r)));
        for (std::size_t i = 0; i < 24; ++i) CHECK(bytes[at + 4 + i] == pixel_of(r, i));
    }
}

TEST_CASE("statnn records: a folder of them is a dataset whose records read back bit for bit", "[data][statnn]") {
    TempDir dir;
    write_set(dir.path(), 7, 4);
    CHECK(StatnnRecordSet::recognizes(dir.path()));
    CHECK(recognize_format(dir.path()) == DataFormat::StatnnRecords);
    CHECK(std::string(format_name(DataFormat::StatnnRecords)) == "statnn records");
    CHECK(dataset_class_names(dir.path()) == kNames);
    const Dataset data(dir.path(), {});
    CHECK(data.format() == DataFormat::StatnnRecords);
    CHECK(data.class_names == kNames);
    REQUIRE(data.train->records() == 7);
    REQUIRE(data.test->records() == 4);
    CHECK(data.train->shape() == kShape);
    CHECK(data.train->classes() == 3);
    CHECK(data.test->split() == Split::Test);
    CHECK(data.test->record_name(2) == dir / "test.statnn" + ": record 2");
    for (const RecordSource* source : {data.train.get(), data.test.get()}) {
        Bytes pixels(kShape.bytes());
        for (long r = 0; r < source->records(); ++r) {
            std::int32_t label = -1;
            source->read(r, pixels.data(), label);
            CHECK(label == label_of(r));
            for (std::size_t i = 0; i < pixels.size(); ++i) CHECK(pixels[i] == pixel_of(r, i));
        }
    }
    CHECK_NOTHROW(data.check_fits(kShape, 3));
    CHECK_THROWS_WITH(data.check_fits({3, 32, 32}, 10), Catch::Contains("statnn records images of 2x4x3"));
    // --data-format statnn names the format outright.
    DataOptions named;
    named.format = DataFormat::StatnnRecords;
    CHECK(open_split(dir.path(), Split::Train, named)->records() == 7);
}

TEST_CASE("statnn records: every kind of damage is one DataError naming the file", "[data][statnn]") {
    TempDir dir;
    write_set(dir.path(), 3, 2);
    const std::string path = dir / "train.statnn";
    const Bytes good = read_bytes(path);
    struct Case {
        const char* what;
        Bytes bytes;
        std::string says;
    };
    std::vector<Case> cases;
    const auto edited = [&](auto edit) {
        Bytes b = good;
        edit(b);
        return b;
    };
    cases.push_back({"truncated", Bytes(good.begin(), good.end() - 1),
                     "134 bytes, but its header says 51 + 3 records of 28 bytes = 135 bytes (truncated?)"});
    cases.push_back({"trailing bytes", edited([](Bytes& b) { b.push_back(0); }), "(trailing bytes?)"});
    cases.push_back({"bad magic", edited([](Bytes& b) { b[0] = 'X'; }), "not a statnn records file"});
    cases.push_back({"bad version", edited([](Bytes& b) { put_u32(b, 8, 2); }),
                     "format version 2, but this build reads version 1"});
    cases.push_back({"label out of range", edited([](Bytes& b) { put_u32(b, kTestRecordsAt + 2 * kTestRecordBytes, 3); }),
                     "record 2 has label 3, but the file has 3 classes (0..2)"});
    cases.push_back({"size mismatch", edited([](Bytes& b) { put_u32(b, 28, 4); }),
                     "bytes, but its header says 51 + 4 records of 28 bytes"});
    cases.push_back({"name not printable", edited([](Bytes& b) { b[kTestNamesAt + 2] = 0x07; }),
                     "the name of class 0 is not printable ASCII"});
    cases.push_back({"empty name", edited([](Bytes& b) { b[kTestNamesAt] = 0; }), "the name of class 0 is empty"});
    cases.push_back({"no classes", edited([](Bytes& b) { put_u32(b, 24, 0); }), "0 classes (expected 1 to 65536)"});
    cases.push_back({"no pixels", edited([](Bytes& b) { put_u32(b, 16, 0); }), "images of 2x0x3"});
    cases.push_back({"huge images", edited([](Bytes& b) { put_u32(b, 12, 1u << 30); }), "images of 1073741824x4x3"});
    cases.push_back({"no records", edited([](Bytes& b) { put_u32(b, 28, 0); }), "no records"});
    cases.push_back({"names cut short", Bytes(good.begin(), good.begin() + 40), "the header ends inside the name of class 1"});
    cases.push_back({"header cut short", Bytes(good.begin(), good.begin() + 20), "20 bytes, too short for a statnn records header"});
    cases.push_back({"empty", Bytes(), "0 bytes, too short"});
    for (const auto& c : cases) {
        INFO(c.what);
        write_bytes(path, c.bytes);
        const std::string message = refusal(dir.path());
        CHECK(message.rfind(path + ": ", 0) == 0);
        CHECK_THAT(message, Catch::Contains(c.says));
        CHECK(message.find('\n') == std::string::npos);
    }
    write_bytes(path, good);
    CHECK(refusal(dir.path()) == "(opened)");
    ::remove(path.c_str());
    CHECK(refusal(dir.path()) == path + ": missing (expected train.statnn and test.statnn, as `<binary> import` writes them)");
    ::mkdir(path.c_str(), 0755);
    CHECK(refusal(dir.path()) == path + ": is a directory, expected a file");
}

TEST_CASE("statnn records: the test split must agree with the training split, naming both files", "[data][statnn]") {
    TempDir dir;
    const std::string train = dir / "train.statnn", test = dir / "test.statnn";
    write_records(train, 3, header_of(3));
    write_records(test, 2, header_of(2, {1, 2, 4}));
    CHECK(refusal(dir.path(), Split::Test) ==
          test + ": images of 2x4x1 (height x width x channels), but " + train + " has images of 2x4x3");
    write_records(test, 2, header_of(2, kShape, {"ant", "bee"}));
    CHECK(refusal(dir.path(), Split::Test) == test + ": 2 classes, but " + train + " has 3");
    write_records(test, 2, header_of(2, kShape, {"ant", "bee", "cricket"}));
    CHECK(refusal(dir.path(), Split::Test) ==
          test + ": class 2 is named \"cricket\", but " + train + " names it \"cicada\"");
    CHECK_THROWS_WITH(Dataset(dir.path(), {}), test + ": class 2 is named \"cricket\", but " + train + " names it \"cicada\"");
    write_records(test, 2, header_of(2));
    CHECK(refusal(dir.path(), Split::Test) == "(opened)");
}

TEST_CASE("statnn records: the writer refuses what no reader takes and leaves no file unless committed", "[data][statnn]") {
    TempDir dir;
    const std::string path = dir / "train.statnn";
    CHECK_THROWS_AS(StatnnRecordWriter(path, header_of(1, kShape, {"ok", "tab\there"})), std::invalid_argument);
    CHECK_THROWS_AS(StatnnRecordWriter(path, header_of(1, kShape, {})), std::invalid_argument);
    CHECK_THROWS_AS(StatnnRecordWriter(path, header_of(0)), std::invalid_argument);
    CHECK_THROWS_AS(StatnnRecordWriter(path, header_of(1, {3, 0, 4})), std::invalid_argument);
    {
        StatnnRecordWriter writer(path, header_of(2));
        const Bytes pixels(kShape.bytes(), 9);
        CHECK_THROWS_AS(writer.write(3, pixels.data()), std::invalid_argument);
        writer.write(1, pixels.data());
        CHECK_THROWS_AS(writer.commit(), std::logic_error);  // one record of two
    }
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);
    CHECK(::stat((path + ".tmp." + std::to_string(::getpid())).c_str(), &st) != 0);
}

TEST_CASE("statnn records: a folder of images is refused with the command that imports it", "[data][statnn]") {
    TempDir dir;
    ::mkdir((dir / "train").c_str(), 0755);
    CHECK_FALSE(is_image_folder(dir.path()));  // no class folder yet
    ::mkdir((dir / "train/cat").c_str(), 0755);
    write_bytes(dir / "train/cat/notes.txt", {'x'});
    CHECK_FALSE(is_image_folder(dir.path()));  // no image in it
    write_bytes(dir / "train/cat/1.PNG", {'x'});
    CHECK(is_image_folder(dir.path()));
    CHECK(recognize_format(dir.path()) == DataFormat::ImageFolder);
    DataOptions options;
    options.program = "build/cnn4";
    const std::string says = dir.path() + ": a folder of images (train/<class>/...), which training does not read "
                                          "directly; run `build/cnn4 import " + dir.path() + " --out DIR` first, then use --data DIR";
    CHECK_THROWS_WITH(Dataset(dir.path(), options), says);
    CHECK_THROWS_WITH(dataset_class_names(dir.path(), options), says);
    // Records beside the images are what is read.
    write_set(dir.path(), 2, 2);
    CHECK(recognize_format(dir.path()) == DataFormat::StatnnRecords);
}
