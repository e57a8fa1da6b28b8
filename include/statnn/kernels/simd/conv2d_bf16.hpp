// statnn/kernels/simd/conv2d_bf16.hpp — direct convolution in bf16 with fp32 accumulation,
// on AVX512_BF16 (vdpbf16ps): the forward pass, the input gradient and the kernel gradient.
//
// Contracts as ref/conv2d.hpp (one image, channels-last, input zero-padded, kernel HWIO),
// with the operands of every product rounded to bf16 (ref/bf16.hpp) and the products summed
// in fp32: the oracle is the fp32 reference on bf16-rounded operands. vdpbf16ps adds, to
// each of 16 fp32 lanes, the two products of a pair of bf16 from each operand, so every
// operand is laid out in pairs along the dimension a sum runs over:
//   forward, input gradient: pairs of input channels. The padded image in bf16 has an even
//     channel count (pad_image_bf16); the kernel, packed once per step
//     (pack_conv2d_kernel_bf16, pack_conv2d_rotated_kernel_bf16 for the input gradient),
//     holds [ky][kx][channel pair][output channel][2] with the output channels rounded up
//     to whole vectors of 16 (zeros), so a tile loads a kernel vector of 16 output channels
//     x 2 input channels and broadcasts one pixel's pair of input channels.
//   kernel gradient: pairs of output pixels of a row. The gradient is paired as
//     [y][x/2][output channel][2] (pair_gradient_bf16; an odd row ends on a zero pixel) and
//     the padded input as [y][x][channel][2] holding pixels x and x+1 (pair_pixels_bf16), so
//     the pair meeting gradient pixels 2p, 2p+1 at kernel column kx starts at 2p + kx.
// Tiles are those of simd/conv2d.hpp: MR pixels x NR vectors (forward) or MR input channels
// x NR vectors (kernel gradient) accumulated in registers; a last vector of fewer than 16
// output channels is loaded and stored under a mask.
//
// Intrinsics, since xsimd 8.1 has no bf16 type or dot product. Built where the compiler
// targets AVX512_BF16 (-march=native on such a CPU, or -mavx512bf16); kHasBf16Kernels says
// so, and cpu_has_avx512_bf16() (cpu_features.hpp) whether the running CPU can take them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "statnn/kernels/ref/bf16.hpp"
#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD) && defined(__AVX512BF16__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define STATNN_HAS_BF16_KERNELS 1
#include <immintrin.h>
#endif

