// statnn/kernels/avgpool.hpp — the average-pooling kernels layers call (see dispatch.hpp).
// One image per call; the vector kernels take any channel count.
#pragma once

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/avgpool.hpp"
#include "statnn/kernels/simd/avgpool.hpp"

namespace statnn::kernels {

// Whether these kernels run vectors in this build: any channel count.
inline constexpr bool kAvgpoolRunsSimd = use_simd<true>;

template <int H, int W, int C, int K, int S>
void avgpool2d_forward(const float* in, float* out) {
    if constexpr (use_simd<true>) simd::avgpool2d_forward<H, W, C, K, S>(in, out);
    else ref::avgpool2d_forward<H, W, C, K, S>(in, out);
}

template <int H, int W, int C, int K, int S>
void avgpool2d_backward(const float* dout, float* din) {
    if constexpr (use_simd<true>) simd::avgpool2d_backward<H, W, C, K, S>(dout, din);
    else ref::avgpool2d_backward<H, W, C, K, S>(dout, din);
}

template <int H, int W, int C>
void global_avgpool_forward(const float* in, float* out) {
    if constexpr (use_simd<true>) simd::global_avgpool_forward<H, W, C>(in, out);
    else ref::global_avgpool_forward<H, W, C>(in, out);
}

template <int H, int W, int C>
void global_avgpool_backward(const float* dout, float* din) {
    if constexpr (use_simd<true>) simd::global_avgpool_backward<H, W, C>(dout, din);
    else ref::global_avgpool_backward<H, W, C>(dout, din);
}

}  // namespace statnn::kernels
