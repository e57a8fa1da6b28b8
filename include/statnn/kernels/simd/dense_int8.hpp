// statnn/kernels/simd/dense_int8.hpp — int8 fully connected inference on AVX512_VNNI
// (vpdpbusd), with ref/dense_int8.hpp's contract: the same exact int32 sums.
//
// vpdpbusd adds, to each of 16 int32 lanes, the four products of unsigned bytes by signed
// bytes. The inputs are signed, so they enter shifted by 128 (to_unsigned_int8_rows: q + 128
// in [1, 255]), and the sums start at -128 * sum_i k[i][o], which pack_dense_kernel_int8
// computes once with the packing: sum (q + 128) k - 128 sum k = sum q k, exactly. The kernel
// is packed as [i / 4][output channel][i % 4], output channels rounded up to whole vectors of
// 16 (zeros), so a tile loads 16 output channels x 4 inputs and broadcasts 4 input bytes of
// a row: MR rows x NR vectors of sums in registers, as the bf16 kernels.
//
// Intrinsics, since xsimd 8.1 has no int8 dot product. Built where the compiler targets
// AVX512_VNNI; kHasInt8Kernels says so, cpu_has_avx512_vnni() whether the CPU runs them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "statnn/kernels/simd/common.hpp"
#include "statnn/kernels/simd/conv2d_bf16.hpp"
#include "statnn/kernels/simd/dense.hpp"

#if !defined(STATNN_NO_SIMD) && defined(__AVX512VNNI__) && defined(__AVX512BW__)
#define STATNN_HAS_INT8_KERNELS 1
#include <immintrin.h>
#endif

namespace statnn::kernels::simd {

constexpr int int8_quad_channels(int channels) { return (channels + 3) / 4 * 4; }

// Bytes of a dense kernel packed by pack_dense_kernel_int8, and its int32 offsets.
template <int I, int O>
inline constexpr std::size_t kDensePackedInt8 = std::size_t(int8_quad_channels(I)) * bf16_packed_outputs(O);
template <int O>
inline constexpr std::size_t kDenseInt8Offsets = bf16_packed_outputs(O);

// packed[i / 4][o][i % 4] = k[i][o] (zero past I and O); offsets[o] = -128 * sum_i k[i][o].
template <int I, int O>
void pack_dense_kernel_int8(const std::int8_t* k, std::int8_t* packed, std::int32_t* offsets) {
    constexpr int Iq = int8_quad_channels(I), O16 = bf16_packed_outputs(O);
    for (int o = 0; o < O16; ++o) {
        std::int32_t sum = 0;
        for (int i = 0; i < Iq; ++i) {
            const std::int8_t v = i < I && o < O ? k[std::size_t(i) * O + o] : std::int8_t(0);
            packed[(std::size_t(i / 4) * O16 + o) * 4 + i % 4] = v;
            sum += v;
        }
        offsets[o] = -128 * sum;
    }
}

#if defined(STATNN_HAS_INT8_KERNELS)

inline constexpr bool kHasInt8Kernels = true;

// rows x I signed inputs into rows x int8_quad_channels(I) unsigned ones, q + 128 (the
// padding 128 too, which meets zero weights).
template <int I>
void to_unsigned_int8_rows(const std::int8_t* in, int rows, std::uint8_t* out) {
    constexpr int Iq = int8_quad_channels(I);
    for (int r = 0; r < rows; ++r)
        for (int i = 0; i < Iq; ++i)
            out[std::size_t(r) * Iq + i] = std::uint8_t(i < I ? in[std::size_t(r) * I + i] + 128 : 128);
}

// MR rows x NR vectors of 16 sums at sums[r0][o0]: in at row r0 of to_unsigned_int8_rows,
// packed and offsets at output channel o0; the last vector stores the lanes of last_mask.
template <int Iq, int O16, int O, int MR, int NR>
inline void dense_int8_tile(const std::uint8_t* in, const std::int8_t* packed, const std::int32_t* offsets,
                            std::int32_t* sums, __mmask16 last_mask) {
    __m512i acc[MR][NR];
    for (int n = 0; n < NR; ++n) {
        const __m512i init = _mm512_loadu_si512(offsets + n * 16);
        for (int m = 0; m < MR; ++m) acc[m][n] = init;
    }
    for (int q = 0; q < Iq / 4; ++q) {
        __m512i wv[NR];
        for (int n = 0; n < NR; ++n) {
            wv[n] = _mm512_loadu_si512(packed + (std::size_t(q) * O16 + n * 16) * 4);
            asm("" : "+v"(wv[n]));  // kept in a register (see keep_in_register in common.hpp)
        }
        for (int m = 0; m < MR; ++m) {
            std::int32_t quad;
            std::memcpy(&quad, in + std::size_t(m) * Iq + 4 * q, sizeof quad);
            const __m512i xv = _mm512_set1_epi32(quad);
            for (int n = 0; n < NR; ++n) acc[m][n] = _mm512_dpbusd_epi32(acc[m][n], xv, wv[n]);
        }
    }
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n)
            _mm512_mask_storeu_epi32(sums + std::size_t(m) * O + n * 16, n == NR - 1 ? last_mask : __mmask16(0xffff),
                                     acc[m][n]);
}

// sums[r][o] = sum_i q[r][i] k[i][o] for `rows` rows of to_unsigned_int8_rows, with the
// kernel and offsets of pack_dense_kernel_int8: ref::dense_int8_sums, exactly.
template <int I, int O>
void dense_int8_sums(const std::uint8_t* in, int rows, const std::int8_t* packed, const std::int32_t* offsets,
                     std::int32_t* sums) {
    constexpr int Iq = int8_quad_channels(I), O16 = bf16_packed_outputs(O), kVectors = O16 / 16;
    constexpr int NR = kVectors % 2 == 0 ? 2 : 1, kBlocks = kVectors / NR, MR = NR == 2 ? 14 : 28;
    for (int block = 0; block < kBlocks; ++block) {
        const int o0 = block * NR * 16, lanes = block == kBlocks - 1 ? O - (kVectors - 1) * 16 : 16;
        const __mmask16 last_mask = __mmask16((1u << lanes) - 1u);
        for (int r0 = 0; r0 < rows; r0 += MR)
            with_rows<MR>(rows - r0 < MR ? rows - r0 : MR, [&](auto mr) {
                dense_int8_tile<Iq, O16, O, decltype(mr)::value, NR>(in + std::size_t(r0) * Iq, packed + o0 * 4,
                                                                   offsets + o0, sums + std::size_t(r0) * O + o0,
                                                                   last_mask);
            });
    }
}

#else

inline constexpr bool kHasInt8Kernels = false;

#endif

}  // namespace statnn::kernels::simd
