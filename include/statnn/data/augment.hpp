// statnn/data/augment.hpp — random shifts and mirror images of training images.
//
// A training image is shifted by (dx, dy) pixels, each drawn uniformly from -pad..pad,
// the pixels moved in from outside being 0 (black): the same as padding the image with
// `pad` zero pixels on every side and cropping a random window of the original size.
// With `reflect`, they are the image's own pixels mirrored at its border instead
// (PyTorch's 'reflect' padding, airbench's): no black band the test images never show.
// Then, with probability 1/2, it is mirrored left to right. The label stays: a shifted
// or mirrored airplane is still an airplane.
//
// The draw for an image depends only on (seed, epoch, the image's record index in the
// data set), through a counter-based hash: no generator state is shared between images
// or batches, so an epoch resumed at any batch, a different batch size or a different
// number of threads sees exactly the same images.
//
// pad 4 for the seed models: the usual CIFAR-10 recipe (4-pixel padding and a random
// 32x32 crop, plus flips), a little above the shift of up to 10% of the width (3.2
// pixels) in Keras' cifar10_cnn example. An eighth of the side keeps the object in
// view; a shorter schedule may prefer less (2 pixels for runs of about ten epochs).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "statnn/rng.hpp"

namespace statnn::data {

// What augmentation does to each training image; {} is none.
struct Augmentation {
    int pad = 0;        // largest shift in pixels, in x and in y (0: no shift)
    bool flip = false;  // mirror left to right with probability 1/2
    bool reflect = false;  // shifted-in pixels mirrored from the image (else black)

    bool enabled() const { return pad > 0 || flip; }
    friend bool operator==(const Augmentation& a, const Augmentation& b) {
        return a.pad == b.pad && a.flip == b.flip && (a.reflect == b.reflect || a.pad == 0);
    }
    friend bool operator!=(const Augmentation& a, const Augmentation& b) { return !(a == b); }
};

// The seed models' --augment (see the top of this file).
inline constexpr Augmentation kSeedModelAugmentation{4, true};

// "random shift of up to 4 pixels (zero padding) and horizontal flip", "none".
inline std::string describe(const Augmentation& a) {
    if (!a.enabled()) return "none";
    std::string d;
    if (a.pad > 0)
        d = "random shift of up to " + std::to_string(a.pad) + " pixel" + (a.pad == 1 ? "" : "s") +
            (a.reflect ? " (reflected border)" : " (zero padding)");
    if (a.flip) d += std::string(d.empty() ? "" : " and ") + "horizontal flip";
    return d;
}

// One image's draw: its content moves dx pixels right and dy pixels down, then it is
// mirrored if `flip`.
struct ImageTransform {
    int dx = 0, dy = 0;
    bool flip = false;
    friend bool operator==(const ImageTransform& a, const ImageTransform& b) {
        return a.dx == b.dx && a.dy == b.dy && a.flip == b.flip;
    }
};

// A uniform integer in [0, n) from 32 random bits (multiply-shift; the bias, below
// n / 2^32, is far beneath anything a training run can see).
constexpr int uniform_below(std::uint32_t bits, int n) { return int((std::uint64_t(bits) * std::uint64_t(n)) >> 32); }

// The draw for record `record` in epoch `epoch` (0-based) of a run seeded `seed`.
constexpr ImageTransform draw_transform(const Augmentation& a, std::uint64_t seed, std::uint32_t epoch, std::uint32_t record) {
    // A stream of its own: neither the shuffle nor dropout draws from this key.
    const std::uint64_t key = splitmix64(seed ^ 0x4155474D454E54ull);  // "AUGMENT"
    const std::uint64_t bits = splitmix64(key ^ ((std::uint64_t(epoch) << 32) | record));
    ImageTransform t;
    const int choices = 2 * a.pad + 1;
    t.dx = uniform_below(std::uint32_t(bits), choices) - a.pad;
    t.dy = uniform_below(std::uint32_t(bits >> 32) << 1, choices) - a.pad;  // bits 32..62
    t.flip = a.flip && (bits >> 63) != 0;
    return t;
}

// An augmentation that the images of Height x Width pixels can take: a shift smaller
// than the image. Throws std::invalid_argument.
inline void check_augmentation(const Augmentation& a, int height, int width) {
    if (a.pad < 0 || a.pad >= height || a.pad >= width)
        throw std::invalid_argument("augmentation: pad " + std::to_string(a.pad) + " must be 0.." +
                                    std::to_string((height < width ? height : width) - 1) + " pixels");
}

// The index i of an axis of n pixels, mirrored into 0..n-1 at the borders (the edge
// pixel not repeated): -1 -> 1, n -> n - 2. For |i| < 2n - 1.
constexpr int reflect_index(int i, int n) { return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i); }

