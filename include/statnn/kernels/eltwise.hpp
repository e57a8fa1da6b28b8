// statnn/kernels/eltwise.hpp — element-wise kernels layers call (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/eltwise.hpp"
#include "statnn/kernels/simd/eltwise.hpp"

namespace statnn::kernels {

inline void relu_forward(const float* x, float* out, std::size_t n) {
#if !defined(STATNN_NO_SIMD)
    simd::relu_forward(x, out, n);
#else
    ref::relu_forward(x, out, n);
#endif
}

inline void relu_backward(const float* out, const float* dout, float* din, std::size_t n) {
#if !defined(STATNN_NO_SIMD)
    simd::relu_backward(out, dout, din, n);
#else
    ref::relu_backward(out, dout, din, n);
#endif
}

inline void dropout_apply(const float* x, float* out, std::size_t n, float rate, std::uint64_t key, std::uint32_t first) {
#if !defined(STATNN_NO_SIMD)
    simd::dropout_apply(x, out, n, rate, key, first);
#else
    ref::dropout_apply(x, out, n, rate, key, first);
#endif
}

inline void add(const float* a, const float* b, float* out, std::size_t n) {
#if !defined(STATNN_NO_SIMD)
    simd::add(a, b, out, n);
#else
    ref::add(a, b, out, n);
#endif
}

}  // namespace statnn::kernels
