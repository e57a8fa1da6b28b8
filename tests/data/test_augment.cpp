// tests/data/test_augment.cpp — augmentation and normalisation in the reader pipeline.
// The oracle for a shift and flip is the textbook construction, written differently
// from statnn's: pad the image with zeros into a larger canvas, cut a window out of it,
// mirror the window's columns. Then: exact pixels for known draws, draws spread evenly
// over shifts and flips, the augmenting reader delivering the oracle's image for each
// record and the same images whatever the reader, batch size or resume point, test
// images never augmented, and per-channel normalisation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "catch.hpp"
#include "statnn/data/augment.hpp"
#include "statnn/data/cifar10.hpp"
#include "statnn/data/normalize.hpp"
#include "support/cifar_files.hpp"
#include "support/cifar_reader.hpp"

using namespace statnn;
using namespace statnn::data;
using namespace statnn::test;

namespace {

constexpr int kSize = 32;

// The oracle: `planes` (R, G, B planes of 32x32 bytes) padded with `pad` zero pixels on
// every side; the 32x32 window whose top-left corner is at (pad - dy, pad - dx) of that
// canvas, so the content moves dx right and dy down; its columns reversed if `flip`;
// then byte / 255, channels-last.
std::vector<float> reference_transform(const unsigned char* planes, int pad, const ImageTransform& t) {
    const int canvas = kSize + 2 * pad;
    std::vector<unsigned char> padded(std::size_t(3) * canvas * canvas, 0);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x)
                padded[(std::size_t(c) * canvas + std::size_t(y + pad)) * canvas + std::size_t(x + pad)] =
                    planes[c * kPixels + y * kSize + x];
    std::vector<unsigned char> window(std::size_t(3) * kPixels);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < kSize; ++y)
            for (int x = 0; x < kSize; ++x)
                window[std::size_t(c) * kPixels + std::size_t(y) * kSize + std::size_t(x)] =
                    padded[(std::size_t(c) * canvas + std::size_t(y + pad - t.dy)) * canvas + std::size_t(x + pad - t.dx)];
    std::vector<float> out(kImageBytes);
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x)
            for (int c = 0; c < 3; ++c) {
                const int from_x = t.flip ? kSize - 1 - x : x;
                out[std::size_t(y * kSize + x) * 3 + std::size_t(c)] =
                    float(window[std::size_t(c) * kPixels + std::size_t(y) * kSize + std::size_t(from_x)]) / 255.0f;
            }
    return out;
}

std::vector<float> transformed(const unsigned char* planes, const ImageTransform& t) {
    std::vector<float> out(kImageBytes, -1.0f);
    transformed_image_to_float<kSize, kSize, 3>(planes, t, out.data());
    return out;
}

// A record whose every pixel byte is different from its neighbours' and never 0, so a
// misplaced or missing pixel shows.
std::vector<unsigned char> distinct_planes() {
    std::vector<unsigned char> planes(kImageBytes);
    for (int c = 0; c < 3; ++c)
        for (int p = 0; p < kPixels; ++p) planes[std::size_t(c * kPixels + p)] = static_cast<unsigned char>(1 + (p * 7 + c * 85) % 255);
    return planes;
}

// Value of channel c at (y, x) of a channels-last image.
float at(const std::vector<float>& image, int y, int x, int c) { return image[std::size_t(y * kSize + x) * 3 + std::size_t(c)]; }
float byte_at(const std::vector<unsigned char>& planes, int y, int x, int c) {
    return float(planes[std::size_t(c * kPixels + y * kSize + x)]) / 255.0f;
}

// Every image of one epoch of `reader`, in order, with the records they came from.
std::vector<float> epoch_images(CifarReader& reader, int epoch, long first_batch = 0) {
    std::vector<float> x(std::size_t(reader.batch()) * kImageBytes), all;
    std::vector<std::int32_t> y(std::size_t(reader.batch()));
    reader.start_epoch(epoch, first_batch);
    for (int n; (n = reader.next(x.data(), y.data())) > 0;) all.insert(all.end(), x.begin(), x.begin() + std::size_t(n) * kImageBytes);
    return all;
}

constexpr Augmentation kAugment{4, true};

}  // namespace

