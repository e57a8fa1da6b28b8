// bench/bench_batchnorm.cpp — batch normalisation on the shapes of an airbench-like
// CIFAR net at batch 32 (32x32x64, 16x16x256, 8x8x256), one thread: training forward
// (batch statistics, running update), training backward (dx, dγ, dβ) and evaluation
// forward; the task pipeline (xsimd phases) and the scalar reference. Memory-bound:
// the counter is bytes/s of the tensors each pass must move, the items are images.
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/batchnorm.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

enum class Pass { TrainForward, TrainBackward, EvalForward };

template <int H, int W, int C, Pass What, bool Simd>
void batchnorm(benchmark::State& state) {
    constexpr int kBatch = 32;
    constexpr std::size_t rows = std::size_t(kBatch) * H * W, n = rows * C;
    using BN = kernels::BatchNorm<C>;
    Buffer x(n, 1, -1.0f, 3.0f), y(n), dy(n, 2), dx(n), gamma(C, 3, 0.5f, 1.5f), beta(C, 4), saved(BN::kSavedFloats), mean(C), invstd(C),
        rm(C, 5), rv(C, 6, 0.5f, 2.0f), dgamma(C), dbeta(C), scratch(BN::scratch_floats(rows));
    kernels::SerialRunner serial;
    BN::train_forward(serial, x.get(), rows, gamma.get(), beta.get(), 1e-5f, 0.1f, y.get(), saved.get(), rm.get(), rv.get(),
                      scratch.get());
    for (int c = 0; c < C; ++c) mean.get()[c] = BN::batch_mean(saved.get(), c), invstd.get()[c] = BN::batch_invstd(saved.get())[c];
    for (auto _ : state) {
        if constexpr (What == Pass::TrainForward) {
            if constexpr (Simd)
                BN::train_forward(serial, x.get(), rows, gamma.get(), beta.get(), 1e-5f, 0.1f, y.get(), saved.get(), rm.get(),
                                  rv.get(), scratch.get());
            else
                kernels::ref::batchnorm_train_forward<C>(x.get(), rows, gamma.get(), beta.get(), 1e-5, 0.1, y.get(),
                                                         mean.get(), invstd.get(), rm.get(), rv.get());
        } else if constexpr (What == Pass::TrainBackward) {
            if constexpr (Simd)
                BN::train_backward(serial, x.get(), dy.get(), rows, gamma.get(), saved.get(), dx.get(), dgamma.get(),
                                   dbeta.get(), scratch.get());
            else
                kernels::ref::batchnorm_train_backward<C>(x.get(), dy.get(), rows, gamma.get(), mean.get(), invstd.get(),
                                                          dx.get(), dgamma.get(), dbeta.get());
        } else {
            if constexpr (Simd)
                BN::eval_forward(serial, x.get(), rows, gamma.get(), beta.get(), 1e-5f, rm.get(), rv.get(), y.get(),
                                 scratch.get());
            else
                kernels::ref::batchnorm_eval_forward<C>(x.get(), rows, gamma.get(), beta.get(), 1e-5, rm.get(), rv.get(),
                                                        y.get());
        }
        benchmark::ClobberMemory();
    }
    // Bytes a pass must move at least: training forward reads x twice (statistics, then
    // normalisation) and writes y; backward reads x and dy twice and writes dx.
    const double floats = What == Pass::TrainForward ? 3.0 : What == Pass::TrainBackward ? 5.0 : 2.0;
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * floats * 4.0 * double(n)));
    state.SetItemsProcessed(state.iterations() * kBatch);
}

template <int H, int W, int C>
void register_shape(const std::string& shape) {
    const std::string at = "/" + shape + "x32";
    benchmark::RegisterBenchmark(("batchnorm_train_forward/simd" + at).c_str(), batchnorm<H, W, C, Pass::TrainForward, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("batchnorm_train_forward/ref" + at).c_str(), batchnorm<H, W, C, Pass::TrainForward, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("batchnorm_train_backward/simd" + at).c_str(), batchnorm<H, W, C, Pass::TrainBackward, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("batchnorm_train_backward/ref" + at).c_str(), batchnorm<H, W, C, Pass::TrainBackward, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("batchnorm_eval_forward/simd" + at).c_str(), batchnorm<H, W, C, Pass::EvalForward, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("batchnorm_eval_forward/ref" + at).c_str(), batchnorm<H, W, C, Pass::EvalForward, false>)->UseRealTime();
}

const bool registered = [] {
    register_shape<32, 32, 64>("32x32x64");
    register_shape<16, 16, 256>("16x16x256");
    register_shape<8, 8, 256>("8x8x256");
    return true;
}();

}  // namespace
