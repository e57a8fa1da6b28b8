// statnn/kernels/gelu.hpp — the GELU kernels layers call (see dispatch.hpp).
#pragma once

#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/gelu.hpp"
#include "statnn/kernels/simd/gelu.hpp"

namespace statnn::kernels {

// Whether these kernels run vectors in this build: any length (a scalar tail after the vectors).
inline constexpr bool kGeluRunsSimd = use_simd<true>;

// y = GELU(x) element-wise; in place allowed.
template <GeluForm Form>
void gelu_forward(const float* x, float* y, std::size_t n) {
    if constexpr (use_simd<true>) simd::gelu_forward<Form>(x, y, n);
    else ref::gelu_forward<Form>(x, y, n);
}

// dx = dy · GELU'(x); dx may alias dy.
template <GeluForm Form>
void gelu_backward(const float* x, const float* dy, float* dx, std::size_t n) {
    if constexpr (use_simd<true>) simd::gelu_backward<Form>(x, dy, dx, n);
    else ref::gelu_backward<Form>(x, dy, dx, n);
}

}  // namespace statnn::kernels
