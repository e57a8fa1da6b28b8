// bench/bench_conv2d_strided.cpp — strided convolution kernels on the shapes of an
// airbench-like CIFAR net, one image per iteration: forward, input gradient and
// kernel+bias gradient; xsimd and scalar reference (counters FLOP/s and peak_fraction,
// as bench_conv2d.cpp).
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/conv2d_strided.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

template <int H, int W, int I, int K, int O, int S, int P>
constexpr double conv_flops() {
    using Conv = kernels::Conv2DStrided<H, W, I, K, O, S, P>;
    return 2.0 * Conv::Ho * Conv::Wo * double(I) * K * K * O;
}

enum class Pass { Forward, InputGrad, WeightGrad };

template <int H, int W, int I, int K, int O, int S, int P, Pass What, bool Simd>
void conv(benchmark::State& state) {
    using Conv = kernels::Conv2DStrided<H, W, I, K, O, S, P>;
    constexpr int Hp = Conv::Hp, Wp = Conv::Wp;
    Buffer xp(Conv::kPaddedFloats), w(static_cast<std::size_t>(K) * K * I * O, 2, -0.1f, 0.1f), b(O, 3),
        g(std::size_t(Conv::Ho) * Conv::Wo * O, 4), prepared(Conv::kPreparedKernelFloats),
        work(Conv::kInputGradWorkFloats + 1), din(static_cast<std::size_t>(H) * W * I), din_pad(Conv::kPaddedFloats),
        dw(w.size()), db(O);
    Buffer prepared_forward(Conv::kPreparedKernelFloats);
    const float* wf = Conv::prepare_forward(w.get(), prepared_forward.get());  // once per batch in a layer
    Conv::prepare_input_grad(w.get(), prepared.get());
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (What == Pass::Forward) {
            if constexpr (Simd) Conv::forward(xp.get(), wf, b.get(), g.get(), false);
            else kernels::ref::conv2d_strided_forward<Hp, Wp, I, K, O, S>(xp.get(), w.get(), b.get(), g.get(), false);
        } else if constexpr (What == Pass::InputGrad) {
            if constexpr (Simd) Conv::input_grad(g.get(), prepared.get(), din.get(), work.get());
            else kernels::ref::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(g.get(), prepared.get(), din_pad.get());
        } else {
            if constexpr (Simd)
                for (int t = 0; t < Conv::Weights::kTasks; ++t) Conv::Weights::run(t, xp.get(), 0, g.get(), 1, dw.get(), db.get());
            else
                kernels::ref::conv2d_strided_backward_weights<Hp, Wp, I, K, O, S>(xp.get(), g.get(), dw.get(), db.get());
        }
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, conv_flops<H, W, I, K, O, S, P>(), 1);
}

template <int H, int W, int I, int K, int O, int S, int P>
void register_layer(const std::string& name, bool input_gradient) {
    benchmark::RegisterBenchmark(("conv2d_strided_forward/simd/" + name).c_str(), conv<H, W, I, K, O, S, P, Pass::Forward, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("conv2d_strided_forward/ref/" + name).c_str(), conv<H, W, I, K, O, S, P, Pass::Forward, false>)->UseRealTime();
    if (input_gradient) {
        benchmark::RegisterBenchmark(("conv2d_strided_backward_input/simd/" + name).c_str(),
                                     conv<H, W, I, K, O, S, P, Pass::InputGrad, true>)->UseRealTime();
        benchmark::RegisterBenchmark(("conv2d_strided_backward_input/ref/" + name).c_str(),
                                     conv<H, W, I, K, O, S, P, Pass::InputGrad, false>)->UseRealTime();
    }
    benchmark::RegisterBenchmark(("conv2d_strided_backward_weights/simd/" + name).c_str(),
                                 conv<H, W, I, K, O, S, P, Pass::WeightGrad, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("conv2d_strided_backward_weights/ref/" + name).c_str(),
                                 conv<H, W, I, K, O, S, P, Pass::WeightGrad, false>)->UseRealTime();
}

const bool registered = [] {
    register_layer<32, 32, 3, 2, 24, 2, 0>("patch2x2s2.3to24.32x32", false);  // first layer: no input gradient
    register_layer<32, 32, 64, 3, 128, 2, 1>("3x3s2.64to128.32x32", true);
    register_layer<16, 16, 256, 3, 256, 2, 1>("3x3s2.256to256.16x16", true);
    register_layer<16, 16, 64, 1, 128, 2, 0>("1x1s2.64to128.16x16", true);
    return true;
}();

}  // namespace
