// bench/fma_peak.hpp — the fp32 fused multiply-add peak of one core at this build's
// vector width: the limit kernel benchmarks are measured against (counter peak_fraction).
//
// The loop keeps as many independent accumulators as the register file allows (24 of 32
// registers, 12 of 16), more than FMA latency × FMA units on any core statnn targets, so
// it is limited by FMA throughput alone. Multiply-add = 2 FLOPs, as everywhere in statnn.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "statnn/config.hpp"
#include "statnn/kernels/simd/common.hpp"

namespace statnn::bench {

#if defined(STATNN_NO_SIMD)
using PeakVector = float;
inline constexpr int kPeakAccumulators = 12;
inline PeakVector peak_fma(PeakVector a, PeakVector b, PeakVector c) { return a * b + c; }
inline float peak_sum(PeakVector v) { return v; }
#else
using PeakVector = FloatBatch;
inline constexpr int kPeakAccumulators = kernels::simd::kVectorRegisters >= 32 ? 24 : 12;
inline PeakVector peak_fma(const PeakVector& a, const PeakVector& b, const PeakVector& c) { return xsimd::fma(a, b, c); }
inline float peak_sum(const PeakVector& v) { return kernels::simd::reduce_add(v); }
#endif

inline constexpr double kPeakFlopsPerRound = 2.0 * kPeakAccumulators * double(kFloatLanes);

// `rounds` rounds of kPeakAccumulators independent FMAs; returns their sum so the work
// cannot be optimised away. acc ← acc·0.9999999 + 1e-7 stays near 1: no overflow, no
// denormals to slow it down.
// noipa: the compiler must not see that it is a pure function and call it once.
[[gnu::noipa]] inline float fma_rounds(std::int64_t rounds, float seed) {
    PeakVector acc[kPeakAccumulators];
    for (int i = 0; i < kPeakAccumulators; ++i) acc[i] = PeakVector(seed + 0.001f * float(i));
    const PeakVector scale(0.9999999f), add(1e-7f);
    for (std::int64_t r = 0; r < rounds; ++r) {
#pragma GCC unroll 32
        for (int i = 0; i < kPeakAccumulators; ++i) acc[i] = peak_fma(acc[i], scale, add);
    }
    float sum = 0;
    for (int i = 0; i < kPeakAccumulators; ++i) sum += peak_sum(acc[i]);
    return sum;
}

// The best rate of five 20 ms runs of `call`, each call doing `units_per_call` units of
// work: a limit measured once per process, so that a busy moment does not lower it.
template <class Call>
double best_rate_of_runs(double units_per_call, Call&& call) {
    double best = 0;
    for (int run = 0; run < 5; ++run) {
        double units = 0, seconds = 0;
        const auto t0 = std::chrono::steady_clock::now();
        while (seconds < 0.02) {
            call();
            units += units_per_call;
            seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        }
        best = std::max(best, units / seconds);
    }
    return best;
}

// One core's peak in FLOP/s, measured once per process. Kernel benchmarks divide their
// FLOP/s by it.
inline double one_thread_fma_peak() {
    static const double peak = [] {
        constexpr std::int64_t kRounds = 1 << 18;
        volatile float sink = 0;
        return best_rate_of_runs(double(kRounds) * kPeakFlopsPerRound, [&] { sink = sink + fma_rounds(kRounds, 1.0f); });
    }();
    return peak;
}

}  // namespace statnn::bench
