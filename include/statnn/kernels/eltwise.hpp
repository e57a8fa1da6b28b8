// statnn/kernels/eltwise.hpp — the element-wise kernels layers call (see dispatch.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/eltwise.hpp"
#include "statnn/kernels/simd/eltwise.hpp"

namespace statnn::kernels {

// Whether these kernels run vectors in this build: any length (a scalar tail after the vectors).
inline constexpr bool kEltwiseRunsSimd = use_simd<true>;

inline void relu_forward(const float* x, float* out, std::size_t n) {
    if constexpr (use_simd<true>) simd::relu_forward(x, out, n);
    else ref::relu_forward(x, out, n);
}

inline void relu_backward(const float* out, const float* dout, float* din, std::size_t n) {
    if constexpr (use_simd<true>) simd::relu_backward(out, dout, din, n);
    else ref::relu_backward(out, dout, din, n);
}

inline void dropout_apply(const float* x, float* out, std::size_t n, float rate, std::uint64_t key, std::uint32_t first) {
    if constexpr (use_simd<true>) simd::dropout_apply(x, out, n, rate, key, first);
    else ref::dropout_apply(x, out, n, rate, key, first);
}

inline void add(const float* a, const float* b, float* out, std::size_t n) {
    if constexpr (use_simd<true>) simd::add(a, b, out, n);
    else ref::add(a, b, out, n);
}

}  // namespace statnn::kernels
