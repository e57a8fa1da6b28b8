// bench/bench_conv2d_bf16.cpp — the bf16 convolution kernels (kernels/simd/conv2d_bf16.hpp)
// beside the fp32 ones on fastcifar's layer shapes, one image per iteration: forward, input
// gradient and kernel gradient. bf16 runs take operands already in bf16 (as the fp32 runs
// take a padded image); bf16_operands times that conversion, per image, on its own.
// peak_fraction is against the bf16 dot-product peak for bf16 and the FMA peak for fp32;
// FLOPs are the direct convolution's for every algorithm (Winograd's are effective).
// Names: conv2d_precision/<pass>/<bf16|fp32_direct|fp32_winograd>/<layer>; compare them
// within one run (--benchmark_enable_random_interleaving alternates them).
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/simd/conv2d_bf16.hpp"

using namespace statnn;
using namespace statnn::bench;

namespace {

#if defined(STATNN_HAS_BF16_KERNELS)

using kernels::ref::Bf16;
namespace simd = kernels::simd;

template <int Hp, int Wp, int I, int K, int O>
constexpr double direct_flops() {
    return 2.0 * (Hp - K + 1) * (Wp - K + 1) * double(I) * K * K * O;
}

bool skipped_without_bf16(benchmark::State& state) {
    if (cpu_has_avx512_bf16()) return false;
    state.SkipWithError("skipped: this CPU has no AVX512_BF16");
    return true;
}

// A forward convolution of an H x W x I image padded by P (the input gradient is one too,
// over the padded output gradient with the rotated kernel).
template <int H, int W, int I, int K, int O, int P>
void forward_bf16(benchmark::State& state) {
    if (skipped_without_bf16(state)) return;
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P;
    using Plan = simd::Conv2DForwardBf16Plan<Hp, Wp, I, K, O>;
    Buffer x(static_cast<std::size_t>(H) * W * I), w(static_cast<std::size_t>(K) * K * I * O, 2, -0.1f, 0.1f), b(O, 3);
    Buffer out(static_cast<std::size_t>(Plan::Ho) * Plan::Wo * O);
    std::vector<Bf16> in(Plan::kInputBf16), packed(simd::kConv2DPackedBf16<I, K, O>);
    simd::pad_image_bf16<H, W, I, P>(x.get(), in.data());
    simd::pack_conv2d_kernel_bf16<I, K, O>(w.get(), packed.data());
    const LoopClock clock;
    for (auto _ : state) {
        simd::conv2d_forward_bf16<Hp, Wp, I, K, O>(in.data(), packed.data(), nullptr, out.get(), false);
        benchmark::DoNotOptimize(out.get());
        benchmark::ClobberMemory();
    }
    set_rate_counters(state, clock, direct_flops<Hp, Wp, I, K, O>(), one_thread_bf16_dot_peak());
}

template <int H, int W, int I, int K, int O, int P, bool Winograd>
void forward_fp32(benchmark::State& state) {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P;
    using Forward = kernels::Conv2DForward<Hp, Wp, I, K, O>;
    Buffer in(static_cast<std::size_t>(Hp) * Wp * I), w(static_cast<std::size_t>(K) * K * I * O, 2, -0.1f, 0.1f);
    Buffer out(static_cast<std::size_t>(Forward::Ho) * Forward::Wo * O), prepared(Forward::kPreparedFloats + 1);
    for (int t = 0; t < Forward::kPrepareTasks; ++t) Forward::prepare(t, w.get(), prepared.get());
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Winograd) Forward::run(in.get(), Forward::kernel(w.get(), prepared.get()), nullptr, out.get(), false);
        else kernels::conv2d_forward<Hp, Wp, I, K, O>(in.get(), w.get(), nullptr, out.get(), false);
        benchmark::DoNotOptimize(out.get());
        benchmark::ClobberMemory();
    }
    set_flop_counters(state, clock, direct_flops<Hp, Wp, I, K, O>());
}

template <int H, int W, int I, int K, int O, int P>
void kernel_gradient_bf16(benchmark::State& state) {
    if (skipped_without_bf16(state)) return;
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P;
    using Plan = simd::Conv2DWeightsBf16Plan<Hp, Wp, I, K, O>;
    Buffer x(static_cast<std::size_t>(H) * W * I), g(static_cast<std::size_t>(Plan::Ho) * Plan::Wo * O, 2), dw(static_cast<std::size_t>(K) * K * I * O);
    std::vector<Bf16> in(simd::Conv2DForwardBf16Plan<Hp, Wp, I, K, O>::kInputBf16), in_pairs(Plan::kInputPairsBf16),
        g_pairs(Plan::kGradientPairsBf16);
    simd::pad_image_bf16<H, W, I, P>(x.get(), in.data());
    simd::pair_pixels_bf16<Hp, Wp, Plan::Ie>(in.data(), in_pairs.data());
    simd::pair_gradient_bf16<Plan::Ho, Plan::Wo, O, Plan::Wo>(g.get(), g_pairs.data());
    const LoopClock clock;
    for (auto _ : state) {
        for (int t = 0; t < Plan::kTiles; ++t)
            simd::conv2d_backward_weights_bf16_tile_image<Hp, Wp, I, K, O>(in_pairs.data(), g_pairs.data(), dw.get(), t);
        benchmark::DoNotOptimize(dw.get());
        benchmark::ClobberMemory();
    }
    set_rate_counters(state, clock, direct_flops<Hp, Wp, I, K, O>(), one_thread_bf16_dot_peak());
}

