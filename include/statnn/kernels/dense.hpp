// statnn/kernels/dense.hpp — the fully connected kernels layers call (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/dense.hpp"

namespace statnn::kernels {

template <int I, int O>
void dense_forward(const float* in, int n, const float* k, const float* b, float* out, bool relu) {
    ref::dense_forward<I, O>(in, n, k, b, out, relu);
}

template <int I, int O>
void dense_backward_input(const float* dout, int n, const float* k, float* din) {
    ref::dense_backward_input<I, O>(dout, n, k, din);
}

template <int I, int O>
void dense_backward_weights(const float* in, const float* dout, int n, float* dk, float* db) {
    ref::dense_backward_weights<I, O>(in, dout, n, dk, db);
}

}  // namespace statnn::kernels