TEST_CASE("augment: every shift and flip equals the padded-window reference, pixel for pixel", "[data][augment]") {
    const auto planes = distinct_planes();
    for (int pad : {1, 4, 31})
        for (int dy = -pad; dy <= pad; dy += (pad > 4 ? 10 : 1))
            for (int dx = -pad; dx <= pad; dx += (pad > 4 ? 10 : 1))
                for (bool flip : {false, true}) {
                    const ImageTransform t{dx, dy, flip};
                    INFO("pad " << pad << ", dx " << dx << ", dy " << dy << ", flip " << flip);
                    REQUIRE(transformed(planes.data(), t) == reference_transform(planes.data(), pad, t));
                }
}

TEST_CASE("augment: known pixels for known shifts and flips", "[data][augment]") {
    const auto planes = distinct_planes();
    // No shift, no flip: exactly the plain conversion.
    std::vector<float> plain(kImageBytes);
    record_to_float(planes.data(), plain.data());
    CHECK(transformed(planes.data(), {0, 0, false}) == plain);

    // One pixel right: column 0 is black, column 1 holds the old column 0, the old column 31 is gone.
    const auto right = transformed(planes.data(), {1, 0, false});
    for (int y = 0; y < kSize; ++y)
        for (int c = 0; c < 3; ++c) {
            CHECK(at(right, y, 0, c) == 0.0f);
            CHECK(at(right, y, 1, c) == byte_at(planes, y, 0, c));
            CHECK(at(right, y, 31, c) == byte_at(planes, y, 30, c));
        }
    // Two pixels up: row 0 holds the old row 2, rows 30 and 31 are black.
    const auto up = transformed(planes.data(), {0, -2, false});
    for (int x = 0; x < kSize; ++x)
        for (int c = 0; c < 3; ++c) {
            CHECK(at(up, 0, x, c) == byte_at(planes, 2, x, c));
            CHECK(at(up, 29, x, c) == byte_at(planes, 31, x, c));
            CHECK(at(up, 30, x, c) == 0.0f);
            CHECK(at(up, 31, x, c) == 0.0f);
        }
    // Mirrored: column x holds the old column 31 - x.
    const auto mirrored = transformed(planes.data(), {0, 0, true});
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x)
            for (int c = 0; c < 3; ++c) REQUIRE(at(mirrored, y, x, c) == byte_at(planes, y, 31 - x, c));
    // Shifted 3 right, 4 down, then mirrored: the black columns end up on the right.
    const auto both = transformed(planes.data(), {3, 4, true});
    for (int c = 0; c < 3; ++c) {
        CHECK(at(both, 4, 0, c) == byte_at(planes, 0, 28, c));
        CHECK(at(both, 4, 28, c) == byte_at(planes, 0, 0, c));
        CHECK(at(both, 4, 29, c) == 0.0f);
        CHECK(at(both, 3, 0, c) == 0.0f);
        CHECK(at(both, 31, 10, c) == byte_at(planes, 27, 18, c));
    }
}

