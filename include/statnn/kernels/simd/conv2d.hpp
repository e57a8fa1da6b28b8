// statnn/kernels/simd/conv2d.hpp — direct convolution with xsimd, channels-last.
//
// Same contracts as ref/conv2d.hpp (one image, input already zero-padded, kernel HWIO).
// The forward kernel accumulates a tile of MR consecutive output pixels of one row by
// NR vectors of output channels in registers; for every (ky, kx, i) it loads NR kernel
// vectors and broadcasts MR input values. The kernel-gradient kernel is the same
// product with the roles swapped: a tile of MR input channels of one (ky, kx) (with
// few input channels, of one kernel row) by NR output-channel vectors, summed over all
// pixels. Output channels after the last whole vector run one narrower vector at a time
// (channel_blocks.hpp), NR = 1, so any channel count takes these kernels; counts that
// are a multiple of the vector width have no tail.
#pragma once

#include <type_traits>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// RR rows of MR output pixels x NR channel vectors of width Wd at out[y][x0][o0] (output
// rows OW pixels apart). in points at in_pad[y][x0][0], w at w[0][0][0][o0], b at
// bias[o0] (or null).
template <int Wp, int I, int K, int O, int OW, int RR, int MR, int NR, class Wd>
inline void conv2d_forward_tile(const float* in, const float* w, const float* b, float* out, bool relu) {
    using V = typename Wd::V;
    constexpr int VL = Wd::lanes;
    V acc[RR * MR][NR];
    for (int n = 0; n < NR; ++n) {
        const V init = b ? Wd::load(b + n * VL) : V(0.0f);
        for (int m = 0; m < RR * MR; ++m) acc[m][n] = init;
    }
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
            const float* x = in + (ky * Wp + kx) * I;
            const float* wk = w + (ky * K + kx) * I * O;
            for (int i = 0; i < I; ++i) {
                V wv[NR];
                for (int n = 0; n < NR; ++n) wv[n] = Wd::load(wk + i * O + n * VL);
                for (int r = 0; r < RR; ++r)
                    for (int m = 0; m < MR; ++m) {
                        const V xv(x[(r * Wp + m) * I + i]);
                        for (int n = 0; n < NR; ++n) acc[r * MR + m][n] = Wd::fma(xv, wv[n], acc[r * MR + m][n]);
                    }
            }
        }
    for (int r = 0; r < RR; ++r)
        for (int m = 0; m < MR; ++m)
            for (int n = 0; n < NR; ++n)
                Wd::store(out + (r * OW + m) * O + n * VL,
                          relu ? Wd::max(acc[r * MR + m][n], V(0.0f)) : acc[r * MR + m][n]);
}

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DForwardPlan {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    // Groups of NR whole vectors; a tail (channels past the last whole vector) runs NR = 1
    // with the same pixel tiles.
    static constexpr int kFullVectors = O / L;
    static constexpr int NR = kFullVectors > 0 ? choose_nr(kFullVectors * L, conv_output_vectors(I)) : 1;
    static constexpr int kPixels = max_mr(NR) < 14 ? max_mr(NR) : 14;  // output pixels per tile at most
    static constexpr int MR = balanced_tile(Wo, kPixels);
    static constexpr int kLastMR = Wo - (Wo - 1) / MR * MR;  // width of the last tile of a row
    // Rows per tile: a row narrower than half the tile's pixels (the 7x7 and 3x3 maps of
    // small-image nets) takes the rows below it too, so the tile keeps enough accumulators.
    static constexpr int RR = MR == Wo && 2 * Wo <= kPixels ? balanced_tile(Ho, kPixels / Wo) : 1;
    static constexpr int kLastRR = Ho - (Ho - 1) / RR * RR;  // rows of the last tile
    static constexpr bool supported = true;                    // any channel count
};

// The output channels [o0, o0 + NR * Wd::lanes) of one image, tile by tile: tiles of RR
// rows (kLastRR for the last) by MR pixels (kLastMR for a row's last); RR > 1 only where
// MR is the whole row. w and b point at channel o0, out at out[0][0][o0].
template <int Hp, int Wp, int I, int K, int O, int NR, class Wd>
void conv2d_forward_block(const float* in, const float* w, const float* b, float* out, bool relu) {
    using P = Conv2DForwardPlan<Hp, Wp, I, K, O>;
    auto tile_rows = [&](int y, auto rows) {
        constexpr int R = decltype(rows)::value;
        int x0 = 0;
        for (; x0 + P::MR < P::Wo; x0 += P::MR)
            conv2d_forward_tile<Wp, I, K, O, P::Wo, R, P::MR, NR, Wd>(in + (y * Wp + x0) * I, w, b,
                                                                      out + (y * P::Wo + x0) * O, relu);
        conv2d_forward_tile<Wp, I, K, O, P::Wo, R, P::kLastMR, NR, Wd>(in + (y * Wp + x0) * I, w, b,
                                                                       out + (y * P::Wo + x0) * O, relu);
    };
    int y = 0;
    for (; y + P::RR < P::Ho; y += P::RR) tile_rows(y, std::integral_constant<int, P::RR>{});
    tile_rows(y, std::integral_constant<int, P::kLastRR>{});
}