namespace statnn::kernels::simd {

using ref::Bf16;

// Channels of a tensor paired along its channels: an odd count gains a zero channel.
constexpr int bf16_pair_channels(int channels) { return channels + channels % 2; }
// Output channels of a packed kernel or paired gradient: whole vectors of 16 floats.
constexpr int bf16_packed_outputs(int channels) { return (channels + 15) / 16 * 16; }

// Bf16s of a kernel packed for the forward convolution (and, with I and O swapped, of the
// rotated one for the input gradient).
template <int I, int K, int O>
inline constexpr std::size_t kConv2DPackedBf16 = std::size_t(K) * K * bf16_pair_channels(I) * bf16_packed_outputs(O);

// packed[p][c / 2][n][c % 2] = bf16(at(p, c, n)) for P positions, C summed channels and N
// output channels; zero for the channel an odd C gains and past N.
template <int P, int C, int N, class At>
void pack_bf16_pairs(At&& at, Bf16* packed) {
    constexpr int Cp = bf16_pair_channels(C) / 2, N16 = bf16_packed_outputs(N);
    for (int p = 0; p < P; ++p)
        for (int cp = 0; cp < Cp; ++cp)
            for (int n = 0; n < N16; ++n)
                for (int j = 0; j < 2; ++j) {
                    const int c = 2 * cp + j;
                    packed[((std::size_t(p) * Cp + cp) * N16 + n) * 2 + j] =
                        c < C && n < N ? ref::to_bf16(at(p, c, n)) : Bf16(0);
                }
}

// The HWIO kernel w in pairs of input channels, for conv2d_forward_bf16.
template <int I, int K, int O>
void pack_conv2d_kernel_bf16(const float* w, Bf16* packed) {
    pack_bf16_pairs<K * K, I, O>([w](int p, int i, int o) { return w[(std::size_t(p) * I + i) * O + o]; }, packed);
}

// The input gradient's kernel (ref::conv2d_rotate_kernel: rotated by 180 degrees, channel
// axes swapped) in pairs of output channels, for conv2d_forward_bf16<.., O, K, I>.
template <int I, int K, int O>
void pack_conv2d_rotated_kernel_bf16(const float* w, Bf16* packed) {
    pack_bf16_pairs<K * K, O, I>(
        [w](int p, int o, int i) { return w[(std::size_t(K * K - 1 - p) * I + i) * O + o]; }, packed);
}

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DForwardBf16Plan {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    static constexpr int Ie = bf16_pair_channels(I), O16 = bf16_packed_outputs(O);
    static constexpr int kVectors = O16 / 16;
    static constexpr int NR = kVectors % 2 == 0 ? 2 : 1;  // as the fp32 kernel on AVX-512
    static constexpr int kBlocks = kVectors / NR;
    static constexpr int kPixels = 14;  // 28 accumulators, 2 kernel vectors and a broadcast
    static constexpr int MR = balanced_tile(Wo, NR == 2 ? kPixels : 2 * kPixels);
    static constexpr int kLastMR = Wo - (Wo - 1) / MR * MR;
    static constexpr int RR = MR == Wo && 2 * Wo <= kPixels ? balanced_tile(Ho, kPixels / Wo) : 1;
    static constexpr int kLastRR = Ho - (Ho - 1) / RR * RR;
    static constexpr int kTailLanes = O - (kVectors - 1) * 16;  // output channels of the last vector
    static constexpr std::size_t kInputBf16 = std::size_t(Hp) * Wp * Ie;  // the padded bf16 image
};

template <int Hp, int Wp, int I, int K, int O>
struct Conv2DWeightsBf16Plan {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1, Wo2 = (Wo + 1) / 2;
    static constexpr int Ie = bf16_pair_channels(I), O16 = bf16_packed_outputs(O);
    static constexpr int kVectors = O16 / 16;
    static constexpr int NR = kVectors % 4 == 0 ? 4 : kVectors % 2 == 0 ? 2 : 1;
    static constexpr int kCap = max_mr(NR) < 12 ? max_mr(NR) : 12;  // input channels per tile
    // Tiles of MR or MR - 1 input channels (the first kLongTiles have MR), as the fp32 kernel.
    static constexpr int kITiles = (I + kCap - 1) / kCap;
    static constexpr int MR = (I + kITiles - 1) / kITiles;
    static constexpr int kLongTiles = I % kITiles == 0 ? kITiles : I % kITiles;
    static constexpr int kOTiles = kVectors / NR;
    static constexpr int kTiles = K * K * kITiles * kOTiles;  // independent pieces of work
    static constexpr int kTailLanes = O - (kVectors - 1) * 16;
    static constexpr std::size_t kInputPairsBf16 = std::size_t(Hp) * Wp * Ie * 2;     // pair_pixels_bf16
    static constexpr std::size_t kGradientPairsBf16 = std::size_t(Ho) * Wo2 * O16 * 2;  // pair_gradient_bf16
    static constexpr int first_channel(int tile) { return tile * MR - (tile > kLongTiles ? tile - kLongTiles : 0); }
};

#if defined(STATNN_HAS_BF16_KERNELS)

inline constexpr bool kHasBf16Kernels = true;

namespace bf16_detail {

inline __m512bh as_bf16(__m512i v) { return (__m512bh)v; }

// A pair of bf16 at p, broadcast to every 32-bit lane.
inline __m512i broadcast_pair(const Bf16* p) {
    std::int32_t pair;
    std::memcpy(&pair, p, sizeof pair);
    return _mm512_set1_epi32(pair);
}

inline __mmask16 lanes_mask(int lanes) { return __mmask16((1u << lanes) - 1u); }

// Keeps a loaded vector in a register (see keep_in_register in common.hpp).
inline void keep_in_register(__m512i& v) { asm("" : "+v"(v)); }

// 16 floats, rounded, as the low or high 16-bit of 32 lanes: (a, b) -> a0 b0 a1 b1 ... a15 b15.
inline __m512i interleave_bf16(__m512 a, __m512 b) {
    const __m512i pairs = (__m512i)_mm512_cvtne2ps_pbh(b, a);  // a in the low half, b in the high
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7, 22,
                                           6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(order, pairs);
}

}  // namespace bf16_detail

// dst[e] = ref::to_bf16(src[e]), or 0 where mask (if given) is <= 0, for e < n. The vector
// conversion rounds to nearest even and flushes denormals, as to_bf16 does.
inline void convert_to_bf16(const float* src, Bf16* dst, std::size_t n, const float* mask = nullptr) {
    std::size_t e = 0;
    const __m512 zero = _mm512_setzero_ps();
    auto masked = [&](std::size_t at) {
        const __m512 v = _mm512_loadu_ps(src + at);
        return mask ? _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(mask + at), zero, _CMP_GT_OQ), v) : v;
    };
    const std::size_t blocks_end = n - n % 32;  // so GCC sees the trip count cannot wrap
    for (; e < blocks_end; e += 32) _mm512_storeu_si512(dst + e, (__m512i)_mm512_cvtne2ps_pbh(masked(e + 16), masked(e)));
    for (; e < n; ++e) dst[e] = mask && !(mask[e] > 0.0f) ? Bf16(0) : ref::to_bf16(src[e]);
}

