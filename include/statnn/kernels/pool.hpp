// statnn/kernels/pool.hpp — the pooling kernels layers call (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/pool.hpp"

namespace statnn::kernels {

template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
    ref::maxpool2d_forward<H, W, C, P>(in, out);
}

template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
    ref::maxpool2d_backward<H, W, C, P>(in, dout, din);
}

}  // namespace statnn::kernels
