// statnn/kernels/ref/eltwise.hpp — scalar reference element-wise kernels (the test oracle).
#pragma once

#include <cstddef>
#include <cstdint>

#include "statnn/rng.hpp"

namespace statnn::kernels::ref {

// out = max(x, 0); in place allowed.
template <class T>
void relu_forward(const T* x, T* out, std::size_t n) {
    for (std::size_t e = 0; e < n; ++e) out[e] = x[e] > T(0) ? x[e] : T(0);
}

// din = dout where the ReLU output is positive, else 0 (derivative at 0 taken as 0).
template <class T>
void relu_backward(const T* out, const T* dout, T* din, std::size_t n) {
    for (std::size_t e = 0; e < n; ++e) din[e] = out[e] > T(0) ? dout[e] : T(0);
}

// Inverted dropout: element e is kept when hash_uniform(key, first + e) >= rate and then
// scaled by 1 / (1 - rate). The mask is a pure function of (key, index), so the backward
// pass regenerates it instead of storing it. In place allowed.
inline void dropout_apply(const float* x, float* out, std::size_t n, float rate, std::uint64_t key,
                          std::uint32_t first) {
    const float scale = 1.0f / (1.0f - rate);
    for (std::size_t e = 0; e < n; ++e)
        out[e] = hash_uniform(key, first + std::uint32_t(e)) >= rate ? x[e] * scale : 0.0f;
}

// out = a + b (a residual block's output: its branch plus its input); out may be a or b.
template <class T>
void add(const T* a, const T* b, T* out, std::size_t n) {
    for (std::size_t e = 0; e < n; ++e) out[e] = a[e] + b[e];
}

}  // namespace statnn::kernels::ref
