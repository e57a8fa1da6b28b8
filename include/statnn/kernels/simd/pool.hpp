// statnn/kernels/simd/pool.hpp — max pooling with xsimd; same contracts (ties and floor
// included) as ref/pool.hpp, for channel counts that are a multiple of the vector width.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// Max pooling of one channels-last image (C a multiple of L), window = stride = P.
template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
    constexpr int Ho = H / P, Wo = W / P;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; c += L) {
                B m = load(in + ((y * P) * W + x * P) * C + c);
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) m = xsimd::max(m, load(in + ((y * P + dy) * W + x * P + dx) * C + c));
                store(out + (y * Wo + x) * C + c, m);
            }
}

// The gradient of each window goes to its first maximum in row-major order.
template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
    constexpr int Ho = H / P, Wo = W / P;
    const B zero(0.0f);
    if constexpr (Ho * P != H || Wo * P != W) {  // floor: cells outside every window get 0
        std::size_t e = 0;
        for (; e < vector_end(std::size_t(H) * W * C); e += L) store(din + e, zero);
        for (; e < std::size_t(H) * W * C; ++e) din[e] = 0.0f;
    }
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; c += L) {
                B v[P * P];
                B m = load(in + ((y * P) * W + x * P) * C + c);
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) {
                        v[dy * P + dx] = load(in + ((y * P + dy) * W + x * P + dx) * C + c);
                        m = xsimd::max(m, v[dy * P + dx]);
                    }
                const B g = load(dout + (y * Wo + x) * C + c);
                auto taken = v[0] != v[0];  // all false
                for (int j = 0; j < P * P; ++j) {
                    const auto here = (v[j] == m) && !taken;
                    store(din + ((y * P + j / P) * W + x * P + j % P) * C + c, xsimd::select(here, g, zero));
                    taken = taken || here;
                }
            }
}

}  // namespace statnn::kernels::simd

#endif