// Image `planes` (Channels planes of Height x Width bytes, row-major, as CIFAR-10 stores
// them) under transform `t`, as float / 255, channels-last (y, x, c), into `out`:
//   out(y, x, c) = in(y - dy, sx - dx, c) with sx = flip ? Width - 1 - x : x, 0 outside
// (with `reflect`, outside indices mirrored back in by reflect_index).
// Without a shift or flip it equals record_to_float bit for bit (the same division).
template <int Height, int Width, int Channels>
void transformed_image_to_float(const unsigned char* planes, const ImageTransform& t, float* out, bool reflect = false) {
    constexpr int kPlane = Height * Width;
    for (int y = 0; y < Height; ++y) {
        float* row = out + std::size_t(y) * Width * Channels;
        const int sy = reflect ? reflect_index(y - t.dy, Height) : y - t.dy;
        if (sy < 0 || sy >= Height) {
            for (int e = 0; e < Width * Channels; ++e) row[e] = 0.0f;
            continue;
        }
        for (int x = 0; x < Width; ++x) {
            const int sx = reflect ? reflect_index((t.flip ? Width - 1 - x : x) - t.dx, Width) : (t.flip ? Width - 1 - x : x) - t.dx;
            float* px = row + std::size_t(x) * Channels;
            if (sx < 0 || sx >= Width) {
                for (int c = 0; c < Channels; ++c) px[c] = 0.0f;
            } else {
                for (int c = 0; c < Channels; ++c) px[c] = float(planes[c * kPlane + sy * Width + sx]) / 255.0f;
            }
        }
    }
}

// Mirrors a channels-last (height, width, channels) float image left to right, in place
// (test-time augmentation).
inline void mirror_horizontally(float* image, int height, int width, int channels) {
    for (int y = 0; y < height; ++y) {
        float* row = image + std::size_t(y) * std::size_t(width) * std::size_t(channels);
        for (int l = 0, r = width - 1; l < r; ++l, --r)
            for (int c = 0; c < channels; ++c) {
                const float v = row[l * channels + c];
                row[l * channels + c] = row[r * channels + c];
                row[r * channels + c] = v;
            }
    }
}

// dst = src moved by (dy, dx) pixels, the uncovered border filled by reflection (PyTorch's
// 'reflect' padding: the edge pixel is not repeated). |dy|, |dx| < height, width.
inline void translate_reflect(const float* src, float* dst, int height, int width, int channels, int dy, int dx) {
    for (int y = 0; y < height; ++y) {
        const int sy = reflect_index(y - dy, height);
        for (int x = 0; x < width; ++x) {
            const float* from =
                src + (std::size_t(sy) * std::size_t(width) + std::size_t(reflect_index(x - dx, width))) * std::size_t(channels);
            float* to = dst + (std::size_t(y) * std::size_t(width) + std::size_t(x)) * std::size_t(channels);
            for (int c = 0; c < channels; ++c) to[c] = from[c];
        }
    }
}

}  // namespace statnn::data