// The fp32 kernel gradient as layers run it (Winograd where the forward pass is), or the
// direct tiles; the bias gradient left out, as the bf16 run has none.
template <int H, int W, int I, int K, int O, int P, bool Winograd>
void kernel_gradient_fp32(benchmark::State& state) {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1;
    using Grad = kernels::Conv2DParamGrad<Hp, Wp, I, K, O, Wo>;
    using Plan = kernels::simd::Conv2DWeightsPlan<Hp, Wp, I, K, O>;
    Buffer in(static_cast<std::size_t>(Hp) * Wp * I), g(static_cast<std::size_t>(Ho) * Wo * O, 2), dw(static_cast<std::size_t>(K) * K * I * O), db(O);
    const LoopClock clock;
    for (auto _ : state) {
        if constexpr (Winograd)
            for (int t = 0; t < Grad::kTasks; ++t) Grad::run(t, in.get(), 0, g.get(), 0, 1, dw.get(), db.get());
        else
            for (int t = 0; t < Plan::kTiles; ++t)
                simd::conv2d_backward_weights_tile_image<Hp, Wp, I, K, O, Wo>(in.get(), g.get(), dw.get(), t);
        benchmark::DoNotOptimize(dw.get());
        benchmark::ClobberMemory();
    }
    set_flop_counters(state, clock, direct_flops<Hp, Wp, I, K, O>());
}

// What a bf16 layer adds per image: the padded bf16 input, its pixel pairs and the
// gradient's pairs (bytes: the floats read, the bf16s written).
template <int H, int W, int I, int K, int O, int P>
void bf16_operands(benchmark::State& state) {
    if (skipped_without_bf16(state)) return;
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P;
    using Plan = simd::Conv2DWeightsBf16Plan<Hp, Wp, I, K, O>;
    Buffer x(static_cast<std::size_t>(H) * W * I), g(static_cast<std::size_t>(Plan::Ho) * Plan::Wo * O, 2);
    std::vector<Bf16> in(simd::Conv2DForwardBf16Plan<Hp, Wp, I, K, O>::kInputBf16), in_pairs(Plan::kInputPairsBf16),
        g_pairs(Plan::kGradientPairsBf16);
    for (auto _ : state) {
        simd::pad_image_bf16<H, W, I, P>(x.get(), in.data());
        simd::pair_pixels_bf16<Hp, Wp, Plan::Ie>(in.data(), in_pairs.data());
        simd::pair_gradient_bf16<Plan::Ho, Plan::Wo, O, Plan::Wo>(g.get(), g_pairs.data());
        benchmark::DoNotOptimize(in_pairs.data());
        benchmark::DoNotOptimize(g_pairs.data());
        benchmark::ClobberMemory();
    }
    const double bytes = 4.0 * (x.size() + g.size()) + 2.0 * (in.size() + in_pairs.size() + g_pairs.size());
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * bytes));
}

template <int H, int W, int I, int K, int O, int P>
void register_layer(const std::string& name, bool input_gradient) {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1, Q = K - 1 - P;
    const bool winograd = kernels::Conv2DForward<Hp, Wp, I, K, O>::kWinograd;
    auto add = [](const std::string& n, auto fn) { benchmark::RegisterBenchmark(n.c_str(), fn)->UseRealTime(); };
    add("conv2d_precision/forward/bf16/" + name, forward_bf16<H, W, I, K, O, P>);
    add("conv2d_precision/forward/fp32_direct/" + name, forward_fp32<H, W, I, K, O, P, false>);
    if (winograd) add("conv2d_precision/forward/fp32_winograd/" + name, forward_fp32<H, W, I, K, O, P, true>);
    if (input_gradient) {
        add("conv2d_precision/input_gradient/bf16/" + name, forward_bf16<Ho, Wo, O, K, I, Q>);
        add("conv2d_precision/input_gradient/fp32_direct/" + name, forward_fp32<Ho, Wo, O, K, I, Q, false>);
        if (kernels::Conv2DForward<Ho + 2 * Q, Wo + 2 * Q, O, K, I>::kWinograd)
            add("conv2d_precision/input_gradient/fp32_winograd/" + name, forward_fp32<Ho, Wo, O, K, I, Q, true>);
    }
    add("conv2d_precision/kernel_gradient/bf16/" + name, kernel_gradient_bf16<H, W, I, K, O, P>);
    add("conv2d_precision/kernel_gradient/fp32_direct/" + name, kernel_gradient_fp32<H, W, I, K, O, P, false>);
    if (winograd) add("conv2d_precision/kernel_gradient/fp32_winograd/" + name, kernel_gradient_fp32<H, W, I, K, O, P, true>);
    add("bf16_operands/" + name, bf16_operands<H, W, I, K, O, P>);
}

// fastcifar's convolutions (targets/fastcifar.hpp): the stem's 24 channels at 31x31, then
// blocks of 64, 256 and 256 at 15x15, 7x7 and 3x3.
const bool registered = [] {
    register_layer<31, 31, 24, 3, 64, 1>("fastcifar.conv1", false);  // first trained layer: no input gradient
    register_layer<15, 15, 64, 3, 64, 1>("fastcifar.conv2", true);
    register_layer<15, 15, 64, 3, 256, 1>("fastcifar.conv3", true);
    register_layer<7, 7, 256, 3, 256, 1>("fastcifar.conv4", true);  // and conv5
    register_layer<3, 3, 256, 3, 256, 1>("fastcifar.conv6", true);
    return true;
}();

#endif

}  // namespace
