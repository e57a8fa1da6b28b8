// bench/bench_conv2d.cpp — convolution kernels on the real cnn4/cnn6 layer shapes, one
// image per iteration: forward, input gradient (a forward over the padded output
// gradient with the rotated kernel) and kernel+bias gradient; xsimd and scalar reference.
#include <cstring>
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/conv2d.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

template <int Hp, int Wp, int I, int K, int O>
constexpr double conv_flops() {
    return 2.0 * (Hp - K + 1) * (Wp - K + 1) * double(I) * K * K * O;
}

enum class Algo { Reference, Direct, Layer };

template <int Hp, int Wp, int I, int K, int O, Algo A>
void conv2d_forward(benchmark::State& state) {
    using Forward = kernels::Conv2DForward<Hp, Wp, I, K, O>;
    Buffer in(static_cast<std::size_t>(Hp) * Wp * I), w(static_cast<std::size_t>(K) * K * I * O, 2, -0.1f, 0.1f), b(O, 3);
    Buffer out(static_cast<std::size_t>(Hp - K + 1) * (Wp - K + 1) * O), prepared(Forward::kPreparedFloats + 1);
    for (int t = 0; t < Forward::kPrepareTasks; ++t) Forward::prepare(t, w.get(), prepared.get());
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (A == Algo::Layer)
            Forward::run(in.get(), Forward::kernel(w.get(), prepared.get()), b.get(), out.get(), true);
        else if constexpr (A == Algo::Direct)
            kernels::conv2d_forward<Hp, Wp, I, K, O>(in.get(), w.get(), b.get(), out.get(), true);
        else
            kernels::ref::conv2d_forward<Hp, Wp, I, K, O>(in.get(), w.get(), b.get(), out.get(), true);
        benchmark::DoNotOptimize(out.get());
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, conv_flops<Hp, Wp, I, K, O>(), 1);
}

template <int Hp, int Wp, int I, int K, int O, Algo A>
void conv2d_backward_weights(benchmark::State& state) {
    constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    using Grad = kernels::Conv2DParamGrad<Hp, Wp, I, K, O, Wo>;
    Buffer in(static_cast<std::size_t>(Hp) * Wp * I), g(static_cast<std::size_t>(Ho) * Wo * O, 2), dw(static_cast<std::size_t>(K) * K * I * O), db(O);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (A == Algo::Layer) {
            for (int t = 0; t < Grad::kTasks; ++t) Grad::run(t, in.get(), 0, g.get(), 0, 1, dw.get(), db.get());
        } else if constexpr (A == Algo::Direct) {
#if !defined(STATNN_NO_SIMD)
            using Plan = kernels::simd::Conv2DWeightsPlan<Hp, Wp, I, K, O>;
            if constexpr (Plan::supported) {
                for (int t = 0; t < Plan::kTiles; ++t)
                    kernels::simd::conv2d_backward_weights_tile_image<Hp, Wp, I, K, O, Wo>(in.get(), g.get(), dw.get(), t);
                for (int v = 0; v < Plan::kBiasBlocks; ++v)
                    kernels::simd::conv2d_backward_bias_block<Ho, Wo, O, Wo>(g.get(), db.get(), v);
            } else
#endif
                for (int t = 0; t < Grad::kTasks; ++t) Grad::run(t, in.get(), 0, g.get(), 0, 1, dw.get(), db.get());
        } else {
            kernels::ref::conv2d_backward_weights<Hp, Wp, I, K, O>(in.get(), g.get(), dw.get(), db.get());
        }
        benchmark::DoNotOptimize(dw.get());
        benchmark::ClobberMemory();
    }
    set_counters(state, clock, conv_flops<Hp, Wp, I, K, O>(), 1);
}

