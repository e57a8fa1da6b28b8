// statnn/shape.hpp — the compile-time shape of one image's activations.
//
// Shapes are named channels-first, as in Keras with data_format="channels_first"
// (C, H, W), but activations are stored channels-last in memory: element (c, y, x)
// of an image lives at (y * W + x) * C + c. Channels are the SIMD dimension of every
// kernel, and all real layers have 16..128 channels. A flat vector is Shape<N, 1, 1>.
#pragma once

#include <cstddef>

namespace statnn {

template <int C_, int H_, int W_>
struct Shape {
    static_assert(C_ > 0 && H_ > 0 && W_ > 0, "Shape: every dimension must be positive");
    static constexpr int C = C_;
    static constexpr int H = H_;
    static constexpr int W = W_;
    static constexpr std::size_t size = std::size_t(C_) * H_ * W_;
    static constexpr bool is_flat = (H_ == 1 && W_ == 1);
};

template <int N>
using Flat = Shape<N, 1, 1>;

// Index of (c, y, x) inside one channels-last image of shape S.
template <class S>
constexpr std::size_t hwc_index(int c, int y, int x) {
    return (std::size_t(y) * S::W + x) * S::C + c;
}

// Index of (c, y, x) in channels-first (C, H, W) order, as Keras flattens.
template <class S>
constexpr std::size_t chw_index(int c, int y, int x) {
    return (std::size_t(c) * S::H + y) * S::W + x;
}

}  // namespace statnn
