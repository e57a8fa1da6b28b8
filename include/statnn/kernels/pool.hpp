// statnn/kernels/pool.hpp — the pooling kernels layers call (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/pool.hpp"
#include "statnn/kernels/simd/eltwise.hpp"

namespace statnn::kernels {

template <int C>
constexpr bool pool_uses_simd() {
#if defined(STATNN_NO_SIMD)
    return false;
#else
    return C % simd::L == 0;
#endif
}

template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
#if !defined(STATNN_NO_SIMD)
    if constexpr (pool_uses_simd<C>()) return simd::maxpool2d_forward<H, W, C, P>(in, out);
#endif
    ref::maxpool2d_forward<H, W, C, P>(in, out);
}

template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
#if !defined(STATNN_NO_SIMD)
    if constexpr (pool_uses_simd<C>()) return simd::maxpool2d_backward<H, W, C, P>(in, dout, din);
#endif
    ref::maxpool2d_backward<H, W, C, P>(in, dout, din);
}

}  // namespace statnn::kernels
