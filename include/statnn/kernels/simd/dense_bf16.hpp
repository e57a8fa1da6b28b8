// statnn/kernels/simd/dense_bf16.hpp — fully connected kernels in bf16 with fp32
// accumulation, on AVX512_BF16 (vdpbf16ps): forward, input gradient, kernel gradient.
//
// Contracts as ref/dense.hpp (kernel [in][out], row-major), with the operands of every
// product rounded to bf16 and the products summed in fp32 (conv2d_bf16.hpp says how, and
// why intrinsics). Pairs run along the summed dimension:
//   forward: rows of bf16 inputs with bf16_pair_channels(I) channels (convert_rows_to_bf16)
//     against the kernel packed in pairs of input rows (pack_dense_kernel_bf16): a 1x1
//     convolution over a column of `rows` pixels, conv2d_forward_bf16_tile's own tile;
//   input gradient: the same with the gradient's rows and the kernel packed in pairs of
//     output columns (pack_dense_transposed_kernel_bf16);
//   kernel gradient: pairs of batch rows, of the inputs and of the gradient
//     (pair_items_bf16), MR input channels x NR vectors of output channels per tile.
// The bias gradient has no products: the fp32 kernel's stays.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/conv2d_bf16.hpp"
#include "statnn/kernels/simd/dense.hpp"

namespace statnn::kernels::simd {

// Bf16s of a dense kernel packed for dense_forward_bf16<I, O> (or, transposed, <O, I>).
template <int I, int O>
inline constexpr std::size_t kDensePackedBf16 = std::size_t(bf16_pair_channels(I)) * bf16_packed_outputs(O);

template <int I, int O>
void pack_dense_kernel_bf16(const float* k, Bf16* packed) {
    pack_bf16_pairs<1, I, O>([k](int, int i, int o) { return k[std::size_t(i) * O + o]; }, packed);
}

// The kernel as the input gradient reads it, kt[o][i] = k[i][o], in pairs of output columns.
template <int I, int O>
void pack_dense_transposed_kernel_bf16(const float* k, Bf16* packed) {
    pack_bf16_pairs<1, O, I>([k](int, int o, int i) { return k[std::size_t(i) * O + o]; }, packed);
}

template <int I, int O>
struct DenseWeightsBf16Plan {
    static constexpr int I16 = bf16_packed_outputs(I), O16 = bf16_packed_outputs(O);
    static constexpr int kVectors = O16 / 16;
    static constexpr int NR = kVectors % 4 == 0 ? 4 : kVectors % 2 == 0 ? 2 : 1;
    static constexpr int kCap = max_mr(NR) < 12 ? max_mr(NR) : 12;
    static constexpr int kITiles = (I + kCap - 1) / kCap;
    static constexpr int MR = (I + kITiles - 1) / kITiles;
    static constexpr int kLongTiles = I % kITiles == 0 ? kITiles : I % kITiles;
    static constexpr int kOTiles = kVectors / NR;
    static constexpr int kTiles = kITiles * kOTiles;
    static constexpr int kTailLanes = O - (kVectors - 1) * 16;
    // Bf16s of pair_items_bf16 for a batch of `rows`: the inputs', the gradient's.
    static constexpr std::size_t input_pairs(int rows) { return std::size_t(rows + 1) / 2 * I16 * 2; }
    static constexpr std::size_t gradient_pairs(int rows) { return std::size_t(rows + 1) / 2 * O16 * 2; }
    static constexpr int first_channel(int tile) { return tile * MR - (tile > kLongTiles ? tile - kLongTiles : 0); }
};

#if defined(STATNN_HAS_BF16_KERNELS)

// rows x C floats into rows x bf16_pair_channels(C) bf16, the extra channel zero.
template <int C>
void convert_rows_to_bf16(const float* src, int rows, Bf16* dst) {
    constexpr int Ce = bf16_pair_channels(C);
    if constexpr (C == Ce) {
        convert_to_bf16(src, dst, std::size_t(rows) * C);
    } else {
        for (int r = 0; r < rows; ++r) {
            convert_to_bf16(src + std::size_t(r) * C, dst + std::size_t(r) * Ce, C);
            dst[std::size_t(r) * Ce + C] = 0;
        }
    }
}

// out[r][o] = b[o] + sum_i in[r][i] k[i][o] (b may be null), optionally ReLU, for `rows`
// rows of convert_rows_to_bf16 against pack_dense_kernel_bf16's kernel. The input gradient
// is dense_forward_bf16<O, I>(gradient rows, transposed packed kernel, null, din, rows, false).
template <int I, int O>
void dense_forward_bf16(const Bf16* in, int rows, const Bf16* packed, const float* b, float* out, bool relu) {
    constexpr int Ie = bf16_pair_channels(I), O16 = bf16_packed_outputs(O), kVectors = O16 / 16;
    constexpr int NR = kVectors % 2 == 0 ? 2 : 1, kBlocks = kVectors / NR, MR = NR == 2 ? 14 : 28;
    for (int block = 0; block < kBlocks; ++block) {
        const int o0 = block * NR * 16;
        const __mmask16 last_mask = bf16_detail::lanes_mask(block == kBlocks - 1 ? O - (kVectors - 1) * 16 : 16);
        for (int r0 = 0; r0 < rows; r0 += MR)
            with_rows<MR>(rows - r0 < MR ? rows - r0 : MR, [&](auto mr) {
                conv2d_forward_bf16_tile<1, Ie, 1, O16, O, 1, 1, decltype(mr)::value, NR>(
                    in + std::size_t(r0) * Ie, packed + o0 * 2, b ? b + o0 : nullptr, out + std::size_t(r0) * O + o0,
                    relu, last_mask);
            });
    }
}

// dk[i0 .. i0 + MR)[o0 .. o0 + NR * 16) = sum over row pairs of x_pairs x g_pairs; x_pairs
// points at the inputs' pair_items_bf16 at channel i0, g_pairs at the gradient's at o0.
template <int I, int O, int MR, int NR>
inline void dense_backward_weights_bf16_tile(const Bf16* x_pairs, const Bf16* g_pairs, int row_pairs, float* dk,
                                             __mmask16 last_mask) {
    using namespace bf16_detail;
    constexpr int I16 = bf16_packed_outputs(I), O16 = bf16_packed_outputs(O);
    __m512 acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) acc[m][n] = _mm512_setzero_ps();
    for (int p = 0; p < row_pairs; ++p) {
        __m512i gv[NR];
        for (int n = 0; n < NR; ++n) {
            gv[n] = _mm512_loadu_si512(g_pairs + (std::size_t(p) * O16 + n * 16) * 2);
            keep_in_register(gv[n]);
        }
        for (int m = 0; m < MR; ++m) {
            const __m512i xv = broadcast_pair(x_pairs + (std::size_t(p) * I16 + m) * 2);
            for (int n = 0; n < NR; ++n) acc[m][n] = _mm512_dpbf16_ps(acc[m][n], as_bf16(gv[n]), as_bf16(xv));
        }
    }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n)
            _mm512_mask_storeu_ps(dk + m * O + n * 16, n == NR - 1 ? last_mask : __mmask16(0xffff), acc[m][n]);
}

