// statnn/kernels/eltwise.hpp — element-wise kernels layers call (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/eltwise.hpp"

namespace statnn::kernels {

inline void relu_forward(const float* x, float* out, std::size_t n) { ref::relu_forward(x, out, n); }

inline void relu_backward(const float* out, const float* dout, float* din, std::size_t n) {
    ref::relu_backward(out, dout, din, n);
}

inline void dropout_apply(const float* x, float* out, std::size_t n, float rate, std::uint64_t key,
                          std::uint64_t first) {
    ref::dropout_apply(x, out, n, rate, key, first);
}

}  // namespace statnn::kernels
