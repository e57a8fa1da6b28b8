// statnn/kernels/simd/gelu.hpp — GELU with xsimd; same contracts and formulas as
// ref/gelu.hpp (xsimd's erfc and exp in the lanes, the reference for the tail).
#pragma once

#include <cstddef>

#include "statnn/kernels/ref/gelu.hpp"
#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

template <GeluForm Form>
inline B gelu(const B& x) {
    using namespace ref::gelu_constants;
    if constexpr (Form == GeluForm::Erf) {
        return B(0.5f) * x * xsimd::erfc(x * B(float(-kInvSqrt2)));
    } else {
        const B u = B(float(kSqrt2OverPi)) * xsimd::fma(B(float(kCubic)) * x, x * x, x);
        return x / (B(1.0f) + xsimd::exp(B(-2.0f) * u));
    }
}

template <GeluForm Form>
inline B gelu_derivative(const B& x) {
    using namespace ref::gelu_constants;
    if constexpr (Form == GeluForm::Erf) {
        const B density = B(float(kInvSqrt2Pi)) * xsimd::exp(B(-0.5f) * x * x);
        return xsimd::fma(x, density, B(0.5f) * xsimd::erfc(x * B(float(-kInvSqrt2))));
    } else {
        const B x2 = x * x;
        const B u = B(float(kSqrt2OverPi)) * xsimd::fma(B(float(kCubic)) * x, x2, x);
        const B s = B(1.0f) / (B(1.0f) + xsimd::exp(B(-2.0f) * u));
        const B slope = B(float(kSqrt2OverPi)) * xsimd::fma(B(float(3 * kCubic)), x2, B(1.0f));
        return xsimd::fma(B(2.0f) * x * s * (B(1.0f) - s), slope, s);
    }
}

template <GeluForm Form>
void gelu_forward(const float* x, float* y, std::size_t n) {
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) store(y + e, gelu<Form>(load(x + e)));
    ref::gelu_forward<Form>(x + e, y + e, n - e);
}

template <GeluForm Form>
void gelu_backward(const float* x, const float* dy, float* dx, std::size_t n) {
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) store(dx + e, load(dy + e) * gelu_derivative<Form>(load(x + e)));
    ref::gelu_backward<Form>(x + e, dy + e, dx + e, n - e);
}

}  // namespace statnn::kernels::simd

#endif