// ref::pad_image into bf16 with bf16_pair_channels(C) channels (the extra one zero): the
// operand of conv2d_forward_bf16. With a mask, elements whose mask is <= 0 become 0.
template <int H, int W, int C, int P>
void pad_image_bf16(const float* src, Bf16* dst, const float* mask = nullptr) {
    constexpr int Ce = bf16_pair_channels(C), Wp = W + 2 * P;
    std::memset(dst, 0, sizeof(Bf16) * P * Wp * Ce);
    for (int y = 0; y < H; ++y) {
        Bf16* row = dst + std::size_t(y + P) * Wp * Ce;
        const std::size_t s = std::size_t(y) * W * C;
        std::memset(row, 0, sizeof(Bf16) * P * Ce);
        if constexpr (C == Ce) {
            convert_to_bf16(src + s, row + P * Ce, std::size_t(W) * C, mask ? mask + s : nullptr);
        } else {
            for (int x = 0; x < W; ++x) {
                convert_to_bf16(src + s + x * C, row + (P + x) * Ce, C, mask ? mask + s + x * C : nullptr);
                row[(P + x) * Ce + C] = 0;
            }
        }
        std::memset(row + (P + W) * Ce, 0, sizeof(Bf16) * P * Ce);
    }
    std::memset(dst + std::size_t(P + H) * Wp * Ce, 0, sizeof(Bf16) * P * Wp * Ce);
}

// RR rows of MR output pixels x NR vectors of 16 output channels at out[y][x0][o0] (rows OW
// pixels apart). in points at the bf16 image's [y][x0][0], w at the packed kernel's
// output channel o0, b at bias[o0] (or null); the last vector stores the lanes of last_mask.
template <int Wp, int Ie, int K, int O16, int O, int OW, int RR, int MR, int NR>
inline void conv2d_forward_bf16_tile(const Bf16* in, const Bf16* w, const float* b, float* out, bool relu,
                                     __mmask16 last_mask) {
    using namespace bf16_detail;
    __m512 acc[RR * MR][NR];
    for (int n = 0; n < NR; ++n) {
        const __mmask16 mask = n == NR - 1 ? last_mask : __mmask16(0xffff);
        const __m512 init = b ? _mm512_maskz_loadu_ps(mask, b + n * 16) : _mm512_setzero_ps();
        for (int m = 0; m < RR * MR; ++m) acc[m][n] = init;
    }
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
            const Bf16* x = in + (ky * Wp + kx) * Ie;
            const Bf16* wk = w + std::size_t(ky * K + kx) * Ie * O16;
            for (int ip = 0; ip < Ie / 2; ++ip) {
                __m512i wv[NR];
                for (int n = 0; n < NR; ++n) {
                    wv[n] = _mm512_loadu_si512(wk + (ip * O16 + n * 16) * 2);
                    keep_in_register(wv[n]);
                }
                for (int r = 0; r < RR; ++r)
                    for (int m = 0; m < MR; ++m) {
                        const __m512i xv = broadcast_pair(x + (r * Wp + m) * Ie + 2 * ip);
                        for (int n = 0; n < NR; ++n)
                            acc[r * MR + m][n] = _mm512_dpbf16_ps(acc[r * MR + m][n], as_bf16(wv[n]), as_bf16(xv));
                    }
            }
        }
    for (int r = 0; r < RR; ++r)
        for (int m = 0; m < MR; ++m)
            for (int n = 0; n < NR; ++n) {
                const __m512 v = relu ? _mm512_max_ps(acc[r * MR + m][n], _mm512_setzero_ps()) : acc[r * MR + m][n];
                _mm512_mask_storeu_ps(out + (r * OW + m) * O + n * 16, n == NR - 1 ? last_mask : __mmask16(0xffff), v);
            }
}

