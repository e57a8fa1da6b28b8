// statnn/kernels/ref/gelu.hpp — scalar reference GELU (the test oracle).
//
// GELU(x) = x Φ(x), Φ the standard normal distribution function (PyTorch's default,
// approximate='none'), or its tanh approximation (approximate='tanh'):
//   erf form   y = x/2 · erfc(−x/√2)                 y' = Φ(x) + x φ(x)
//   tanh form  y = x · σ(2u),  u = √(2/π)(x + 0.044715 x³)
//              y' = σ(2u) + 2x σ(2u)(1 − σ(2u)) · √(2/π)(1 + 3·0.044715 x²)
// written with erfc and the logistic σ instead of 1 + erf and 1 + tanh, which lose
// every digit to cancellation for large negative x.
#pragma once

#include <cmath>
#include <cstddef>

namespace statnn::kernels {

enum class GeluForm { Erf, Tanh };

namespace ref {

namespace gelu_constants {
inline constexpr double kInvSqrt2 = 0.70710678118654752440;    // 1/√2
inline constexpr double kInvSqrt2Pi = 0.39894228040143267794;  // 1/√(2π)
inline constexpr double kSqrt2OverPi = 0.79788456080286535588; // √(2/π)
inline constexpr double kCubic = 0.044715;
}  // namespace gelu_constants

template <GeluForm Form, class T>
T gelu(T x) {
    using namespace gelu_constants;
    if constexpr (Form == GeluForm::Erf) {
        return T(0.5) * x * std::erfc(-x * T(kInvSqrt2));
    } else {
        const T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
        return x / (T(1) + std::exp(T(-2) * u));
    }
}

template <GeluForm Form, class T>
T gelu_derivative(T x) {
    using namespace gelu_constants;
    if constexpr (Form == GeluForm::Erf) {
        return T(0.5) * std::erfc(-x * T(kInvSqrt2)) + x * T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    } else {
        const T u = T(kSqrt2OverPi) * (x + T(kCubic) * x * x * x);
        const T s = T(1) / (T(1) + std::exp(T(-2) * u));
        return s + T(2) * x * s * (T(1) - s) * T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
    }
}

// y = GELU(x); in place allowed.
template <GeluForm Form, class T>
void gelu_forward(const T* x, T* y, std::size_t n) {
    for (std::size_t e = 0; e < n; ++e) y[e] = gelu<Form>(x[e]);
}

// dx = dy · GELU'(x), from the layer's input x; dx may alias dy.
template <GeluForm Form, class T>
void gelu_backward(const T* x, const T* dy, T* dx, std::size_t n) {
    for (std::size_t e = 0; e < n; ++e) dx[e] = dy[e] * gelu_derivative<Form>(x[e]);
}

}  // namespace ref
}  // namespace statnn::kernels