TEST_CASE("augment: draws cover every shift and both flips, evenly and independently", "[data][augment]") {
    constexpr long kRecords = 5000;
    constexpr int kEpochs = 18;  // 90,000 draws
    std::map<int, long> dx_count, dy_count;
    std::map<std::tuple<int, int, bool>, long> joint;
    long flips = 0, draws = 0, same_next_epoch = 0;
    for (int e = 0; e < kEpochs; ++e)
        for (long r = 0; r < kRecords; ++r) {
            const ImageTransform t = draw_transform(kAugment, 1, std::uint32_t(e), std::uint32_t(r));
            REQUIRE(t.dx >= -4);
            REQUIRE(t.dx <= 4);
            REQUIRE(t.dy >= -4);
            REQUIRE(t.dy <= 4);
            ++dx_count[t.dx], ++dy_count[t.dy], ++joint[{t.dx, t.dy, t.flip}];
            flips += t.flip;
            ++draws;
            same_next_epoch += t == draw_transform(kAugment, 1, std::uint32_t(e + 1), std::uint32_t(r));
        }
    // 10,000 expected per shift (standard deviation about 94), 45,000 flips (about 150),
    // 556 per (dx, dy, flip) (about 24): the bounds are several deviations wide.
    REQUIRE(dx_count.size() == 9);
    REQUIRE(dy_count.size() == 9);
    for (int d = -4; d <= 4; ++d) {
        INFO("shift " << d << ": dx " << dx_count[d] << " times, dy " << dy_count[d] << " times");
        CHECK(std::abs(dx_count[d] - draws / 9) < 600);
        CHECK(std::abs(dy_count[d] - draws / 9) < 600);
    }
    CHECK(std::abs(flips - draws / 2) < 1000);
    REQUIRE(joint.size() == 162);
    for (const auto& [cell, count] : joint) {
        INFO("dx " << std::get<0>(cell) << ", dy " << std::get<1>(cell) << ", flip " << std::get<2>(cell) << ": " << count);
        CHECK(count > 556 - 150);
        CHECK(count < 556 + 150);
    }
    // A record gets a new draw each epoch: the same one again only by chance (1 in 162).
    CHECK(same_next_epoch < draws / 100);
    // Another seed, other draws.
    long same_other_seed = 0;
    for (long r = 0; r < kRecords; ++r)
        same_other_seed += draw_transform(kAugment, 1, 0, std::uint32_t(r)) == draw_transform(kAugment, 2, 0, std::uint32_t(r));
    CHECK(same_other_seed < kRecords / 50);

    // What is switched off stays off.
    for (long r = 0; r < 1000; ++r) {
        const ImageTransform flip_only = draw_transform({0, true}, 1, 0, std::uint32_t(r));
        REQUIRE(flip_only.dx == 0);
        REQUIRE(flip_only.dy == 0);
        const ImageTransform shift_only = draw_transform({2, false}, 1, 0, std::uint32_t(r));
        REQUIRE(!shift_only.flip);
        REQUIRE(std::abs(shift_only.dx) <= 2);
        REQUIRE(std::abs(shift_only.dy) <= 2);
    }
}

TEST_CASE("augmenting reader: each image is the reference transform of its record, drawn from (seed, epoch, record)",
          "[data][augment]") {
    TempDir dir;
    write_cifar_set(dir.path(), 23);  // 115 records
    const Cifar10Set set(dir.path(), Split::Train);
    constexpr std::uint64_t kSeed = 11;
    CifarReader reader(set, 8, 0, true, kSeed, kAugment);
    CHECK(reader.augmentation() == kAugment);
    std::vector<unsigned char> record(kRecordBytes);
    for (int epoch : {0, 3}) {
        const auto images = epoch_images(reader, epoch);
        REQUIRE(images.size() == std::size_t(115) * kImageBytes);
        long changed = 0;
        for (std::size_t i = 0; i < reader.order().size(); ++i) {
            const std::uint32_t r = reader.order()[i];
            set.read_record(long(r), record.data());
            const ImageTransform t = draw_transform(kAugment, kSeed, std::uint32_t(epoch), r);
            const auto expected = reference_transform(record.data() + 1, kAugment.pad, t);
            INFO("epoch " << epoch << ", image " << i << " (record " << r << ")");
            REQUIRE(std::equal(expected.begin(), expected.end(), images.begin() + long(i) * kImageBytes));
            changed += !(t == ImageTransform{});
        }
        CHECK(changed > 100);  // 114 of 115 expected to move or flip
    }
}

TEST_CASE("augmenting reader: the same images for two readers, any batch size and any resume point", "[data][augment]") {
    TempDir dir;
    write_cifar_set(dir.path(), 23);
    const Cifar10Set set(dir.path(), Split::Train);
    CifarReader a(set, 8, 0, true, 5, kAugment), b(set, 8, 0, true, 5, kAugment), other_batch(set, 5, 0, true, 5, kAugment);
    const auto epoch2 = epoch_images(a, 2);
    CHECK(epoch_images(b, 2) == epoch2);
    CHECK(epoch_images(other_batch, 2) == epoch2);
    // Resuming epoch 2 at batch 4 (after 32 images) gives the rest of it, after another epoch ran.
    epoch_images(b, 0);
    const auto tail = epoch_images(b, 2, 4);
    REQUIRE(tail.size() == epoch2.size() - std::size_t(32) * kImageBytes);
    CHECK(std::equal(tail.begin(), tail.end(), epoch2.begin() + 32 * kImageBytes));
    // The comparisons can fail: another epoch, another seed, no augmentation all differ.
    CHECK(epoch_images(a, 3) != epoch2);
    CifarReader other_seed(set, 8, 0, true, 6, kAugment), plain(set, 8, 0, true, 5);
    CHECK(epoch_images(other_seed, 2) != epoch2);
    CHECK(epoch_images(plain, 2) != epoch2);
}