// One image: out = conv(in, w) + b (b may be null), optionally ReLU; in is the padded image
// from pad_image_bf16, w the kernel from pack_conv2d_kernel_bf16. The input gradient is
// conv2d_forward_bf16<Hq, Wq, O, K, I>(padded output gradient, rotated packed kernel, null, din, false).
template <int Hp, int Wp, int I, int K, int O>
void conv2d_forward_bf16(const Bf16* in, const Bf16* w, const float* b, float* out, bool relu) {
    using P = Conv2DForwardBf16Plan<Hp, Wp, I, K, O>;
    for (int block = 0; block < P::kBlocks; ++block) {
        const int o0 = block * P::NR * 16;
        const __mmask16 last_mask = bf16_detail::lanes_mask(block == P::kBlocks - 1 ? P::kTailLanes : 16);
        auto tile_rows = [&](int y, auto rows) {
            constexpr int R = decltype(rows)::value;
            auto tile = [&](int x0, auto pixels) {
                conv2d_forward_bf16_tile<Wp, P::Ie, K, P::O16, O, P::Wo, R, decltype(pixels)::value, P::NR>(
                    in + (y * Wp + x0) * P::Ie, w + o0 * 2, b ? b + o0 : nullptr, out + (y * P::Wo + x0) * O + o0,
                    relu, last_mask);
            };
            int x0 = 0;
            for (; x0 + P::MR < P::Wo; x0 += P::MR) tile(x0, std::integral_constant<int, P::MR>{});
            tile(x0, std::integral_constant<int, P::kLastMR>{});
        };
        int y = 0;
        for (; y + P::RR < P::Ho; y += P::RR) tile_rows(y, std::integral_constant<int, P::RR>{});
        tile_rows(y, std::integral_constant<int, P::kLastRR>{});
    }
}

// pairs[y][x][c][j] = image[y][x + j][c] (0 past the last column), from the padded bf16
// image of pad_image_bf16 (C = bf16_pair_channels(I) channels): the kernel gradient's
// input operand, pixel pairs starting at every column.
template <int Hp, int Wp, int C>
void pair_pixels_bf16(const Bf16* image, Bf16* pairs) {
    static_assert(C % 2 == 0, "pair_pixels_bf16: the padded bf16 image has an even channel count");
    const __m512i low = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6, 37,
                                         5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
    const __m512i high = _mm512_add_epi16(low, _mm512_set1_epi16(16));
    for (int y = 0; y < Hp; ++y)
        for (int x = 0; x < Wp; ++x) {
            const Bf16* a = image + (std::size_t(y) * Wp + x) * C;
            const Bf16* b = x + 1 < Wp ? a + C : nullptr;
            Bf16* d = pairs + (std::size_t(y) * Wp + x) * C * 2;
            int c = 0;
            for (; c + 32 <= C; c += 32) {
                const __m512i va = _mm512_loadu_si512(a + c), vb = b ? _mm512_loadu_si512(b + c) : _mm512_setzero_si512();
                _mm512_storeu_si512(d + 2 * c, _mm512_permutex2var_epi16(va, low, vb));
                _mm512_storeu_si512(d + 2 * c + 32, _mm512_permutex2var_epi16(va, high, vb));
            }
            for (; c < C; ++c) {
                d[2 * c] = a[c];
                d[2 * c + 1] = b ? b[c] : Bf16(0);
            }
        }
}

// pairs[p][c][j] = bf16(src[2p + j][c]) for `count` consecutive items of C floats (the
// pixels of a row, the rows of a batch): zero past the last item and past C to whole
// vectors of 16 (bf16_packed_outputs(C) channels).
template <int C>
void pair_items_bf16(const float* src, int count, Bf16* pairs) {
    using namespace bf16_detail;
    constexpr int C16 = bf16_packed_outputs(C);
    for (int p = 0; p < (count + 1) / 2; ++p) {
        const float* a = src + std::size_t(2 * p) * C;
        const bool has_second = 2 * p + 1 < count;
        Bf16* d = pairs + std::size_t(p) * C16 * 2;
        for (int c = 0; c < C16; c += 16) {
            const __mmask16 mask = lanes_mask(C - c < 16 ? C - c : 16);
            const __m512 va = _mm512_maskz_loadu_ps(mask, a + c);
            const __m512 vb = has_second ? _mm512_maskz_loadu_ps(mask, a + C + c) : _mm512_setzero_ps();
            _mm512_storeu_si512(d + 2 * c, interleave_bf16(va, vb));
        }
    }
}

