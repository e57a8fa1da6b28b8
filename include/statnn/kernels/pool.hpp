// statnn/kernels/pool.hpp — the max-pooling kernels layers call (see dispatch.hpp); the
// vector kernels take any channel count.
#pragma once

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/pool.hpp"
#include "statnn/kernels/simd/pool.hpp"

namespace statnn::kernels {

template <int C>
inline constexpr bool pool_fits_simd = true;

// Whether a C-channel pooling runs the vector kernels in this build.
template <int C>
inline constexpr bool maxpool_runs_simd = use_simd<pool_fits_simd<C>>;

template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
    if constexpr (use_simd<pool_fits_simd<C>>) simd::maxpool2d_forward<H, W, C, P>(in, out);
    else ref::maxpool2d_forward<H, W, C, P>(in, out);
}

template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
    if constexpr (use_simd<pool_fits_simd<C>>) simd::maxpool2d_backward<H, W, C, P>(in, dout, din);
    else ref::maxpool2d_backward<H, W, C, P>(in, dout, din);
}

}  // namespace statnn::kernels
