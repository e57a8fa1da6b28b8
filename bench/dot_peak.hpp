// bench/dot_peak.hpp — the bf16 and int8 dot-product peaks of one core (AVX-512): the
// limits the bf16 and int8 kernel benchmarks are measured against, as fma_peak.hpp's is
// for the fp32 ones.
//
// vdpbf16ps adds two bf16 products to each of 16 fp32 lanes: 2 multiply-adds = 4 FLOP per
// lane, 64 per instruction. vpdpbusd adds four u8 x s8 products to each of 16 int32 lanes:
// 4 multiply-adds = 8 OP per lane, 128 per instruction. Both loops keep 24 independent
// accumulators, more than latency x units on the cores that have them.
//
// Intrinsics, since xsimd 8.1 has no bf16 or int8 dot products. Each loop is compiled for
// its instruction set alone (target attribute), whatever the build's -march, and is only
// called where the CPU has it (cpu_features.hpp); elsewhere the peak is 0 and the
// benchmarks say skipped.
#pragma once

#include <cstdint>

#include "fma_peak.hpp"
#include "statnn/cpu_features.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STATNN_BENCH_X86_DOT_PEAKS 1
#endif

namespace statnn::bench {

inline constexpr int kDotPeakAccumulators = 24;
inline constexpr double kBf16DotFlopsPerRound = 64.0 * kDotPeakAccumulators;
inline constexpr double kInt8DotOpsPerRound = 128.0 * kDotPeakAccumulators;

#if defined(STATNN_BENCH_X86_DOT_PEAKS)

// `rounds` rounds of 24 independent vdpbf16ps; returns their sum so the work stays. Every
// instruction adds 2 x (2^-10)^2 to each lane: 2^18 rounds stay far from overflow and denormals.
[[gnu::noipa]] __attribute__((target("avx512f,avx512bf16"))) inline float bf16_dot_rounds(std::int64_t rounds,
                                                                                           float seed) {
    __m512 acc[kDotPeakAccumulators];
    for (int i = 0; i < kDotPeakAccumulators; ++i) acc[i] = _mm512_set1_ps(seed + 0.001f * float(i));
    const __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0x1p-10f), _mm512_set1_ps(0x1p-10f));
    const __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1.0f), _mm512_set1_ps(1.0f));
    for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
        for (int i = 0; i < kDotPeakAccumulators; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < kDotPeakAccumulators; ++i) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

// `rounds` rounds of 24 independent vpdpbusd (unsigned bytes x signed bytes); integer
// lanes wrap, so their size does not matter.
[[gnu::noipa]] __attribute__((target("avx512f,avx512bw,avx512vnni"))) inline std::int32_t int8_dot_rounds(
    std::int64_t rounds, std::int32_t seed) {
    __m512i acc[kDotPeakAccumulators];
    for (int i = 0; i < kDotPeakAccumulators; ++i) acc[i] = _mm512_set1_epi32(seed + i);
    const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
    for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
        for (int i = 0; i < kDotPeakAccumulators; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
    __m512i sum = acc[0];
    for (int i = 1; i < kDotPeakAccumulators; ++i) sum = _mm512_add_epi32(sum, acc[i]);
    return _mm512_reduce_add_epi32(sum);
}

#else

inline float bf16_dot_rounds(std::int64_t, float) { return 0; }
inline std::int32_t int8_dot_rounds(std::int64_t, std::int32_t) { return 0; }

#endif

// One core's bf16 dot-product peak in FLOP/s, measured once per process; 0 where the CPU
// has no AVX512_BF16.
inline double one_thread_bf16_dot_peak() {
    static const double peak = [] {
        if (!cpu_has_avx512_bf16()) return 0.0;
        constexpr std::int64_t kRounds = 1 << 18;
        volatile float sink = 0;
        return best_rate_of_runs(double(kRounds) * kBf16DotFlopsPerRound,
                                 [&] { sink = sink + bf16_dot_rounds(kRounds, 1.0f); });
    }();
    return peak;
}

// One core's int8 dot-product peak in OP/s (a multiply-add = 2), measured once per
// process; 0 where the CPU has no AVX512_VNNI.
inline double one_thread_int8_dot_peak() {
    static const double peak = [] {
        if (!cpu_has_avx512_vnni()) return 0.0;
        constexpr std::int64_t kRounds = 1 << 18;
        volatile std::int32_t sink = 0;
        return best_rate_of_runs(double(kRounds) * kInt8DotOpsPerRound,
                                 [&] { sink = sink + int8_dot_rounds(kRounds, 1); });
    }();
    return peak;
}

}  // namespace statnn::bench
