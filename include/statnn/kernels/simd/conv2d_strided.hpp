// statnn/kernels/simd/conv2d_strided.hpp — strided convolution with xsimd, channels-last;
// same contracts as ref/conv2d_strided.hpp, for any channel counts.
//
// The tiles are those of simd/conv2d.hpp with a stride between the input pixels of a
// tile: forward, MR output pixels of a row × NR vectors of output channels in
// registers; kernel gradient, MR input channels × NR output-channel vectors summed over
// the pixels. The input gradient scatters: for each (ky, kx), a tile of MR output
// pixels adds Σ_o dout·wt to MR input pixels S apart, NR vectors of input channels at
// a time (load, accumulate O products, store). Channels that do not fill a whole
// vector run through narrower vectors (channel_blocks.hpp) with NR = 1.
//
// Forward and input gradient read the kernel packed per block of the channels they
// vectorise (prepare_forward, prepare_input_grad, once per batch): a block's weights for
// consecutive input (or output) channels are then adjacent instead of a kernel row
// apart. With 256 channels a row is 1 KiB and the unpacked walk runs at 40% of the
// packed one (page and prefetch misses); the seed's stride-1 kernels share that limit.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// ---- forward ---------------------------------------------------------------------------

// MR output pixels x NR vectors (of width Wd) at out[y][x0][o0]; in points at
// in_pad[y·S][x0·S][0], w at the packed block of o0 (rows of BW = NR·VL weights per
// (ky, kx, i)), b at bias[o0] (or null).
template <int Wp, int I, int K, int O, int S, int MR, int NR, class Wd>
inline void conv2d_strided_forward_tile(const float* in, const float* w, const float* b, float* out, bool relu) {
    constexpr int BW = NR * Wd::lanes;
    using V = typename Wd::V;
    constexpr int VL = Wd::lanes;
    V acc[MR][NR];
    for (int n = 0; n < NR; ++n) {
        const V init = b ? Wd::load(b + n * VL) : V(0.0f);
        for (int m = 0; m < MR; ++m) acc[m][n] = init;
    }
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
            const float* x = in + (ky * Wp + kx) * I;
            const float* wk = w + (ky * K + kx) * I * BW;
            for (int i = 0; i < I; ++i) {
                V wv[NR];
                for (int n = 0; n < NR; ++n) wv[n] = Wd::load(wk + i * BW + n * VL);
                for (int m = 0; m < MR; ++m) {
                    const V xv(x[m * S * I + i]);
                    for (int n = 0; n < NR; ++n) acc[m][n] = Wd::fma(xv, wv[n], acc[m][n]);
                }
            }
        }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) Wd::store(out + m * O + n * VL, relu ? Wd::max(acc[m][n], V(0.0f)) : acc[m][n]);
}

template <int Hp, int Wp, int I, int K, int O, int S>
struct Conv2DStridedForwardPlan {
    static constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    static constexpr int kFullVectors = O / L;
    static constexpr int NR = kFullVectors > 0 ? choose_nr(kFullVectors * L, conv_output_vectors(I)) : 1;
    static constexpr int MR = balanced_tile(Wo, max_mr(NR) < 14 ? max_mr(NR) : 14);
    static constexpr int kLastMR = Wo - (Wo - 1) / MR * MR;
};

// The kernel packed for the forward pass: the block of output channels [o0, o0 + BW)
// at packed + K·K·I·o0, as [ky][kx][i][BW].
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_prepare_forward(const float* w, float* packed) {
    using P = Conv2DStridedForwardPlan<Hp, Wp, I, K, O, S>;
    for_each_output_block<O, P::NR>([&](int o0, auto width, auto nr) {
        constexpr int BW = decltype(nr)::value * decltype(width)::lanes;
        float* block = packed + std::size_t(K) * K * I * o0;
        for (int r = 0; r < K * K * I; ++r)
            for (int j = 0; j < BW; ++j) block[std::size_t(r) * BW + j] = w[std::size_t(r) * O + o0 + j];
    });
}

// w: the kernel from conv2d_strided_prepare_forward.
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_forward(const float* in, const float* w, const float* b, float* out, bool relu) {
    using P = Conv2DStridedForwardPlan<Hp, Wp, I, K, O, S>;
    for_each_output_block<O, P::NR>([&](int o0, auto width, auto nr) {
        using Wd = decltype(width);
        constexpr int NR = decltype(nr)::value;
        const float* wo = w + std::size_t(K) * K * I * o0;
        const float* bo = b ? b + o0 : nullptr;
        for (int y = 0; y < P::Ho; ++y) {
            const float* row = in + std::size_t(y * S) * Wp * I;
            float* orow = out + std::size_t(y) * P::Wo * O + o0;
            int x0 = 0;
            for (; x0 + P::MR < P::Wo; x0 += P::MR)
                conv2d_strided_forward_tile<Wp, I, K, O, S, P::MR, NR, Wd>(row + x0 * S * I, wo, bo, orow + x0 * O, relu);
            conv2d_strided_forward_tile<Wp, I, K, O, S, P::kLastMR, NR, Wd>(row + x0 * S * I, wo, bo, orow + x0 * O, relu);
        }
    });
}

