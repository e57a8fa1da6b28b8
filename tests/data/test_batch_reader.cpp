// tests/data/test_batch_reader.cpp — the batch reader over a record source that is no
// file format at all (records made in memory): any image shape, the slots the caller
// owns, the shape check, and a process's share that must fit the slots.
#include <array>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/data/batch_reader.hpp"
#include "statnn/data/batch_source.hpp"
#include "statnn/data/dataset.hpp"
#include "statnn/shape.hpp"

using namespace statnn;
using namespace statnn::data;

namespace {

// Record i: every pixel byte is i (mod 256), label i % classes.
class MemorySource final : public RecordSource {
public:
    MemorySource(RecordShape shape, long records, int classes) : shape_(shape), records_(records), classes_(classes) {}
    long records() const override { return records_; }
    RecordShape shape() const override { return shape_; }
    int classes() const override { return classes_; }
    Split split() const override { return Split::Train; }
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        for (std::size_t b = 0; b < shape_.bytes(); ++b) pixels[b] = static_cast<unsigned char>(index % 256);
        label = std::int32_t(index % classes_);
    }
    std::string record_name(long index) const override { return "memory: record " + std::to_string(index); }

private:
    RecordShape shape_;
    long records_;
    int classes_;
};

using Grey = Shape<1, 4, 4>;
using GreyReader = BatchReader<Grey, 3>;
static_assert(is_batch_source_v<GreyReader>, "the batch reader is a batch source");
static_assert(!is_batch_source_v<MemorySource>, "a record source alone is not");

}  // namespace

TEST_CASE("batch reader: a 1-channel 4x4 source in memory, every record once per epoch, shuffled", "[data][reader]") {
    const MemorySource source({1, 4, 4}, 10, 3);
    GreyReader::Slots slots;
    GreyReader reader(source, slots, 3, 0, true, 7);
    CHECK(reader.batches_per_epoch() == 4);
    std::array<float, 3 * Grey::size> images;
    std::array<std::int32_t, 3> labels;
    std::set<int> seen;
    reader.start_epoch(0);
    for (int n; (n = reader.next(images.data(), labels.data())) > 0;)
        for (int r = 0; r < n; ++r) {
            const int record = int(images[std::size_t(r) * Grey::size] * 255.0f + 0.5f);
            CHECK(images[std::size_t(r) * Grey::size + Grey::size - 1] == float(record) / 255.0f);
            CHECK(labels[std::size_t(r)] == record % 3);
            seen.insert(record);
        }
    CHECK(seen.size() == 10);
    CHECK(std::vector<std::uint32_t>(reader.order()) != std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("batch reader: records of another shape than the network's are refused, naming both", "[data][reader]") {
    const MemorySource colour({3, 4, 4}, 10, 3);
    GreyReader::Slots slots;
    CHECK_THROWS_WITH(GreyReader(colour, slots, 3, 0, false, 1),
                      Catch::Contains("records of 4x4x3 pixels, but the network takes 4x4x1"));
}

TEST_CASE("batch reader: a process's share of the global batch must fit the caller's slots", "[data][reader]") {
    const MemorySource source({1, 4, 4}, 10, 3);
    GreyReader::Slots slots;
    GreyReader reader(source, slots, 6, 0, false, 1);  // six images a step: two processes of three fit
    CHECK_THROWS_WITH(reader.start_epoch(0), Catch::Contains("gives one process 6 rows; the reader holds at most 3"));
    reader.set_shard({1, 2});
    CHECK_NOTHROW(reader.start_epoch(0));
    std::array<float, 3 * Grey::size> images;
    std::array<std::int32_t, 3> labels;
    ShardRows rows;
    REQUIRE(reader.next_rows(images.data(), labels.data(), rows));
    CHECK(rows.rows == 3);
    CHECK(rows.first == 3);
    CHECK(rows.total == 6);
}

TEST_CASE("batch reader: a normalisation of another channel count is refused", "[data][reader]") {
    const MemorySource source({1, 4, 4}, 10, 3);
    GreyReader::Slots slots;
    Normalization n;  // three channels (R, G, B)
    n.enabled = true;
    CHECK_THROWS_AS(GreyReader(source, slots, 3, 0, false, 1, Augmentation{}, n), std::invalid_argument);
    n.channels = 1;
    CHECK_NOTHROW(GreyReader(source, slots, 3, 0, false, 1, Augmentation{}, n));
}

TEST_CASE("dataset: a label the network has no output for is refused, naming the first such record", "[data][dataset]") {
    const MemorySource ten({1, 4, 4}, 30, 10);  // labels 0..9, record 3 is the first with label 3
    CHECK_NOTHROW(check_labels_fit(ten, 10));
    CHECK_THROWS_WITH(check_labels_fit(ten, 3),
                      Catch::Equals("memory: record 3 has label 3, but the network has 3 classes (labels 0..2)"));
    const MemorySource three({1, 4, 4}, 30, 3);
    CHECK_NOTHROW(check_labels_fit(three, 3));
}

TEST_CASE("dataset: records of another shape than the network's input are refused, naming the folder", "[data][dataset]") {
    const MemorySource grey({1, 28, 28}, 4, 10);
    CHECK_NOTHROW(check_record_shape(grey, {1, 28, 28}, "dir", DataFormat::Idx));
    CHECK_THROWS_WITH(check_record_shape(grey, {3, 32, 32}, "dir", DataFormat::Idx),
                      Catch::Equals("dir: idx images of 28x28x1 (height x width x channels), but the network takes 32x32x3"));
}

TEST_CASE("dataset: class names fit the network's outputs, the dataset's first, then numbers", "[data][dataset]") {
    CHECK(names_for_classes({"a", "b", "c"}, 2) == std::vector<std::string>{"a", "b"});
    CHECK(names_for_classes({"a"}, 3) == std::vector<std::string>{"a", "1", "2"});
}