// Registers forward (simd, ref) and kernel gradient (simd, ref) for one layer, and the
// input gradient's convolution (Q = K-1-P padding of an Ho x Wo output gradient).
template <int H, int W, int I, int K, int O, int P>
void register_layer(const std::string& name, bool input_gradient) {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1, Q = K - 1 - P;
    benchmark::RegisterBenchmark(("conv2d_forward/simd/" + name).c_str(), conv2d_forward<Hp, Wp, I, K, O, Algo::Direct>)->UseRealTime();
    if (kernels::Conv2DForward<Hp, Wp, I, K, O>::kWinograd)
        benchmark::RegisterBenchmark(("conv2d_forward/winograd/" + name).c_str(), conv2d_forward<Hp, Wp, I, K, O, Algo::Layer>)
            ->UseRealTime();
    benchmark::RegisterBenchmark(("conv2d_forward/ref/" + name).c_str(), conv2d_forward<Hp, Wp, I, K, O, Algo::Reference>)->UseRealTime();
    if (input_gradient) {
        constexpr int Hq = Ho + 2 * Q, Wq = Wo + 2 * Q;
        benchmark::RegisterBenchmark(("conv2d_backward_input/simd/" + name).c_str(), conv2d_forward<Hq, Wq, O, K, I, Algo::Direct>)
            ->UseRealTime();
        if (kernels::Conv2DForward<Hq, Wq, O, K, I>::kWinograd)
            benchmark::RegisterBenchmark(("conv2d_backward_input/winograd/" + name).c_str(),
                                         conv2d_forward<Hq, Wq, O, K, I, Algo::Layer>)->UseRealTime();
        benchmark::RegisterBenchmark(("conv2d_backward_input/ref/" + name).c_str(),
                                     conv2d_forward<Hq, Wq, O, K, I, Algo::Reference>)->UseRealTime();
    }
    benchmark::RegisterBenchmark(("conv2d_backward_weights/simd/" + name).c_str(),
                                 conv2d_backward_weights<Hp, Wp, I, K, O, Algo::Direct>)->UseRealTime();
    if (kernels::Conv2DParamGrad<Hp, Wp, I, K, O, Wo>::kWinograd)
        benchmark::RegisterBenchmark(("conv2d_backward_weights/winograd/" + name).c_str(),
                                     conv2d_backward_weights<Hp, Wp, I, K, O, Algo::Layer>)->UseRealTime();
    benchmark::RegisterBenchmark(("conv2d_backward_weights/ref/" + name).c_str(),
                                 conv2d_backward_weights<Hp, Wp, I, K, O, Algo::Reference>)->UseRealTime();
}

const bool registered = [] {
    register_layer<32, 32, 3, 3, 32, 1>("cnn6.conv1", false);
    register_layer<32, 32, 32, 3, 32, 1>("cnn6.conv2", true);
    register_layer<16, 16, 32, 3, 64, 1>("cnn6.conv3", true);
    register_layer<16, 16, 64, 3, 64, 1>("cnn6.conv4", true);
    register_layer<8, 8, 64, 3, 128, 1>("cnn6.conv5", true);
    register_layer<8, 8, 128, 3, 128, 1>("cnn6.conv6", true);
    register_layer<32, 32, 32, 3, 32, 0>("cnn4.conv2", true);
    register_layer<15, 15, 32, 3, 64, 1>("cnn4.conv3", true);
    register_layer<15, 15, 64, 3, 64, 0>("cnn4.conv4", true);
    register_layer<31, 31, 32, 3, 64, 1>("fastcifar.conv1", false);  // first trained layer: no input gradient
    register_layer<15, 15, 64, 3, 64, 1>("fastcifar.conv2", true);
    register_layer<15, 15, 64, 3, 256, 1>("fastcifar.conv3", true);
    register_layer<7, 7, 256, 3, 256, 1>("fastcifar.conv4", true);   // and conv5
    register_layer<3, 3, 256, 3, 256, 1>("fastcifar.conv6", true);
    return true;
}();

}  // namespace
