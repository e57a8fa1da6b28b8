// bench/bench_eltwise.cpp — memory-bound kernels on the real shapes: max pooling,
// ReLU, dropout, zero padding, the SGD update of all parameters and max-norm.
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/kernels/max_norm.hpp"
#include "statnn/kernels/pool.hpp"
#include "statnn/kernels/ref/eltwise.hpp"
#include "statnn/kernels/ref/max_norm.hpp"
#include "statnn/kernels/ref/sgd.hpp"
#include "statnn/kernels/sgd.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

// Bytes moved per iteration, reported as a rate and against a copy of the same working set
// (by default the bytes moved: every array read or written once).
void set_bytes(benchmark::State& state, const LoopClock& clock, double bytes, double working_set = 0) {
    set_byte_counters(state, clock, bytes, working_set > 0 ? working_set : bytes);
}

template <int H, int W, int C, bool Simd, bool Backward>
void maxpool2d(benchmark::State& state) {
    Buffer x(static_cast<std::size_t>(H) * W * C), out(static_cast<std::size_t>(H / 2) * (W / 2) * C), din(x.size());
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Backward) {
            if constexpr (Simd) kernels::maxpool2d_backward<H, W, C, 2>(x.get(), out.get(), din.get());
            else kernels::ref::maxpool2d_backward<H, W, C, 2>(x.get(), out.get(), din.get());
        } else {
            if constexpr (Simd) kernels::maxpool2d_forward<H, W, C, 2>(x.get(), out.get());
            else kernels::ref::maxpool2d_forward<H, W, C, 2>(x.get(), out.get());
        }
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 4.0 * (x.size() + out.size() + (Backward ? x.size() : 0)));
    state.SetItemsProcessed(state.iterations());
}

template <bool Simd>
void dropout(benchmark::State& state) {
    const std::size_t n = 32 * 32 * 32;  // cnn6 drop1, one image
    Buffer x(n), out(n);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd) kernels::dropout_apply(x.get(), out.get(), n, 0.2f, 12345, 0);
        else kernels::ref::dropout_apply(x.get(), out.get(), n, 0.2f, 12345, 0);
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 8.0 * n);
    state.SetItemsProcessed(state.iterations());
}

template <bool Simd>
void relu_backward(benchmark::State& state) {
    const std::size_t n = 32 * 32 * 32;
    Buffer out(n), g(n), din(n);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd) kernels::relu_backward(out.get(), g.get(), din.get(), n);
        else kernels::ref::relu_backward(out.get(), g.get(), din.get(), n);
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 12.0 * n);
    state.SetItemsProcessed(state.iterations());
}

void pad_image(benchmark::State& state) {
    Buffer x(32 * 32 * 32), mask(32 * 32 * 32), out(34 * 34 * 32);
    const LoopClock clock;
    for (auto _ : state) {
        kernels::pad_image<32, 32, 32, 1>(x.get(), out.get(), mask.get());
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 4.0 * (2 * x.size() + out.size()));
    state.SetItemsProcessed(state.iterations());
}

// The whole parameter set of cnn6, as one SGD step updates it (one thread).
template <bool Simd>
void sgd_update(benchmark::State& state) {
    const std::size_t n = 2395434;
    Buffer w(n), v(n), g(n);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd)
            for (int t = 0; t < kernels::SgdUpdate::tasks(n); ++t)
                kernels::SgdUpdate::run(t, w.get(), v.get(), g.get(), n, 1e-6f, 0.9f, false);
        else
            kernels::ref::sgd_update(w.get(), v.get(), g.get(), n, 1e-6f, 0.9f, false);
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 20.0 * n, 12.0 * n);  // w, v read and written; g read
    state.counters["FLOP/s"] = benchmark::Counter(4.0 * n, benchmark::Counter::kIsIterationInvariantRate);
}

// cnn6 dense1's max-norm(3), as every step applies it (one thread).
template <bool Simd>
void max_norm(benchmark::State& state) {
    using M = kernels::MaxNormConstraint<2048, 1024>;
    Buffer k(2048 * 1024, 1, -0.05f, 0.05f), norms(1024);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Simd) {
            for (int t = 0; t < M::kNormTasks; ++t) M::norms_task(k.get(), norms.get(), t);
            M::factors(norms.get(), 3.0f, 1e-7f);
            for (int t = 0; t < M::kScaleTasks; ++t) M::scale_task(k.get(), norms.get(), t);
        } else {
            kernels::ref::max_norm<2048, 1024>(k.get(), 3.0f, 1e-7f, norms.get());
        }
        benchmark::ClobberMemory();
    }
    set_bytes(state, clock, 12.0 * k.size(), 4.0 * k.size());  // k read twice, written once
    state.counters["FLOP/s"] = benchmark::Counter(3.0 * k.size(), benchmark::Counter::kIsIterationInvariantRate);
}

const bool registered = [] {
    benchmark::RegisterBenchmark("maxpool2d_forward/simd/cnn6.pool1", maxpool2d<32, 32, 32, true, false>)->UseRealTime();
    benchmark::RegisterBenchmark("maxpool2d_forward/ref/cnn6.pool1", maxpool2d<32, 32, 32, false, false>)->UseRealTime();
    benchmark::RegisterBenchmark("maxpool2d_backward/simd/cnn6.pool1", maxpool2d<32, 32, 32, true, true>)->UseRealTime();
    benchmark::RegisterBenchmark("maxpool2d_backward/ref/cnn6.pool1", maxpool2d<32, 32, 32, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark("maxpool2d_backward/simd/cnn4.pool2", maxpool2d<13, 13, 64, true, true>)->UseRealTime();
    benchmark::RegisterBenchmark("maxpool2d_backward/ref/cnn4.pool2", maxpool2d<13, 13, 64, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark("dropout/simd/cnn6.drop1", dropout<true>)->UseRealTime();
    benchmark::RegisterBenchmark("dropout/ref/cnn6.drop1", dropout<false>)->UseRealTime();
    benchmark::RegisterBenchmark("relu_backward/simd/cnn6.conv1", relu_backward<true>)->UseRealTime();
    benchmark::RegisterBenchmark("relu_backward/ref/cnn6.conv1", relu_backward<false>)->UseRealTime();
    benchmark::RegisterBenchmark("pad_image_masked/simd/cnn6.conv2", pad_image)->UseRealTime();
    benchmark::RegisterBenchmark("sgd_update/simd/cnn6.all", sgd_update<true>)->UseRealTime();
    benchmark::RegisterBenchmark("sgd_update/ref/cnn6.all", sgd_update<false>)->UseRealTime();
    benchmark::RegisterBenchmark("max_norm/simd/cnn6.dense1", max_norm<true>)->UseRealTime();
    benchmark::RegisterBenchmark("max_norm/ref/cnn6.dense1", max_norm<false>)->UseRealTime();
    return true;
}();

}  // namespace
