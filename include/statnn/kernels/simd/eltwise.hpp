// statnn/kernels/simd/eltwise.hpp — element-wise, pooling and optimizer kernels with
// xsimd. Same contracts (and, for dropout, bit-identical masks) as the ref/ kernels.
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

// Max pooling of one channels-last image (C a multiple of L), window = stride = P.
template <int H, int W, int C, int P>
void maxpool2d_forward(const float* in, float* out) {
    constexpr int Ho = H / P, Wo = W / P;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; c += L) {
                B m = load(in + ((y * P) * W + x * P) * C + c);
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) m = xsimd::max(m, load(in + ((y * P + dy) * W + x * P + dx) * C + c));
                store(out + (y * Wo + x) * C + c, m);
            }
}

// The gradient of each window goes to its first maximum in row-major order.
template <int H, int W, int C, int P>
void maxpool2d_backward(const float* in, const float* dout, float* din) {
    constexpr int Ho = H / P, Wo = W / P;
    const B zero(0.0f);
    if constexpr (Ho * P != H || Wo * P != W) {  // floor: cells outside every window get 0
        std::size_t e = 0;
        for (; e < vector_end(std::size_t(H) * W * C); e += L) store(din + e, zero);
        for (; e < std::size_t(H) * W * C; ++e) din[e] = 0.0f;
    }
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; c += L) {
                B v[P * P];
                B m = load(in + ((y * P) * W + x * P) * C + c);
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) {
                        v[dy * P + dx] = load(in + ((y * P + dy) * W + x * P + dx) * C + c);
                        m = xsimd::max(m, v[dy * P + dx]);
                    }
                const B g = load(dout + (y * Wo + x) * C + c);
                auto taken = v[0] != v[0];  // all false
                for (int j = 0; j < P * P; ++j) {
                    const auto here = (v[j] == m) && !taken;
                    store(din + ((y * P + j / P) * W + x * P + j % P) * C + c, xsimd::select(here, g, zero));
                    taken = taken || here;
                }
            }
}

inline void sgd_update(float* w, float* v, const float* g, std::size_t n, float lr_t, float mom, bool nesterov) {
    const B lr(lr_t), m(mom);
    std::size_t e = 0;
    if (mom == 0.0f) {
        for (; e < vector_end(n); e += L) store(w + e, xsimd::fnma(lr, load(g + e), load(w + e)));
        for (; e < n; ++e) w[e] -= lr_t * g[e];
        return;
    }
    for (; e < vector_end(n); e += L) {
        const B ge = load(g + e);
        const B ve = m * load(v + e) - lr * ge;
        store(v + e, ve);
        store(w + e, load(w + e) + (nesterov ? m * ve - lr * ge : ve));
    }
    for (; e < n; ++e) {
        const float ve = mom * v[e] - lr_t * g[e];
        v[e] = ve;
        w[e] += nesterov ? mom * ve - lr_t * g[e] : ve;
    }
}

// Column norms of rows [0, Rows) for the columns [c0, c0 + L*NV) of a [Rows][Cols] kernel,
// summed in blocks of rows so float rounding stays small.
template <int Rows, int Cols, int NV>
void column_norms(const float* k, int c0, float* norms) {
    constexpr int kBlock = 64;
    B total[NV];
    for (int v = 0; v < NV; ++v) total[v] = B(0.0f);
    for (int r0 = 0; r0 < Rows; r0 += kBlock) {
        B part[NV];
        for (int v = 0; v < NV; ++v) part[v] = B(0.0f);
        const int r1 = r0 + kBlock < Rows ? r0 + kBlock : Rows;
        for (int r = r0; r < r1; ++r)
            for (int v = 0; v < NV; ++v) {
                const B x = load(k + std::size_t(r) * Cols + c0 + v * L);
                part[v] = xsimd::fma(x, x, part[v]);
            }
        for (int v = 0; v < NV; ++v) total[v] += part[v];
    }
    for (int v = 0; v < NV; ++v) store(norms + c0 + v * L, xsimd::sqrt(total[v]));
}

}  // namespace statnn::kernels::simd

#endif
