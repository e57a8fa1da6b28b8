// statnn/data/normalize.hpp — per-channel mean/std normalisation of input images.
//
// An option for recipes that want inputs centred and scaled per channel:
//   value = (byte / 255 - mean[c]) / stddev[c].
// Off by default: the seed models take byte / 255 exactly, as the Keras tutorial does.
// It applies to every image a network sees (training, validation, evaluate, predict),
// after any augmentation, so the zero pixels a shift brings in become -mean / stddev.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace statnn::data {

struct Normalization {
    bool enabled = false;
    float mean[3] = {0.0f, 0.0f, 0.0f};    // of byte / 255, per channel (R, G, B)
    float stddev[3] = {1.0f, 1.0f, 1.0f};  // idem; positive
};

// Throws std::invalid_argument for a standard deviation that is not a positive number
// or a mean that is not finite.
inline void check_normalization(const Normalization& n) {
    if (!n.enabled) return;
    for (int c = 0; c < 3; ++c)
        if (!std::isfinite(n.mean[c]) || !std::isfinite(n.stddev[c]) || !(n.stddev[c] > 0.0f))
            throw std::invalid_argument("normalisation of channel " + std::to_string(c) +
                                        ": expected a finite mean and a positive standard deviation");
}

// Normalises the `pixels` pixels of `image` (channels-last, 3 channels, float / 255) in place.
inline void normalize_channels(float* image, std::size_t pixels, const Normalization& n) {
    if (!n.enabled) return;
    for (std::size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < 3; ++c) image[p * 3 + std::size_t(c)] = (image[p * 3 + std::size_t(c)] - n.mean[c]) / n.stddev[c];
}

}  // namespace statnn::data
