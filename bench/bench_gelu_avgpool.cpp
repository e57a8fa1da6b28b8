// bench/bench_gelu_avgpool.cpp — GELU (erf and tanh forms, forward and backward) and
// average pooling (2x2 window and global) on the shapes of an airbench-like CIFAR net at
// batch 32, one thread; xsimd and scalar reference. Counters: bytes/s of the tensors
// moved, items = elements (GELU) or images (pooling).
#include <string>

#include "bench_util.hpp"
#include "statnn/kernels/avgpool.hpp"
#include "statnn/kernels/gelu.hpp"

using namespace statnn;
using namespace statnn::bench;
using statnn::kernels::GeluForm;

namespace {

template <std::size_t N, GeluForm Form, bool Backward, bool Simd>
void gelu(benchmark::State& state) {
    Buffer x(N, 1, -4.0f, 4.0f), dy(N, 2), out(N);
    for (auto _ : state) {
        if constexpr (Backward) {
            if constexpr (Simd) kernels::gelu_backward<Form>(x.get(), dy.get(), out.get(), N);
            else kernels::ref::gelu_backward<Form>(x.get(), dy.get(), out.get(), N);
        } else {
            if constexpr (Simd) kernels::gelu_forward<Form>(x.get(), out.get(), N);
            else kernels::ref::gelu_forward<Form>(x.get(), out.get(), N);
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * 4.0 * N * (Backward ? 3 : 2)));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * N));
}

template <int H, int W, int C, int K, bool Backward, bool Simd>
void avgpool(benchmark::State& state) {
    constexpr int kBatch = 32;
    constexpr std::size_t in = std::size_t(H) * W * C, out = std::size_t(H / K) * (W / K) * C;
    Buffer x(kBatch * in), y(kBatch * out), dx(kBatch * in);
    for (auto _ : state) {
        for (int r = 0; r < kBatch; ++r) {
            if constexpr (Backward) {
                if constexpr (Simd) kernels::avgpool2d_backward<H, W, C, K, K>(y.get() + r * out, dx.get() + r * in);
                else kernels::ref::avgpool2d_backward<H, W, C, K, K>(y.get() + r * out, dx.get() + r * in);
            } else {
                if constexpr (Simd) kernels::avgpool2d_forward<H, W, C, K, K>(x.get() + r * in, y.get() + r * out);
                else kernels::ref::avgpool2d_forward<H, W, C, K, K>(x.get() + r * in, y.get() + r * out);
            }
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * 4.0 * kBatch * (in + out)));
    state.SetItemsProcessed(state.iterations() * kBatch);
}

template <int H, int W, int C, bool Backward, bool Simd>
void global_avgpool(benchmark::State& state) {
    constexpr int kBatch = 32;
    constexpr std::size_t in = std::size_t(H) * W * C;
    Buffer x(kBatch * in), y(kBatch * C), dx(kBatch * in);
    for (auto _ : state) {
        for (int r = 0; r < kBatch; ++r) {
            if constexpr (Backward) {
                if constexpr (Simd) kernels::global_avgpool_backward<H, W, C>(y.get() + r * C, dx.get() + r * in);
                else kernels::ref::global_avgpool_backward<H, W, C>(y.get() + r * C, dx.get() + r * in);
            } else {
                if constexpr (Simd) kernels::global_avgpool_forward<H, W, C>(x.get() + r * in, y.get() + r * C);
                else kernels::ref::global_avgpool_forward<H, W, C>(x.get() + r * in, y.get() + r * C);
            }
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * 4.0 * kBatch * (in + C)));
    state.SetItemsProcessed(state.iterations() * kBatch);
}

template <std::size_t N>
void register_gelu(const std::string& shape) {
    const std::string at = "/" + shape + "x32";
    benchmark::RegisterBenchmark(("gelu_forward/simd" + at).c_str(), gelu<N, GeluForm::Erf, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("gelu_forward/ref" + at).c_str(), gelu<N, GeluForm::Erf, false, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("gelu_backward/simd" + at).c_str(), gelu<N, GeluForm::Erf, true, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("gelu_backward/ref" + at).c_str(), gelu<N, GeluForm::Erf, true, false>)->UseRealTime();
    benchmark::RegisterBenchmark(("gelu_tanh_forward/simd" + at).c_str(), gelu<N, GeluForm::Tanh, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark(("gelu_tanh_backward/simd" + at).c_str(), gelu<N, GeluForm::Tanh, true, true>)->UseRealTime();
}

const bool registered = [] {
    register_gelu<std::size_t(32) * 32 * 32 * 64>("32x32x64");
    register_gelu<std::size_t(32) * 16 * 16 * 256>("16x16x256");
    register_gelu<std::size_t(32) * 8 * 8 * 256>("8x8x256");
    benchmark::RegisterBenchmark("avgpool2d_forward/simd/32x32x64x32", avgpool<32, 32, 64, 2, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark("avgpool2d_forward/ref/32x32x64x32", avgpool<32, 32, 64, 2, false, false>)->UseRealTime();
    benchmark::RegisterBenchmark("avgpool2d_backward/simd/32x32x64x32", avgpool<32, 32, 64, 2, true, true>)->UseRealTime();
    benchmark::RegisterBenchmark("avgpool2d_backward/ref/32x32x64x32", avgpool<32, 32, 64, 2, true, false>)->UseRealTime();
    benchmark::RegisterBenchmark("global_avgpool_forward/simd/8x8x256x32", global_avgpool<8, 8, 256, false, true>)->UseRealTime();
    benchmark::RegisterBenchmark("global_avgpool_forward/ref/8x8x256x32", global_avgpool<8, 8, 256, false, false>)->UseRealTime();
    benchmark::RegisterBenchmark("global_avgpool_backward/simd/8x8x256x32", global_avgpool<8, 8, 256, true, true>)->UseRealTime();
    benchmark::RegisterBenchmark("global_avgpool_backward/ref/8x8x256x32", global_avgpool<8, 8, 256, true, false>)->UseRealTime();
    return true;
}();

}  // namespace
