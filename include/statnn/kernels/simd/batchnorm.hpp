// statnn/kernels/simd/batchnorm.hpp — the batch-normalisation phases with xsimd; same
// contracts as the phases of ref/batchnorm.hpp, for any channel count.
//
// The sums run channel block by channel block down the rows (the rows of one task fit
// in L1/L2), with two accumulators per block so consecutive rows do not wait on each
// other; the element-wise maps run row by row.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

template <int C>
void batchnorm_sums(const float* x, std::size_t rows, const float* shift, float* sum, float* sum_sq) {
    for_each_channel_block<C>([&](int c, auto width) {
        using Wd = decltype(width);
        using V = typename Wd::V;
        const V s0 = Wd::load(shift + c);
        V s[2] = {V(0.0f), V(0.0f)}, q[2] = {V(0.0f), V(0.0f)};
        std::size_t r = 0;
        for (; r + 2 <= rows; r += 2)
            for (int u = 0; u < 2; ++u) {
                const V d = Wd::load(x + (r + u) * C + c) - s0;
                s[u] = s[u] + d;
                q[u] = Wd::fma(d, d, q[u]);
            }
        if (r < rows) {
            const V d = Wd::load(x + r * C + c) - s0;
            s[0] = s[0] + d;
            q[0] = Wd::fma(d, d, q[0]);
        }
        Wd::store(sum + c, s[0] + s[1]);
        Wd::store(sum_sq + c, q[0] + q[1]);
    });
}

template <int C>
void batchnorm_grad_sums(const float* x, const float* dy, std::size_t rows, const float* center, float* sum_dy,
                         float* sum_dy_xc) {
    for_each_channel_block<C>([&](int c, auto width) {
        using Wd = decltype(width);
        using V = typename Wd::V;
        const V m = Wd::load(center + c);
        V s[2] = {V(0.0f), V(0.0f)}, q[2] = {V(0.0f), V(0.0f)};
        std::size_t r = 0;
        for (; r + 2 <= rows; r += 2)
            for (int u = 0; u < 2; ++u) {
                const V g = Wd::load(dy + (r + u) * C + c);
                s[u] = s[u] + g;
                q[u] = Wd::fma(g, Wd::load(x + (r + u) * C + c) - m, q[u]);
            }
        if (r < rows) {
            const V g = Wd::load(dy + r * C + c);
            s[0] = s[0] + g;
            q[0] = Wd::fma(g, Wd::load(x + r * C + c) - m, q[0]);
        }
        Wd::store(sum_dy + c, s[0] + s[1]);
        Wd::store(sum_dy_xc + c, q[0] + q[1]);
    });
}

template <int C>
void batchnorm_normalize(const float* x, std::size_t rows, const float* center, const float* scale, const float* shift,
                         float* y) {
    for (std::size_t r = 0; r < rows; ++r)
        for_each_channel_block<C>([&](int c, auto width) {
            using Wd = decltype(width);
            const std::size_t e = r * C + c;
            Wd::store(y + e, Wd::fma(Wd::load(x + e) - Wd::load(center + c), Wd::load(scale + c), Wd::load(shift + c)));
        });
}

template <int C>
void batchnorm_input_grad(const float* x, const float* dy, std::size_t rows, const float* center, const float* a,
                          const float* b, const float* d, float* dx) {
    for (std::size_t r = 0; r < rows; ++r)
        for_each_channel_block<C>([&](int c, auto width) {
            using Wd = decltype(width);
            const std::size_t e = r * C + c;
            const auto first = Wd::fma(Wd::load(a + c), Wd::load(dy + e), Wd::load(d + c));
            Wd::store(dx + e, Wd::fma(Wd::load(b + c), Wd::load(x + e) - Wd::load(center + c), first));
        });
}

}  // namespace statnn::kernels::simd

#endif
