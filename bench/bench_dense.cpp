// bench/bench_dense.cpp — fully connected kernels on the real cnn4/cnn6 shapes, a batch
// of 32 rows per iteration, one thread: forward, input gradient, kernel gradient.
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/dense.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

constexpr int kRows = 32;

enum class Op { Forward, Input, Weights };

template <int I, int O, Op Which, bool Simd>
void dense(benchmark::State& state) {
    using D = kernels::Dense<I, O>;
    Buffer scratch(D::kScratchFloats + 1);
    Buffer x(static_cast<std::size_t>(kRows) * I), k(static_cast<std::size_t>(I) * O, 2, -0.05f, 0.05f), b(O), out(static_cast<std::size_t>(kRows) * O),
        g(static_cast<std::size_t>(kRows) * O, 3), din(static_cast<std::size_t>(kRows) * I), dk(static_cast<std::size_t>(I) * O), db(O);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Which == Op::Forward) {
            if constexpr (Simd)
                for (int t = 0; t < D::kForwardTasks; ++t) D::forward(t, x.get(), kRows, k.get(), b.get(), out.get(), true, scratch.get());
            else
                kernels::ref::dense_forward<I, O>(x.get(), kRows, k.get(), b.get(), out.get(), true);
        } else if constexpr (Which == Op::Input) {
            if constexpr (Simd)
                for (int t = 0; t < D::kInputTasks; ++t) D::backward_input(t, g.get(), kRows, k.get(), din.get(), scratch.get());
            else
                kernels::ref::dense_backward_input<I, O>(g.get(), kRows, k.get(), din.get());
        } else {
            if constexpr (Simd)
                for (int t = 0; t < D::kWeightTasks; ++t) D::backward_weights(t, x.get(), g.get(), kRows, dk.get(), db.get(), scratch.get());
            else
                kernels::ref::dense_backward_weights<I, O>(x.get(), g.get(), kRows, dk.get(), db.get());
        }
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, 2.0 * kRows * I * O, kRows);
}

template <int I, int O>
void register_layer(const std::string& name) {
    benchmark::RegisterBenchmark(("dense_forward/simd/" + name).c_str(), dense<I, O, Op::Forward, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("dense_forward/ref/" + name).c_str(), dense<I, O, Op::Forward, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("dense_backward_input/simd/" + name).c_str(), dense<I, O, Op::Input, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("dense_backward_input/ref/" + name).c_str(), dense<I, O, Op::Input, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("dense_backward_weights/simd/" + name).c_str(), dense<I, O, Op::Weights, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("dense_backward_weights/ref/" + name).c_str(), dense<I, O, Op::Weights, false>)->UseRealTime();
}

const bool registered = [] {
    register_layer<2048, 1024>("cnn6.dense1");
    register_layer<1024, 10>("cnn6.dense2");
    register_layer<2304, 512>("cnn4.dense1");
    return true;
}();

}  // namespace
