// bench/bench_grey28.cpp — the kernels of a network of grey 28x28 images (one input
// channel, 10 classes), a batch of 256 images per iteration, one thread: convolutions
// through Conv2DStrided at stride 1 (the layer fashion's FastConv runs), 1 -> 32 at
// 28x28 and 32 -> 24 at 27x27 (24 outputs: a whole vector and a narrower one on
// AVX-512 and AVX2), and the dense heads 256 -> 10 and 128 -> 10. Forward, input
// gradient and kernel+bias gradient; counters FLOP/s and peak_fraction (bench_util.hpp).
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/conv2d_strided.hpp"
#include "statnn/kernels/dense.hpp"
#include "statnn/layers/layer.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

constexpr int kBatch = 256;

enum class Pass { Forward, InputGrad, WeightGrad };

// A 'same' 3x3 convolution of H x W x I images to O channels, kBatch images.
template <int H, int W, int I, int O>
struct GreyConv {
    using Conv = kernels::Conv2DStrided<H, W, I, 3, O, 1, 1>;
    static constexpr std::size_t kIn = std::size_t(H) * W * I, kPadded = Conv::kPaddedFloats;
    static constexpr std::size_t kOut = std::size_t(Conv::Ho) * Conv::Wo * O;
    static constexpr double kFlopsPerImage = 2.0 * Conv::Ho * Conv::Wo * double(I) * 9 * O;
    // Images per chunk of the kernel gradient, as the layer takes them.
    static constexpr int kChunk = gradient_chunk_images((kPadded + kOut) * sizeof(float));
};

template <int H, int W, int I, int O>
void run_conv_weights(float* xp, float* g, float* dw, float* db) {
    using G = GreyConv<H, W, I, O>;
    using Weights = typename G::Conv::Weights;
    for (int first = 0; first < kBatch; first += G::kChunk) {
        const int count = kBatch - first < G::kChunk ? kBatch - first : G::kChunk;
        for (int t = 0; t < Weights::kTasks; ++t)
            Weights::run(t, xp + first * G::kPadded, G::kPadded, g + first * G::kOut, count, dw, db);
    }
}

template <int H, int W, int I, int O, Pass What>
void grey_conv(benchmark::State& state) {
    using G = GreyConv<H, W, I, O>;
    using Conv = typename G::Conv;
    Buffer xp(kBatch * G::kPadded), w(std::size_t(9) * I * O, 2, -0.1f, 0.1f), b(O, 3);
    Buffer out(kBatch * G::kOut, 4), din(kBatch * G::kIn), work(Conv::kInputGradWorkFloats + 1);
    Buffer prepared(Conv::kPreparedKernelFloats + 1), prepared_forward(Conv::kPreparedKernelFloats + 1);
    Buffer dw(w.size()), db(O);
    const float* wf = Conv::prepare_forward(w.get(), prepared_forward.get());
    Conv::prepare_input_grad(w.get(), prepared.get());
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (What == Pass::Forward)
            for (int r = 0; r < kBatch; ++r)
                Conv::forward(xp.get() + r * G::kPadded, wf, b.get(), out.get() + r * G::kOut, false);
        else if constexpr (What == Pass::InputGrad)
            for (int r = 0; r < kBatch; ++r)
                Conv::input_grad(out.get() + r * G::kOut, prepared.get(), din.get() + r * G::kIn, work.get());
        else
            run_conv_weights<H, W, I, O>(xp.get(), out.get(), dw.get(), db.get());
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, G::kFlopsPerImage * kBatch, kBatch);
}

template <int I, int O, Pass What>
void grey_dense(benchmark::State& state) {
    using D = kernels::Dense<I, O>;
    constexpr std::size_t kInputs = std::size_t(kBatch) * I, kOutputs = std::size_t(kBatch) * O;
    Buffer scratch(D::kScratchFloats + 1), x(kInputs), k(static_cast<std::size_t>(I) * O, 2, -0.05f, 0.05f), b(O);
    Buffer out(kOutputs), g(kOutputs, 3), din(kInputs), dk(k.size()), db(O);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (What == Pass::Forward)
            for (int t = 0; t < D::kForwardTasks; ++t)
                D::forward(t, x.get(), kBatch, k.get(), b.get(), out.get(), false, scratch.get());
        else if constexpr (What == Pass::InputGrad)
            for (int t = 0; t < D::kInputTasks; ++t)
                D::backward_input(t, g.get(), kBatch, k.get(), din.get(), scratch.get());
        else
            for (int t = 0; t < D::kWeightTasks; ++t)
                D::backward_weights(t, x.get(), g.get(), kBatch, dk.get(), db.get(), scratch.get());
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, 2.0 * kBatch * I * O, kBatch);
}

template <int H, int W, int I, int O>
void register_conv(const std::string& name, bool input_gradient) {
    benchmark::RegisterBenchmark(("grey28/forward/" + name).c_str(), grey_conv<H, W, I, O, Pass::Forward>)
        ->UseRealTime();
    if (input_gradient)
        benchmark::RegisterBenchmark(("grey28/backward_input/" + name).c_str(), grey_conv<H, W, I, O, Pass::InputGrad>)
            ->UseRealTime();
    benchmark::RegisterBenchmark(("grey28/backward_weights/" + name).c_str(), grey_conv<H, W, I, O, Pass::WeightGrad>)
        ->UseRealTime();
}

template <int I, int O>
void register_dense(const std::string& name) {
    benchmark::RegisterBenchmark(("grey28/forward/" + name).c_str(), grey_dense<I, O, Pass::Forward>)->UseRealTime();
    benchmark::RegisterBenchmark(("grey28/backward_input/" + name).c_str(), grey_dense<I, O, Pass::InputGrad>)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("grey28/backward_weights/" + name).c_str(), grey_dense<I, O, Pass::WeightGrad>)
        ->UseRealTime();
}

const bool registered = [] {
    register_conv<28, 28, 1, 32>("conv_1to32_28x28", false);  // the first layer: no input gradient
    register_conv<27, 27, 32, 24>("conv_32to24_27x27", true);
    register_dense<256, 10>("dense_256to10");
    register_dense<128, 10>("dense_128to10");
    return true;
}();

}  // namespace