// Tile `tile` (0 <= tile < kTiles) of dk[i][o] = sum_r in[r][i] g[r][o] (overwritten), from
// pair_items_bf16<I> of the batch's inputs and pair_items_bf16<O> of its gradient. Tiles
// write disjoint parts of dk: a pool may share them out.
template <int I, int O>
void dense_backward_weights_bf16_tile_task(const Bf16* x_pairs, const Bf16* g_pairs, int rows, float* dk, int tile) {
    using P = DenseWeightsBf16Plan<I, O>;
    const int ot = tile % P::kOTiles, it = tile / P::kOTiles, i0 = P::first_channel(it), o0 = ot * P::NR * 16;
    const __mmask16 last_mask = bf16_detail::lanes_mask(ot == P::kOTiles - 1 ? P::kTailLanes : 16);
    const Bf16* x = x_pairs + std::size_t(i0) * 2;
    const Bf16* g = g_pairs + std::size_t(o0) * 2;
    float* d = dk + std::size_t(i0) * O + o0;
    const int row_pairs = (rows + 1) / 2;
    if constexpr (P::kLongTiles < P::kITiles)
        if (it >= P::kLongTiles) {
            dense_backward_weights_bf16_tile<I, O, P::MR - 1, P::NR>(x, g, row_pairs, d, last_mask);
            return;
        }
    dense_backward_weights_bf16_tile<I, O, P::MR, P::NR>(x, g, row_pairs, d, last_mask);
}

#endif

}  // namespace statnn::kernels::simd