// ---- kernel gradient -------------------------------------------------------------------

// dw[ky][kx][i0..i0+MR)[o0..o0+NR·VL) += Σ_pixels in[y·S+ky][x·S+kx][i] · g[y][x][o]
template <int Ho, int Wo, int Wp, int I, int O, int S, int MR, int NR, class Wd>
inline void conv2d_strided_backward_weights_tile(const float* in, const float* g, float* dw) {
    using V = typename Wd::V;
    constexpr int VL = Wd::lanes;
    V acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) acc[m][n] = Wd::load(dw + m * O + n * VL);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) {
            const float* xi = in + (std::size_t(y * S) * Wp + x * S) * I;
            V gv[NR];
            for (int n = 0; n < NR; ++n) gv[n] = Wd::load(g + (std::size_t(y) * Wo + x) * O + n * VL);
            for (int m = 0; m < MR; ++m) {
                const V xv(xi[m]);
                for (int n = 0; n < NR; ++n) acc[m][n] = Wd::fma(xv, gv[n], acc[m][n]);
            }
        }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) Wd::store(dw + m * O + n * VL, acc[m][n]);
}

template <int Hp, int Wp, int I, int K, int O, int S>
struct Conv2DStridedWeightsPlan {
    static constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    static constexpr int kFullVectors = O / L;
    static constexpr int NR = kFullVectors > 0 ? choose_nr(kFullVectors * L, 2) : 1;
    static constexpr int MR = divisor_tile(I, max_mr(NR) < 12 ? max_mr(NR) : 12);
    static constexpr int kITiles = I / MR;
    static constexpr int kFullBlocks = kFullVectors / NR;  // blocks of NR whole vectors
    static constexpr int kOBlocks = kFullBlocks + tail_block_count<O>();
    static constexpr int kTiles = K * K * kITiles * kOBlocks;  // independent pieces of work
};

// Adds one image's contribution to tile `tile` (0 <= tile < kTiles) of the kernel gradient.
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_backward_weights_tile_image(const float* in, const float* g, float* dw, int tile) {
    using P = Conv2DStridedWeightsPlan<Hp, Wp, I, K, O, S>;
    const int ob = tile % P::kOBlocks;
    const int it = (tile / P::kOBlocks) % P::kITiles;
    const int kk = tile / (P::kOBlocks * P::kITiles);
    const int ky = kk / K, kx = kk % K, i0 = it * P::MR;
    const float* x = in + (ky * Wp + kx) * I + i0;
    float* d = dw + (std::size_t(kk) * I + i0) * O;
    if (ob < P::kFullBlocks) {
        const int o0 = ob * P::NR * L;
        conv2d_strided_backward_weights_tile<P::Ho, P::Wo, Wp, I, O, S, P::MR, P::NR, Width<L>>(x, g + o0, d + o0);
    } else {
        with_tail_block<O>(ob - P::kFullBlocks, [&](int o0, auto width) {
            conv2d_strided_backward_weights_tile<P::Ho, P::Wo, Wp, I, O, S, P::MR, 1, decltype(width)>(x, g + o0, d + o0);
        });
    }
}

// db[o] += Σ over the Ho·Wo pixels of g[.][o], every o.
template <int Ho, int Wo, int O>
void conv2d_strided_backward_bias(const float* g, float* db) {
    for_each_channel_block<O>([&](int o0, auto width) {
        using Wd = decltype(width);
        typename Wd::V acc = Wd::load(db + o0);
        for (int p = 0; p < Ho * Wo; ++p) acc = acc + Wd::load(g + std::size_t(p) * O + o0);
        Wd::store(db + o0, acc);
    });
}

template <int Hp, int Wp, int I, int K, int O, int S>
constexpr int conv2d_strided_weight_tasks() {
    return Conv2DStridedWeightsPlan<Hp, Wp, I, K, O, S>::kTiles + 1;  // the kernel's tiles, then the bias
}

// Task `task` of conv2d_strided_weight_tasks() for n images (padded inputs `in_stride`
// floats apart, contiguous output gradients); images are summed in order.
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_backward_weights_task(int task, const float* in, std::size_t in_stride, const float* dout, int n,
                                          float* dw, float* db) {
    using P = Conv2DStridedWeightsPlan<Hp, Wp, I, K, O, S>;
    constexpr std::size_t g_stride = std::size_t(P::Ho) * P::Wo * O;
    if (task < P::kTiles) {
        for (int r = 0; r < n; ++r)
            conv2d_strided_backward_weights_tile_image<Hp, Wp, I, K, O, S>(in + r * in_stride, dout + r * g_stride, dw, task);
    } else {
        for (int r = 0; r < n; ++r) conv2d_strided_backward_bias<P::Ho, P::Wo, O>(dout + r * g_stride, db);
    }
}

