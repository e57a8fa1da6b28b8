// statnn/kernels/simd/eltwise.hpp — element-wise kernels with xsimd. Same contracts (and,
// for dropout, bit-identical masks) as ref/eltwise.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "statnn/kernels/simd/common.hpp"
#include "statnn/rng.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

inline void relu_forward(const float* x, float* out, std::size_t n) {
    const B zero(0.0f);
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) store(out + e, xsimd::max(load(x + e), zero));
    for (; e < n; ++e) out[e] = x[e] > 0.0f ? x[e] : 0.0f;
}

inline void relu_backward(const float* out, const float* dout, float* din, std::size_t n) {
    const B zero(0.0f);
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) store(din + e, xsimd::select(load(out + e) > zero, load(dout + e), zero));
    for (; e < n; ++e) din[e] = out[e] > 0.0f ? dout[e] : 0.0f;
}

inline void add(const float* a, const float* b, float* out, std::size_t n) {
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) store(out + e, load(a + e) + load(b + e));
    for (; e < n; ++e) out[e] = a[e] + b[e];
}

// Dropout with the mask of ref::dropout_apply, hashed L elements at a time.
inline void dropout_apply(const float* x, float* out, std::size_t n, float rate, std::uint64_t key, std::uint32_t first) {
    using U = xsimd::batch<std::uint32_t, SimdArch>;
    using S = xsimd::batch<std::int32_t, SimdArch>;
    alignas(64) std::uint32_t lanes[L];
    for (int l = 0; l < L; ++l) lanes[l] = std::uint32_t(l);
    const U iota = U::load_aligned(lanes);
    const U k_lo = U(std::uint32_t(key)), k_hi = U(std::uint32_t(key >> 32));
    const U m1 = U(0x7FEB352Du), m2 = U(0x846CA68Bu);
    auto mix = [&](U h) {
        h ^= h >> 16;
        h *= m1;
        h ^= h >> 15;
        h *= m2;
        h ^= h >> 16;
        return h;
    };
    const float scale = 1.0f / (1.0f - rate);
    const B vscale(scale), vrate(rate), unit(1.0f / 16777216.0f), zero(0.0f);
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) {
        const U h = mix(mix((U(first + std::uint32_t(e)) + iota) ^ k_lo) + k_hi);
        const B u = xsimd::batch_cast<float>(xsimd::bitwise_cast<S>(h >> 8)) * unit;
        store(out + e, xsimd::select(u >= vrate, load(x + e) * vscale, zero));
    }
    for (; e < n; ++e) out[e] = hash_uniform(key, first + std::uint32_t(e)) >= rate ? x[e] * scale : 0.0f;
}

}  // namespace statnn::kernels::simd

#endif