// pairs[y][p][o][j] = bf16(g[y][2p + j][o]) for the Ho x Wo output gradient g (row stride
// GW pixels), pair_items_bf16 row by row: the kernel gradient's gradient operand.
template <int Ho, int Wo, int O, int GW>
void pair_gradient_bf16(const float* g, Bf16* pairs) {
    constexpr std::size_t kRowPairs = std::size_t((Wo + 1) / 2) * bf16_packed_outputs(O) * 2;
    for (int y = 0; y < Ho; ++y) pair_items_bf16<O>(g + std::size_t(y) * GW * O, Wo, pairs + y * kRowPairs);
}

// dw[ky][kx][i0 .. i0 + MR)[o0 .. o0 + NR * 16) += sum over pixel pairs of in_pairs x
// g_pairs. in_pairs points at pair_pixels_bf16's [ky][kx][i0], g_pairs at
// pair_gradient_bf16's [0][0][o0], dw at dw[ky][kx][i0][o0]; the last vector's lanes are last_mask's.
template <int Ho, int Wo, int Wp, int Ie, int O, int MR, int NR>
inline void conv2d_backward_weights_bf16_tile(const Bf16* in_pairs, const Bf16* g_pairs, float* dw,
                                              __mmask16 last_mask) {
    using namespace bf16_detail;
    constexpr int Wo2 = (Wo + 1) / 2, O16 = bf16_packed_outputs(O);
    __m512 acc[MR][NR];
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n)
            acc[m][n] = _mm512_maskz_loadu_ps(n == NR - 1 ? last_mask : __mmask16(0xffff), dw + m * O + n * 16);
    for (int y = 0; y < Ho; ++y)
        for (int p = 0; p < Wo2; ++p) {
            const Bf16* x = in_pairs + (std::size_t(y) * Wp + 2 * p) * Ie * 2;
            __m512i gv[NR];
            for (int n = 0; n < NR; ++n) {
                gv[n] = _mm512_loadu_si512(g_pairs + ((std::size_t(y) * Wo2 + p) * O16 + n * 16) * 2);
                keep_in_register(gv[n]);
            }
            for (int m = 0; m < MR; ++m) {
                const __m512i xv = broadcast_pair(x + 2 * m);
                for (int n = 0; n < NR; ++n) acc[m][n] = _mm512_dpbf16_ps(acc[m][n], as_bf16(gv[n]), as_bf16(xv));
            }
        }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n)
            _mm512_mask_storeu_ps(dw + m * O + n * 16, n == NR - 1 ? last_mask : __mmask16(0xffff), acc[m][n]);
}

// Adds one image's contribution to tile `tile` (0 <= tile < kTiles) of the kernel gradient
// dw (HWIO, fp32), from the image's pair_pixels_bf16 and its gradient's pair_gradient_bf16.
// Tiles write disjoint parts of dw: a pool may share them out.
template <int Hp, int Wp, int I, int K, int O>
void conv2d_backward_weights_bf16_tile_image(const Bf16* in_pairs, const Bf16* g_pairs, float* dw, int tile) {
    using P = Conv2DWeightsBf16Plan<Hp, Wp, I, K, O>;
    const int ot = tile % P::kOTiles, it = (tile / P::kOTiles) % P::kITiles, pos = tile / (P::kOTiles * P::kITiles);
    const int i0 = P::first_channel(it), o0 = ot * P::NR * 16, ky = pos / K, kx = pos % K;
    const __mmask16 last_mask = bf16_detail::lanes_mask(ot == P::kOTiles - 1 ? P::kTailLanes : 16);
    const Bf16* x = in_pairs + ((std::size_t(ky) * Wp + kx) * P::Ie + i0) * 2;
    const Bf16* g = g_pairs + std::size_t(o0) * 2;
    float* d = dw + (std::size_t(pos) * I + i0) * O + o0;
    if constexpr (P::kLongTiles < P::kITiles)
        if (it >= P::kLongTiles) {
            conv2d_backward_weights_bf16_tile<P::Ho, P::Wo, Wp, P::Ie, O, P::MR - 1, P::NR>(x, g, d, last_mask);
            return;
        }
    conv2d_backward_weights_bf16_tile<P::Ho, P::Wo, Wp, P::Ie, O, P::MR, P::NR>(x, g, d, last_mask);
}

#else

inline constexpr bool kHasBf16Kernels = false;

#endif

}  // namespace statnn::kernels::simd
