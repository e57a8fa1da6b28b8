// src/image_resize.cpp — see image_resize.hpp.
#include "image_resize.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace statnn {

namespace {

// The input pixels one output pixel covers along one axis, from `first` on, and how much
// of each: in units of 1 / out of an input pixel, so the weights are integers that sum
// to `in` for every output pixel.
struct AreaTaps {
    int first = 0;
    std::vector<std::uint64_t> weights;
};

std::vector<AreaTaps> area_taps(int in, int out) {
    std::vector<AreaTaps> taps(static_cast<std::size_t>(out));
    for (int o = 0; o < out; ++o) {
        const std::uint64_t lo = std::uint64_t(o) * std::uint64_t(in), hi = lo + std::uint64_t(in);
        AreaTaps& t = taps[std::size_t(o)];
        t.first = int(lo / std::uint64_t(out));
        const int last = int((hi - 1) / std::uint64_t(out));
        for (int i = t.first; i <= last; ++i) {
            const std::uint64_t from = std::max(lo, std::uint64_t(i) * std::uint64_t(out));
            const std::uint64_t to = std::min(hi, std::uint64_t(i + 1) * std::uint64_t(out));
            t.weights.push_back(to - from);
        }
    }
    return taps;
}

// Rows of the input, each narrowed to `width` by the horizontal taps: weighted sums,
// not yet divided.
std::vector<std::uint64_t> narrow_rows(const RgbImage& image, int width) {
    const std::vector<AreaTaps> taps = area_taps(image.width, width);
    std::vector<std::uint64_t> rows(std::size_t(image.height) * std::size_t(width) * 3);
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < width; ++x) {
            const AreaTaps& t = taps[std::size_t(x)];
            for (std::size_t i = 0; i < t.weights.size(); ++i)
                for (std::size_t c = 0; c < 3; ++c)
                    rows[(std::size_t(y) * std::size_t(width) + std::size_t(x)) * 3 + c] +=
                        t.weights[i] * image.rgb[(std::size_t(y) * std::size_t(image.width) + std::size_t(t.first) + i) * 3 + c];
        }
    return rows;
}

}  // namespace

RgbImage resize_area(const RgbImage& image, int width, int height) {
    if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide)
        throw std::invalid_argument("resize_area: cannot make an image of " + std::to_string(width) + "x" +
                                    std::to_string(height) + " pixels");
    if (image.width < 1 || image.height < 1 || image.rgb.size() != std::size_t(image.width) * std::size_t(image.height) * 3)
        throw std::invalid_argument("resize_area: an image of no pixels, or of fewer bytes than its size says");
    const std::vector<std::uint64_t> rows = narrow_rows(image, width);
    const std::vector<AreaTaps> taps = area_taps(image.height, height);
    const std::uint64_t total = std::uint64_t(image.width) * std::uint64_t(image.height);  // every pixel's weight sum
    RgbImage out{width, height, std::vector<unsigned char>(std::size_t(width) * std::size_t(height) * 3)};
    for (int y = 0; y < height; ++y) {
        const AreaTaps& t = taps[std::size_t(y)];
        for (std::size_t x = 0; x < std::size_t(width) * 3; ++x) {
            std::uint64_t sum = 0;
            for (std::size_t i = 0; i < t.weights.size(); ++i)
                sum += t.weights[i] * rows[(std::size_t(t.first) + i) * std::size_t(width) * 3 + x];
            out.rgb[std::size_t(y) * std::size_t(width) * 3 + x] = static_cast<unsigned char>((sum + total / 2) / total);
        }
    }
    return out;
}

}  // namespace statnn