TEST_CASE("augmenting reader: validation and test images are never augmented", "[data][augment]") {
    TempDir dir;
    write_cifar_set(dir.path(), 10);
    const Cifar10Set test(dir.path(), Split::Test);
    CHECK_THROWS_AS(CifarReader(test, 4, 0, false, 1, kAugment), std::invalid_argument);
    CHECK_THROWS_WITH(CifarReader(test, 4, 0, false, 1, {0, true}), Catch::Contains("training images only"));
    // Without augmentation a test reader gives byte / 255, whatever its seed.
    CifarReader reader(test, 4, 0, false, 99);
    const auto images = epoch_images(reader, 7);
    std::vector<unsigned char> record(kRecordBytes);
    std::vector<float> expected(kImageBytes);
    for (long i = 0; i < test.records(); ++i) {
        test.read_record(i, record.data());
        record_to_float(record.data() + 1, expected.data());
        REQUIRE(std::equal(expected.begin(), expected.end(), images.begin() + i * kImageBytes));
    }
}

TEST_CASE("augmenting reader: a shift as large as the image is refused", "[data][augment][errors]") {
    TempDir dir;
    write_cifar_set(dir.path(), 10);
    const Cifar10Set set(dir.path(), Split::Train);
    CHECK_THROWS_WITH(CifarReader(set, 4, 0, true, 1, {32, false}), Catch::Contains("pad 32 must be 0..31 pixels"));
    CHECK_THROWS_AS(CifarReader(set, 4, 0, true, 1, {-1, true}), std::invalid_argument);
    CHECK_NOTHROW(CifarReader(set, 4, 0, true, 1, {31, true}));
}

TEST_CASE("augment: describe says what a setting does", "[data][augment]") {
    CHECK(describe(kSeedModelAugmentation) == "random shift of up to 4 pixels (zero padding) and horizontal flip");
    CHECK(describe({}) == "none");
    CHECK(describe({0, true}) == "horizontal flip");
    CHECK(describe({1, false}) == "random shift of up to 1 pixel (zero padding)");
}

TEST_CASE("mirror_horizontally: reverses each row's pixels in place, channels kept together", "[data][augment]") {
    std::vector<float> image(std::size_t(2) * 5 * 3);
    for (std::size_t i = 0; i < image.size(); ++i) image[i] = float(i);
    auto original = image;
    mirror_horizontally(image.data(), 2, 5, 3);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 5; ++x)
            for (int c = 0; c < 3; ++c) CHECK(image[std::size_t((y * 5 + x) * 3 + c)] == original[std::size_t((y * 5 + 4 - x) * 3 + c)]);
    mirror_horizontally(image.data(), 2, 5, 3);
    CHECK(image == original);
    // The same as the augmentation's flip.
    const auto planes = distinct_planes();
    std::vector<float> flipped(kImageBytes);
    record_to_float(planes.data(), flipped.data());
    mirror_horizontally(flipped.data(), kSize, kSize, 3);
    CHECK(flipped == transformed(planes.data(), {0, 0, true}));
}

TEST_CASE("normalisation: off is byte / 255 exactly, on is (byte / 255 - mean) / stddev per channel, after the shift",
          "[data][normalize]") {
    TempDir dir;
    write_cifar_set(dir.path(), 10);
    const Cifar10Set set(dir.path(), Split::Train);
    Normalization n;
    n.enabled = true;
    const float mean[3] = {0.49f, 0.48f, 0.45f}, stddev[3] = {0.25f, 0.24f, 0.26f};
    std::copy(mean, mean + 3, n.mean);
    std::copy(stddev, stddev + 3, n.stddev);
    CifarReader plain(set, 8, 0, false, 1), normalised(set, 8, 0, false, 1, {}, n), both(set, 8, 0, false, 1, kAugment, n);
    const auto p = epoch_images(plain, 0), q = epoch_images(normalised, 0), r = epoch_images(both, 0);
    REQUIRE(p.size() == q.size());
    for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(q[i] == (p[i] - mean[i % 3]) / stddev[i % 3]);
    // Augmented then normalised: the black pixels a shift brings in become -mean / stddev.
    std::vector<unsigned char> record(kRecordBytes);
    for (long i = 0; i < set.records(); ++i) {
        set.read_record(i, record.data());
        auto expected = reference_transform(record.data() + 1, 4, draw_transform(kAugment, 1, 0, std::uint32_t(i)));
        for (std::size_t e = 0; e < expected.size(); ++e) expected[e] = (expected[e] - mean[e % 3]) / stddev[e % 3];
        REQUIRE(std::equal(expected.begin(), expected.end(), r.begin() + i * kImageBytes));
    }
    // Settings that make no sense are refused.
    Normalization zero = n;
    zero.stddev[1] = 0.0f;
    CHECK_THROWS_WITH(CifarReader(set, 8, 0, false, 1, {}, zero), Catch::Contains("normalisation of channel 1"));
    Normalization nan = n;
    nan.mean[2] = std::nanf("");
    CHECK_THROWS_AS(check_normalization(nan, 3), std::invalid_argument);
    CHECK_NOTHROW(check_normalization(Normalization{}, 3));
}