// ---- input gradient --------------------------------------------------------------------

// For one (ky, kx): din[(x0+m)·S][i0..i0+NR·VL) += Σ_o g[x0+m][o] · w[ky][kx][i][o], m < MR.
// g points at dout[y][x0][0], wk at the packed block of i0 for (ky, kx) (rows of
// BW = NR·VL weights per o), din at din_pad[y·S+ky][x0·S+kx][i0].
template <int I, int O, int S, int MR, int NR, class Wd>
inline void conv2d_strided_backward_input_tile(const float* g, const float* wk, float* din) {
    constexpr int BW = NR * Wd::lanes;
    using V = typename Wd::V;
    constexpr int VL = Wd::lanes;
    V acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) acc[m][n] = Wd::load(din + m * S * I + n * VL);
    for (int o = 0; o < O; ++o) {
        V wv[NR];
        for (int n = 0; n < NR; ++n) wv[n] = Wd::load(wk + o * BW + n * VL);
        for (int m = 0; m < MR; ++m) {
            const V gv(g[m * O + o]);
            for (int n = 0; n < NR; ++n) acc[m][n] = Wd::fma(gv, wv[n], acc[m][n]);
        }
    }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) Wd::store(din + m * S * I + n * VL, acc[m][n]);
}

template <int Hp, int Wp, int I, int K, int O, int S>
struct Conv2DStridedInputPlan {
    static constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    static constexpr int kFullVectors = I / L;
    static constexpr int NR = kFullVectors > 0 ? choose_nr(kFullVectors * L, conv_output_vectors(O)) : 1;
    static constexpr int MR = balanced_tile(Wo, max_mr(NR) < 12 ? max_mr(NR) : 12);
    static constexpr int kLastMR = Wo - (Wo - 1) / MR * MR;
};

// Calls fn(i0, Width<W>{}, NR) for the input-channel blocks of the input gradient.
template <int I, int NR, class Fn>
inline void for_each_input_block(Fn&& fn) {
    for (int i0 = 0; i0 < I / L * L; i0 += NR * L) fn(i0, Width<L>{}, std::integral_constant<int, NR>{});
    for_each_tail_block<I>([&](int i0, auto width) { fn(i0, width, std::integral_constant<int, 1>{}); });
}

// The kernel packed for the input gradient: the block of input channels [i0, i0 + BW)
// at packed + K·K·O·i0, as [ky][kx][o][BW] (channel axes swapped).
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_prepare_input_grad(const float* w, float* packed) {
    using P = Conv2DStridedInputPlan<Hp, Wp, I, K, O, S>;
    for_each_input_block<I, P::NR>([&](int i0, auto width, auto nr) {
        constexpr int BW = decltype(nr)::value * decltype(width)::lanes;
        float* block = packed + std::size_t(K) * K * O * i0;
        for (int kk = 0; kk < K * K; ++kk)
            for (int o = 0; o < O; ++o)
                for (int j = 0; j < BW; ++j)
                    block[(std::size_t(kk) * O + o) * BW + j] = w[(std::size_t(kk) * I + i0 + j) * O + o];
    });
}

// wt: the kernel from conv2d_strided_prepare_input_grad.
template <int Hp, int Wp, int I, int K, int O, int S>
void conv2d_strided_backward_input(const float* dout, const float* wt, float* din) {
    using P = Conv2DStridedInputPlan<Hp, Wp, I, K, O, S>;
    {
        const B zero(0.0f);
        std::size_t e = 0;
        for (; e < vector_end(std::size_t(Hp) * Wp * I); e += L) store(din + e, zero);
        for (; e < std::size_t(Hp) * Wp * I; ++e) din[e] = 0.0f;
    }
    for_each_input_block<I, P::NR>([&](int i0, auto width, auto nr) {
        using Wd = decltype(width);
        constexpr int NR = decltype(nr)::value;
        const float* wb = wt + std::size_t(K) * K * O * i0;
        for (int y = 0; y < P::Ho; ++y) {
            const float* grow = dout + std::size_t(y) * P::Wo * O;
            for (int kk = 0; kk < K * K; ++kk) {
                const int ky = kk / K, kx = kk % K;
                const float* wk = wb + std::size_t(kk) * O * NR * Wd::lanes;
                float* drow = din + (std::size_t(y * S + ky) * Wp + kx) * I + i0;
                int x0 = 0;
                for (; x0 + P::MR < P::Wo; x0 += P::MR)
                    conv2d_strided_backward_input_tile<I, O, S, P::MR, NR, Wd>(grow + x0 * O, wk, drow + x0 * S * I);
                conv2d_strided_backward_input_tile<I, O, S, P::kLastMR, NR, Wd>(grow + x0 * O, wk, drow + x0 * S * I);
            }
        }
    });
}

}  // namespace statnn::kernels::simd

#endif
