// statnn/kernels/simd/avgpool.hpp — average pooling with xsimd; same contracts as
// ref/avgpool.hpp, for any channel count (channel_blocks.hpp splits the tail).
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

template <int H, int W, int C, int K, int S>
void avgpool2d_forward(const float* in, float* out) {
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    constexpr float scale = 1.0f / float(K * K);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) {
            const float* window = in + (std::size_t(y * S) * W + x * S) * C;
            float* o = out + (std::size_t(y) * Wo + x) * C;
            for_each_channel_block<C>([&](int c, auto width) {
                using Wd = decltype(width);
                typename Wd::V sum = Wd::load(window + c);
                for (int j = 1; j < K * K; ++j) sum = sum + Wd::load(window + (std::size_t(j / K) * W + j % K) * C + c);
                Wd::store(o + c, sum * typename Wd::V(scale));
            });
        }
}

template <int H, int W, int C, int K, int S>
void avgpool2d_backward(const float* dout, float* din) {
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    constexpr float scale = 1.0f / float(K * K);
    // Windows that tile the image exactly write every element once; otherwise
    // (overlaps, gaps or floor) the gradient is accumulated into a zeroed image.
    constexpr bool exact_tiling = S == K && Ho * K == H && Wo * K == W;
    if constexpr (!exact_tiling) {
        const B zero(0.0f);
        std::size_t e = 0;
        for (; e < vector_end(std::size_t(H) * W * C); e += L) store(din + e, zero);
        for (; e < std::size_t(H) * W * C; ++e) din[e] = 0.0f;
    }
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) {
            const float* g = dout + (std::size_t(y) * Wo + x) * C;
            float* window = din + (std::size_t(y * S) * W + x * S) * C;
            for_each_channel_block<C>([&](int c, auto width) {
                using Wd = decltype(width);
                const typename Wd::V share = Wd::load(g + c) * typename Wd::V(scale);
                for (int j = 0; j < K * K; ++j) {
                    float* p = window + (std::size_t(j / K) * W + j % K) * C + c;
                    if constexpr (exact_tiling) Wd::store(p, share);
                    else Wd::store(p, Wd::load(p) + share);
                }
            });
        }
}

// Per channel block, the image's pixels summed in float in rows of W, each row's sum
// added to the total: the rounding of up to 1024 terms stays near that of 32 + 32.
template <int H, int W, int C>
void global_avgpool_forward(const float* in, float* out) {
    constexpr float scale = 1.0f / float(H * W);
    for_each_channel_block<C>([&](int c, auto width) {
        using Wd = decltype(width);
        using V = typename Wd::V;
        V total(0.0f);
        for (int y = 0; y < H; ++y) {
            V row(0.0f);
            for (int x = 0; x < W; ++x) row = row + Wd::load(in + (std::size_t(y) * W + x) * C + c);
            total = total + row;
        }
        Wd::store(out + c, total * V(scale));
    });
}

template <int H, int W, int C>
void global_avgpool_backward(const float* dout, float* din) {
    constexpr float scale = 1.0f / float(H * W);
    for (int p = 0; p < H * W; ++p)
        for_each_channel_block<C>([&](int c, auto width) {
            using Wd = decltype(width);
            Wd::store(din + std::size_t(p) * C + c, Wd::load(dout + c) * typename Wd::V(scale));
        });
}

}  // namespace statnn::kernels::simd

#endif