TEST_CASE("translate_reflect: the crops of a reflect-padded image (PyTorch's F.pad 'reflect')", "[data][augment]") {
    // A 4 x 5 image, 2 channels: value 100*y + 10*x + c.
    constexpr int H = 4, W = 5, C = 2;
    std::vector<float> image(std::size_t(H) * W * C), moved(image.size());
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
            for (int c = 0; c < C; ++c) image[std::size_t((y * W + x) * C + c)] = float(100 * y + 10 * x + c);
    // Padded by 1 with reflection: row -1 is row 1, row H is row H-2 (the edge is not repeated).
    auto padded = [&](int y, int x, int c) {
        const int ry = y < 0 ? 1 : (y >= H ? H - 2 : y), rx = x < 0 ? 1 : (x >= W ? W - 2 : x);
        return image[std::size_t((ry * W + rx) * C + c)];
    };
    // Down-right by one: padded[0:H, 0:W]; up-left by one: padded[2:H+2, 2:W+2].
    for (const int shift : {1, -1}) {
        translate_reflect(image.data(), moved.data(), H, W, C, shift, shift);
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x)
                for (int c = 0; c < C; ++c) CHECK(moved[std::size_t((y * W + x) * C + c)] == padded(y - shift, x - shift, c));
    }
    CHECK(moved != image);
    translate_reflect(image.data(), moved.data(), H, W, C, 0, 0);
    CHECK(moved == image);
}

TEST_CASE("augment with a reflected border: the shifted image's outside is its own mirrored border, then the flip",
          "[data][augment]") {
    const auto planes = distinct_planes();
    std::vector<float> plain(kImageBytes), moved(kImageBytes);
    record_to_float(planes.data(), plain.data());
    for (const ImageTransform t : {ImageTransform{2, -1, false}, ImageTransform{-2, 2, true}, ImageTransform{0, 0, true},
                                   ImageTransform{1, 0, false}}) {
        std::vector<float> out(kImageBytes, -1.0f);
        transformed_image_to_float<kSize, kSize, 3>(planes.data(), t, out.data(), true);
        translate_reflect(plain.data(), moved.data(), kSize, kSize, 3, t.dy, t.dx);  // oracle: shift, then mirror
        if (t.flip) mirror_horizontally(moved.data(), kSize, kSize, 3);
        INFO("dx " << t.dx << ", dy " << t.dy << ", flip " << t.flip);
        CHECK(out == moved);
        if (t.dx != 0 || t.dy != 0) CHECK(out != transformed(planes.data(), t));  // not the black border
    }
    // A reader with the reflected border: its images are those transforms of its records.
    TempDir dir;
    write_cifar_set(dir.path(), 4);
    const Cifar10Set set(dir.path(), Split::Train);
    const Augmentation reflecting{2, true, true};
    CHECK(describe(reflecting) == "random shift of up to 2 pixels (reflected border) and horizontal flip");
    CifarReader reader(set, 8, 0, true, 3, reflecting);
    const auto images = epoch_images(reader, 1);
    std::vector<unsigned char> record(kRecordBytes);
    for (std::size_t i = 0; i < reader.order().size(); ++i) {
        const std::uint32_t r = reader.order()[i];
        set.read_record(long(r), record.data());
        std::vector<float> expected(kImageBytes);
        transformed_image_to_float<kSize, kSize, 3>(record.data() + 1, draw_transform(reflecting, 3, 1, r), expected.data(), true);
        REQUIRE(std::equal(expected.begin(), expected.end(), images.begin() + long(i) * kImageBytes));
    }
}
