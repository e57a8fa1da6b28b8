// tests/data/test_normalize.cpp — per-channel normalisation of any channel count: the
// statistics train measures on the training records (against a direct double-precision
// computation), the values they give, the checks, and a reader of 1- and 2-channel images
// applying them.
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/data/batch_reader.hpp"
#include "statnn/data/normalize.hpp"
#include "statnn/shape.hpp"

using namespace statnn;
using namespace statnn::data;

namespace {

// Record i, channel c, pixel p: a byte that varies with all three (and channel 2, when
// there is one, is constant); label i % 10.
class PatternSource final : public RecordSource {
public:
    PatternSource(RecordShape shape, long records) : shape_(shape), records_(records) {}
    long records() const override { return records_; }
    RecordShape shape() const override { return shape_; }
    int classes() const override { return 10; }
    Split split() const override { return Split::Train; }
    void read(long index, unsigned char* pixels, std::int32_t& label) const override {
        for (int c = 0; c < shape_.channels; ++c)
            for (std::size_t p = 0; p < shape_.pixels(); ++p) pixels[std::size_t(c) * shape_.pixels() + p] = byte(index, c, p);
        label = std::int32_t(index % 10);
    }
    std::string record_name(long index) const override { return "pattern: record " + std::to_string(index); }

    static unsigned char byte(long index, int c, std::size_t p) {
        if (c == 2) return 77;
        return static_cast<unsigned char>((std::size_t(index) * 37 + p * (11 + std::size_t(c) * 6) + std::size_t(c) * 90) % 256);
    }

private:
    RecordShape shape_;
    long records_;
};

// The textbook computation: mean, then the mean squared deviation, of byte / 255 in double.
void direct_statistics(const RecordSource& source, long records, int c, double& mean, double& stddev) {
    const RecordShape shape = source.shape();
    std::vector<unsigned char> pixels(shape.bytes());
    std::vector<double> values;
    for (long i = 0; i < records; ++i) {
        std::int32_t label = 0;
        source.read(i, pixels.data(), label);
        for (std::size_t p = 0; p < shape.pixels(); ++p) values.push_back(pixels[std::size_t(c) * shape.pixels() + p] / 255.0);
    }
    double sum = 0;
    for (double v : values) sum += v;
    mean = sum / double(values.size());
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    stddev = std::sqrt(squares / double(values.size()));
}

using Grey = Shape<1, 4, 4>;
using GreyReader = BatchReader<Grey, 3>;

}  // namespace

TEST_CASE("normalisation: the statistics of the training records equal a direct double-precision computation",
          "[data][normalize]") {
    const PatternSource source({3, 5, 7}, 123);
    for (const long limit : {0L, 40L, 1000L}) {
        INFO("limit " << limit);
        const long records = limit > 0 && limit < source.records() ? limit : source.records();
        const ChannelStatistics s = channel_statistics(source, limit);
        CHECK(s.channels == 3);
        CHECK(s.records == records);
        for (int c = 0; c < 3; ++c) {
            double mean = 0, stddev = 0;
            direct_statistics(source, records, c, mean, stddev);
            CHECK(s.mean[c] == Approx(mean).epsilon(1e-12));
            CHECK(s.stddev[c] == Approx(stddev).epsilon(1e-12).margin(1e-12));
        }
        CHECK(s.stddev[2] == 0.0);  // the constant channel: exactly
    }
    // Deterministic: the same bits every time.
    const ChannelStatistics a = channel_statistics(source, 0), b = channel_statistics(source, 0);
    for (int c = 0; c < 3; ++c) CHECK((a.mean[c] == b.mean[c] && a.stddev[c] == b.stddev[c]));
}

TEST_CASE("normalisation: measured values are the statistics as floats, a constant channel only centred",
          "[data][normalize]") {
    const PatternSource source({3, 5, 7}, 50);
    const ChannelStatistics s = channel_statistics(source, 0);
    const Normalization n = normalization_from(s);
    CHECK(n.enabled);
    CHECK(n.source == NormalizationSource::TrainingData);
    CHECK(n.channels == 3);
    CHECK(!n.awaits_statistics());
    for (int c = 0; c < 2; ++c) {
        CHECK(n.mean[c] == float(s.mean[c]));
        CHECK(n.stddev[c] == float(s.stddev[c]));
    }
    CHECK(n.mean[2] == float(77 / 255.0));
    CHECK(n.stddev[2] == 1.0f);
    CHECK_NOTHROW(check_normalization(n, 3));
    CHECK(describe_normalization(n, 50).find("(measured on 50 training images)") != std::string::npos);
}

