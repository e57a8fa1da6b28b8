// bench/bench_peak.cpp — the fp32 FMA peak at this build's vector width, on 1 and 2
// threads: the ceiling for every FLOP/s figure the other benchmarks print. Its own
// peak_fraction is ≈ 1 on an idle machine; on two threads it shows whether both cores
// reach their peak at once (shared FMA units, frequency drop).
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

}  // namespace
