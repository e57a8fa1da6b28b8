// statnn/data/image_bytes.hpp — image bytes as the network's input floats.
#pragma once

#include <cstddef>

namespace statnn::data {

// An image stored as `channels` planes of `pixels` bytes (c, y, x) to float / 255,
// channels-last (y, x, c). Division, not multiplication by 1/255, so the values are
// exactly float32(u8) / 255.
inline void planes_to_float(const unsigned char* planes, float* out, std::size_t pixels, int channels) {
    for (std::size_t p = 0; p < pixels; ++p)
        for (int c = 0; c < channels; ++c) out[p * std::size_t(channels) + std::size_t(c)] = float(planes[std::size_t(c) * pixels + p]) / 255.0f;
}

}  // namespace statnn::data