TEST_CASE("normalisation: what the recipe asks for and the checks of its values", "[data][normalize]") {
    CHECK(kNormalizeFromTrainingData.awaits_statistics());
    CHECK_THROWS_WITH(check_normalization(kNormalizeFromTrainingData, 3), Catch::Contains("not measured yet"));
    // The form the targets write: three channels.
    constexpr Normalization cifar10{true, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
    CHECK(cifar10.channels == 3);
    CHECK(cifar10.source == NormalizationSource::Recipe);
    CHECK_NOTHROW(check_normalization(cifar10, 3));
    CHECK_THROWS_WITH(check_normalization(cifar10, 1), Catch::Equals("normalisation of 3 channel(s), but the images have 1"));
    CHECK(describe_normalization(cifar10) == "mean 0.4914 0.4822 0.4465, standard deviation 0.247 0.2435 0.2616 (the recipe's values)");
    CHECK(describe_normalization(Normalization{}) == "off");
    CHECK_NOTHROW(check_normalization(Normalization{}, 40));  // off fits any image
    const Normalization sixteen{true, {}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 16};
    CHECK_NOTHROW(check_normalization(sixteen, 16));
    Normalization seventeen = sixteen;
    seventeen.channels = 17;
    CHECK_THROWS_WITH(check_normalization(seventeen, 17), Catch::Contains("expected 1 to 16"));
    const PatternSource wide({17, 2, 2}, 3);
    CHECK_THROWS_WITH(channel_statistics(wide, 0), Catch::Contains("at most 16 are normalised"));
    CHECK_THROWS_WITH(channel_statistics(PatternSource({1, 2, 2}, 0), 0), Catch::Contains("no training records"));
}

TEST_CASE("normalisation: a 1-channel reader gives (byte / 255 - mean) / stddev", "[data][normalize][reader]") {
    const PatternSource source({1, 4, 4}, 10);
    const Normalization n = normalization_from(channel_statistics(source, 0));
    REQUIRE(n.channels == 1);
    GreyReader::Slots slots;
    GreyReader reader(source, slots, 3, 0, false, 1, Augmentation{}, n);
    std::array<float, 3 * Grey::size> images;
    std::array<std::int32_t, 3> labels;
    reader.start_epoch(0);
    long record = 0;
    for (int rows; (rows = reader.next(images.data(), labels.data())) > 0;)
        for (int r = 0; r < rows; ++r, ++record)
            for (std::size_t p = 0; p < Grey::size; ++p) {
                const float expected = (float(PatternSource::byte(record, 0, p)) / 255.0f - n.mean[0]) / n.stddev[0];
                REQUIRE(images[std::size_t(r) * Grey::size + p] == expected);
            }
    CHECK(record == 10);
}

TEST_CASE("normalisation: a 2-channel reader normalises each channel with its own values", "[data][normalize][reader]") {
    using Pair = Shape<2, 3, 3>;
    const PatternSource source({2, 3, 3}, 4);
    const Normalization n{true, {0.25f, 0.75f}, {0.5f, 0.125f}, 2};
    BatchReader<Pair, 4>::Slots slots;
    BatchReader<Pair, 4> reader(source, slots, 4, 0, false, 1, Augmentation{}, n);
    std::array<float, 4 * Pair::size> images;
    std::array<std::int32_t, 4> labels;
    reader.start_epoch(0);
    REQUIRE(reader.next(images.data(), labels.data()) == 4);
    for (long i = 0; i < 4; ++i)
        for (std::size_t p = 0; p < 9; ++p)
            for (int c = 0; c < 2; ++c) {
                const float expected = (float(PatternSource::byte(i, c, p)) / 255.0f - n.mean[c]) / n.stddev[c];
                REQUIRE(images[std::size_t(i) * Pair::size + p * 2 + std::size_t(c)] == expected);
            }
    // Values for another channel count, or none yet, are refused when the reader is made.
    GreyReader::Slots grey_slots;
    const PatternSource grey({1, 4, 4}, 3);
    CHECK_THROWS_WITH(GreyReader(grey, grey_slots, 3, 0, false, 1, Augmentation{}, n),
                      Catch::Equals("normalisation of 2 channel(s), but the images have 1"));
    CHECK_THROWS_AS(GreyReader(grey, grey_slots, 3, 0, false, 1, Augmentation{}, kNormalizeFromTrainingData),
                    std::invalid_argument);
}