template <int Hp, int Wp, int I, int K, int O>
void conv2d_forward(const float* in, const float* w, const float* b, float* out, bool relu) {
    using P = Conv2DForwardPlan<Hp, Wp, I, K, O>;
    for_each_output_block<O, P::NR>([&](int o0, auto width, auto nr) {
        conv2d_forward_block<Hp, Wp, I, K, O, decltype(nr)::value, decltype(width)>(in, w + o0, b ? b + o0 : nullptr,
                                                                                   out + o0, relu);
    });
}

// dw[ky][kx][i0..i0+MR)[o0..o0+NR*VL) += sum over pixels of in[y+ky][x+kx][i] * g[y][x][o],
// VL = Wd::lanes. g has row stride GW pixels (it may be the interior of a padded buffer).
template <int Ho, int Wo, int Wp, int I, int K, int O, int GW, int MR, int NR, class Wd>
inline void conv2d_backward_weights_tile(const float* in, const float* g, float* dw) {
    using V = typename Wd::V;
    constexpr int VL = Wd::lanes;
    V acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) acc[m][n] = Wd::load(dw + m * O + n * VL);
    for (int y = 0; y < Ho; ++y)
#pragma GCC unroll 2
        for (int x = 0; x < Wo; ++x) {
            const float* xi = in + (y * Wp + x) * I;
            V gv[NR];
            for (int n = 0; n < NR; ++n) gv[n] = Wd::load(g + (y * GW + x) * O + n * VL);
            for (int m = 0; m < MR; ++m) {
                const V xv(xi[m]);
                for (int n = 0; n < NR; ++n) acc[m][n] = Wd::fma(xv, gv[n], acc[m][n]);
            }
        }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) Wd::store(dw + m * O + n * VL, acc[m][n]);
}

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DWeightsPlan {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    // Output vectors per tile: up to 4 with 32 registers (then 6 input channels: 24
    // accumulators, 10 loads or broadcasts per 24 FMAs), 2 with 16. The channels after the
    // last whole vector are tiles of their own, one narrower vector each.
    static constexpr int kFullVectors = O / L;
    static constexpr int NR = kFullVectors > 0 ? choose_nr(kFullVectors * L, kVectorRegisters >= 32 ? 4 : 2) : 1;
    // Input channels per tile: as many as fit (at most 12), in tiles that differ by at most
    // one channel (32 = 2 x 6 + 4 x 5 with 16 registers; 11 + 11 + 10 with 32 and NR = 2):
    // a divisor tile is often much smaller (4 of 32 with a cap of 6: 8 accumulators, 69-75%
    // of the AVX2 peak), and a short last tile would waste its pass over the pixels.
    static constexpr int kCap = max_mr(NR) < 12 ? max_mr(NR) : 12;
    // Fewer input channels than a tile holds (a first layer's 1 or 3): a tile takes the K
    // kernel columns of a kernel row together, K * I rows of the gradient that lie next to
    // each other, as do their inputs (1 channel: 3 rows, 6 accumulators instead of 2).
    // Each sum still runs over the pixels in order: the same bits.
    static constexpr bool kWholeKernelRows = I < kCap;
    static constexpr int kRows = kWholeKernelRows ? K * I : I;  // gradient rows of one position
    static constexpr int kPositions = kWholeKernelRows ? K : K * K;
    static constexpr int kITiles = (kRows + kCap - 1) / kCap;
    static constexpr int MR = (kRows + kITiles - 1) / kITiles;  // rows of the first kLongTiles tiles
    static constexpr int kLongTiles = kRows % kITiles == 0 ? kITiles : kRows % kITiles;  // the others have MR - 1
    static constexpr int kFullOTiles = kFullVectors / NR;  // tiles of NR whole vectors
    static constexpr int kOTiles = kFullOTiles + tail_block_count<O>();
    static constexpr int kTiles = kPositions * kITiles * kOTiles;  // independent pieces of work
    static constexpr int kBiasBlocks = kFullVectors + tail_block_count<O>();
    static constexpr bool supported = true;  // any channel count
    static constexpr int first_channel(int tile) { return tile * MR - (tile > kLongTiles ? tile - kLongTiles : 0); }
    // Where row j of position `pos` starts in the padded input (kernel row pos, or kernel
    // row and column pos / K, pos % K).
    static constexpr int input_offset(int pos, int j) {
        return kWholeKernelRows ? pos * Wp * I + j : ((pos / K) * Wp + pos % K) * I + j;
    }
};

