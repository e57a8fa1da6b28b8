// bench/bench_peak.cpp — the fp32 FMA peak at this build's vector width, on 1 and 2
// threads: the ceiling for every FLOP/s figure the other benchmarks print (its own
// peak_fraction is ≈ 1 on an idle machine; on two threads it shows whether both cores
// reach their peak at once: shared FMA units, frequency drop); the bf16 and int8
// dot-product peaks likewise (dot_peak.hpp), the ceilings of the bf16 and int8 kernels;
// and one thread's copy bandwidth, the ceiling for the memory-bound ones.
#include <string>

#include "bench_util.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

void fma_peak(benchmark::State& state) {
    constexpr std::int64_t kRounds = 1 << 14;
    float sink = 0;
    const LoopClock clock;
    for (auto _ : state) {
        sink += fma_rounds(kRounds, 1.0f);
        benchmark::DoNotOptimize(sink);
    }
    // Each benchmark thread is one core's worth: its peak_fraction is against one core, and
    // the mean over the threads is what the counter shows.
    set_flop_counters(state, clock, double(kRounds) * kPeakFlopsPerRound);
    state.SetLabel(std::string(simd_arch_name()) + ", " + std::to_string(kPeakAccumulators) + " accumulators of " +
                   std::to_string(kFloatLanes) + " floats");
}

BENCHMARK(fma_peak)->Threads(1)->Threads(2)->UseRealTime();

// The bf16 dot-product peak (vdpbf16ps, 4 FLOP per fp32 lane), the ceiling of the bf16
// kernels' peak_fraction; skipped on a CPU without AVX512_BF16.
void bf16_dot_peak(benchmark::State& state) {
    if (!cpu_has_avx512_bf16()) {
        state.SkipWithError("skipped: this CPU has no AVX512_BF16");
        return;
    }
    constexpr std::int64_t kRounds = 1 << 14;
    float sink = 0;
    const LoopClock clock;
    for (auto _ : state) {
        sink += bf16_dot_rounds(kRounds, 1.0f);
        benchmark::DoNotOptimize(sink);
    }
    set_rate_counters(state, clock, double(kRounds) * kBf16DotFlopsPerRound, one_thread_bf16_dot_peak());
    state.SetLabel("vdpbf16ps, " + std::to_string(kDotPeakAccumulators) + " accumulators of 16 floats");
}

BENCHMARK(bf16_dot_peak)->Threads(1)->Threads(2)->UseRealTime();

// The int8 dot-product peak (vpdpbusd, 8 OP per int32 lane), the ceiling of the int8
// kernels' peak_fraction; skipped on a CPU without AVX512_VNNI.
void int8_dot_peak(benchmark::State& state) {
    if (!cpu_has_avx512_vnni()) {
        state.SkipWithError("skipped: this CPU has no AVX512_VNNI");
        return;
    }
    constexpr std::int64_t kRounds = 1 << 14;
    std::int32_t sink = 0;
    const LoopClock clock;
    for (auto _ : state) {
        sink += int8_dot_rounds(kRounds, 1);
        benchmark::DoNotOptimize(sink);
    }
    set_rate_counters(state, clock, double(kRounds) * kInt8DotOpsPerRound, one_thread_int8_dot_peak(), 1, "OP/s");
    state.SetLabel("vpdpbusd, " + std::to_string(kDotPeakAccumulators) + " accumulators of 16 int32");
}

BENCHMARK(int8_dot_peak)->Threads(1)->Threads(2)->UseRealTime();

// The copy that memory-bound kernels are held to (bandwidth_fraction), at working sets
// served by L2 (one image of activations), by L3, and by memory (cnn6's parameters and
// their gradients and momenta are 29 MB): bytes read + written per second, one thread.
void memory_copy(benchmark::State& state) {
    const std::size_t working_set = std::size_t(state.range(0)) << 10, n = working_set / 2 / sizeof(float);
    Buffer src(n), dst(n);
    for (auto _ : state) {
        copy_floats(src.get(), dst.get(), n);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 2.0 * double(n) * sizeof(float)));
    state.SetLabel("working set " + std::to_string(state.range(0)) + " KiB");
}

BENCHMARK(memory_copy)->Arg(256)->Arg(8 << 10)->Arg(256 << 10)->UseRealTime();

}  // namespace
