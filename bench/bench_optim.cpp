// bench/bench_optim.cpp — the update kernels of the optimizers in optim/ over cnn6's whole
// parameter set, one thread, the xsimd kernel beside the scalar reference. They stream
// their arrays once per step, so the rate that matters is bytes/s: momentum SGD reads w, b,
// g and writes w, b (20 bytes per parameter), Adam reads w, m, v, g and writes w, m, v (28).
#include "bench_util.hpp"
#include "statnn/kernels/adam.hpp"
#include "statnn/kernels/momentum_sgd.hpp"
#include "statnn/kernels/ref/adam.hpp"
#include "statnn/kernels/ref/momentum_sgd.hpp"
#include "statnn/optim/adam.hpp"
#include "statnn/optim/momentum_sgd.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

constexpr std::size_t kCnn6Params = 2395434;

void set_rates(benchmark::State& state, const LoopClock& clock, double bytes_per_param, double arrays, double flops_per_param) {
    set_byte_counters(state, clock, bytes_per_param * kCnn6Params, 4.0 * arrays * kCnn6Params);
    state.counters["FLOP/s"] =
        benchmark::Counter(flops_per_param * kCnn6Params, benchmark::Counter::kIsIterationInvariantRate);
}

template <bool Simd>
void sgdw_update(benchmark::State& state) {
    const std::size_t n = kCnn6Params;
    Buffer w(n, 1, -0.05f, 0.05f), b(n, 2), g(n, 3);
    const auto c = optim::SgdW{0.9, 5e-4, true}.coefficients(1e-4, 0);  // small steps: values stay put
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd)
            for (int t = 0; t < kernels::MomentumSgdUpdate::tasks(n); ++t)
                kernels::MomentumSgdUpdate::run(t, w.get(), b.get(), g.get(), n, c);
        else
            kernels::ref::momentum_sgd_update(w.get(), b.get(), g.get(), n, c);
        benchmark::ClobberMemory();
    }
    set_rates(state, clock, 20.0, 3, 9.0);
}

template <bool Simd>
void adamw_update(benchmark::State& state) {
    const std::size_t n = kCnn6Params;
    Buffer w(n, 1, -0.05f, 0.05f), m(n, 2, -0.1f, 0.1f), v(n, 3, 0.0f, 0.01f), g(n, 4);
    const auto c = optim::AdamW{}.coefficients(1e-6, 100);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd)
            for (int t = 0; t < kernels::AdamUpdate::tasks(n); ++t)
                kernels::AdamUpdate::run(t, w.get(), m.get(), v.get(), g.get(), n, c);
        else
            kernels::ref::adam_update(w.get(), m.get(), v.get(), g.get(), n, c);
        benchmark::ClobberMemory();
    }
    set_rates(state, clock, 28.0, 4, 16.0);
}

const bool registered = [] {
    benchmark::RegisterBenchmark("sgdw_update/simd/cnn6.all", sgdw_update<true>)->UseRealTime();
    benchmark::RegisterBenchmark("sgdw_update/ref/cnn6.all", sgdw_update<false>)->UseRealTime();
    benchmark::RegisterBenchmark("adamw_update/simd/cnn6.all", adamw_update<true>)->UseRealTime();
    benchmark::RegisterBenchmark("adamw_update/ref/cnn6.all", adamw_update<false>)->UseRealTime();
    return true;
}();

}  // namespace