// Adds one image's contribution to tile `tile` (0 <= tile < kTiles) of the kernel gradient.
// in: padded input image; g: output gradient of the image, row stride GW pixels.
template <int Hp, int Wp, int I, int K, int O, int GW>
void conv2d_backward_weights_tile_image(const float* in, const float* g, float* dw, int tile) {
    using P = Conv2DWeightsPlan<Hp, Wp, I, K, O>;
    const int ot = tile % P::kOTiles;
    const int it = (tile / P::kOTiles) % P::kITiles;
    const int pos = tile / (P::kOTiles * P::kITiles);
    const int j0 = P::first_channel(it);
    const float* x = in + P::input_offset(pos, j0);
    float* d = dw + (pos * P::kRows + j0) * O;
    auto tile_at = [&](int o0, auto width, auto nr) {
        constexpr int NR = decltype(nr)::value;
        using Wd = decltype(width);
        if constexpr (P::kLongTiles < P::kITiles)
            if (it >= P::kLongTiles) {
                conv2d_backward_weights_tile<P::Ho, P::Wo, Wp, I, K, O, GW, P::MR - 1, NR, Wd>(x, g + o0, d + o0);
                return;
            }
        conv2d_backward_weights_tile<P::Ho, P::Wo, Wp, I, K, O, GW, P::MR, NR, Wd>(x, g + o0, d + o0);
    };
    if (ot < P::kFullOTiles)
        tile_at(ot * P::NR * L, Width<L>{}, std::integral_constant<int, P::NR>{});
    else
        with_tail_block<O>(ot - P::kFullOTiles,
                           [&](int o0, auto width) { tile_at(o0, width, std::integral_constant<int, 1>{}); });
}

// db[o] += sum over the Ho x Wo pixels (row stride GW) of g[.][o], for o in vector `v`.
template <int Ho, int Wo, int O, int GW>
void conv2d_backward_bias_vector(const float* g, float* db, int v) {
    B acc = load(db + v * L);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x) acc += load(g + (y * GW + x) * O + v * L);
    store(db + v * L, acc);
}

// db[o] += sum over the Ho x Wo pixels (row stride GW) of g[.][o], for o in block `block`
// of Conv2DWeightsPlan::kBiasBlocks: the whole vectors, then the tail's narrower ones.
template <int Ho, int Wo, int O, int GW>
void conv2d_backward_bias_block(const float* g, float* db, int block) {
    if (block < O / L) {
        conv2d_backward_bias_vector<Ho, Wo, O, GW>(g, db, block);
        return;
    }
    with_tail_block<O>(block - O / L, [&](int o0, auto width) {
        using Wd = decltype(width);
        typename Wd::V acc = Wd::load(db + o0);
        for (int y = 0; y < Ho; ++y)
            for (int x = 0; x < Wo; ++x) acc = acc + Wd::load(g + (y * GW + x) * O + o0);
        Wd::store(db + o0, acc);
    });
}

// Zero-padded copy (see ref::pad_image); with a mask, elements whose mask is <= 0 become 0.
template <int H, int W, int C, int P>
void pad_image(const float* src, float* dst, const float* mask) {
    constexpr int Wp = W + 2 * P;
    const B zero(0.0f);
    auto zero_run = [&](float* p, int count) {
        int e = 0;
        for (; e < int(vector_end(std::size_t(count))); e += L) store(p + e, zero);
        for (; e < count; ++e) p[e] = 0.0f;
    };
    zero_run(dst, P * Wp * C);
    for (int y = 0; y < H; ++y) {
        float* row = dst + ((y + P) * Wp) * C;
        zero_run(row, P * C);
        const float* s = src + y * W * C;
        const float* mk = mask ? mask + y * W * C : nullptr;
        float* d = row + P * C;
        int e = 0;
        if (mk) {
            for (; e < int(vector_end(W * C)); e += L) store(d + e, xsimd::select(load(mk + e) > zero, load(s + e), zero));
            for (; e < W * C; ++e) d[e] = mk[e] > 0.0f ? s[e] : 0.0f;
        } else {
            for (; e < int(vector_end(W * C)); e += L) store(d + e, load(s + e));
            for (; e < W * C; ++e) d[e] = s[e];
        }
        zero_run(row + (P + W) * C, P * C);
    }
    zero_run(dst + (P + H) * Wp * C, P * Wp * C);
}

}  // namespace statnn::kernels::simd

#else  // no vector kernels: what kernels/conv2d.hpp names, fitting no shape (see dispatch.hpp)

namespace statnn::kernels::simd {

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DForwardPlan {
    static constexpr bool supported = false;
};

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DWeightsPlan {
    static constexpr bool supported = false;
    static constexpr int kTiles = 1, kBiasBlocks = 0;
};

template <int Hp, int Wp, int I, int K, int O, int GW>
void conv2d_backward_weights_tile_image(const float* in, const float* g, float* dw, int tile);
template <int Ho, int Wo, int O, int GW>
void conv2d_backward_bias_vector(const float* g, float* db, int v);
template <int Ho, int Wo, int O, int GW>
void conv2d_backward_bias_block(const float* g, float* db, int block);

}  // namespace statnn::kernels::simd

#endif
