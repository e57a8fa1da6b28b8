// statnn/kernels/simd/pool.hpp — max pooling with xsimd; same contracts (ties and floor
// included) as ref/pool.hpp, for any channel count: channels past the last whole vector
// run narrower vectors (channel_blocks.hpp). Maxima and selections are exact, so every
// channel count gives the reference's bits.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// Max pooling of one channels-last image, window = stride = P.
template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
    constexpr int Ho = H / P, Wo = W / P;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for_each_channel_block<C>([&](int c, auto width) {
                using Wd = decltype(width);
                auto m = Wd::load(in + ((y * P) * W + x * P) * C + c);
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx)
                        m = Wd::max(m, Wd::load(in + ((y * P + dy) * W + x * P + dx) * C + c));
                Wd::store(out + (y * Wo + x) * C + c, m);
            });
}

namespace detail {

// One window's gradient, Wd::lanes channels: g to the window's first maximum in
// row-major order, 0 to the other cells. in and din point at the window's first cell.
template <int W, int C, int P, class Wd>
inline void maxpool_window_backward(const float* in, typename Wd::V g, float* din) {
    using V = typename Wd::V;
    V v[P * P];
    V m = Wd::load(in);
    for (int j = 0; j < P * P; ++j) {
        v[j] = Wd::load(in + ((j / P) * W + j % P) * C);
        m = Wd::max(m, v[j]);
    }
    if constexpr (Wd::lanes == 1) {
        bool taken = false;
        for (int j = 0; j < P * P; ++j) {
            const bool here = v[j] == m && !taken;
            din[((j / P) * W + j % P) * C] = here ? g : 0.0f;
            taken = taken || here;
        }
    } else {
        auto taken = v[0] != v[0];  // all false
        for (int j = 0; j < P * P; ++j) {
            const auto here = (v[j] == m) && !taken;
            Wd::store(din + ((j / P) * W + j % P) * C, xsimd::select(here, g, V(0.0f)));
            taken = taken || here;
        }
    }
}

}  // namespace detail

// The gradient of each window goes to its first maximum in row-major order.
template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
    constexpr int Ho = H / P, Wo = W / P;
    if constexpr (Ho * P != H || Wo * P != W) {  // floor: cells outside every window get 0
        const B zero(0.0f);
        std::size_t e = 0;
        for (; e < vector_end(std::size_t(H) * W * C); e += L) store(din + e, zero);
        for (; e < std::size_t(H) * W * C; ++e) din[e] = 0.0f;
    }
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) {
            const std::size_t at = (std::size_t(y * P) * W + x * P) * C;
            for_each_channel_block<C>([&](int c, auto width) {
                using Wd = decltype(width);
                detail::maxpool_window_backward<W, C, P, Wd>(in + at + c, Wd::load(dout + (y * Wo + x) * C + c),
                                                             din + at + c);
            });
        }
}

}  // namespace statnn::kernels::simd

#endif
