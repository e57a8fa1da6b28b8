// statnn/kernels/conv2d.hpp — the convolution kernels layers call (see dispatch.hpp).
//
// Each entry point picks, at compile time, the xsimd kernel when the build has a SIMD
// architecture (any channel counts: channels past the last whole vector run narrower
// vectors), and the scalar reference in ref/ otherwise. kRunsSimd says which a shape gets.
#pragma once

#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/conv2d.hpp"
#include "statnn/kernels/simd/conv2d.hpp"
#include "statnn/kernels/simd/winograd.hpp"

namespace statnn::kernels {

template <int Hp, int Wp, int I, int K, int O>
inline constexpr bool conv2d_fits_simd = simd::Conv2DForwardPlan<Hp, Wp, I, K, O>::supported;

// Define STATNN_NO_WINOGRAD (CMake -DSTATNN_WINOGRAD=OFF) for the direct kernels everywhere.
#if defined(STATNN_NO_WINOGRAD)
inline constexpr bool kWinogradEnabled = false;
#else
inline constexpr bool kWinogradEnabled = true;
#endif

// One image: out = conv(in_padded, w) + b, optionally ReLU.
template <int Hp, int Wp, int I, int K, int O>
void conv2d_forward(const float* in, const float* w, const float* b, float* out, bool relu) {
    if constexpr (use_simd<conv2d_fits_simd<Hp, Wp, I, K, O>>) simd::conv2d_forward<Hp, Wp, I, K, O>(in, w, b, out, relu);
    else ref::conv2d_forward<Hp, Wp, I, K, O>(in, w, b, out, relu);
}

// The forward convolution as layers run it: once per batch `prepare` the kernel (tasks
// may run on a pool), then `run` each image. A 3x3 kernel over a map where Winograd's
// F(2x2, 3x3) saves at least a third of the multiply-adds (every map of 4x4 outputs and
// more) runs that way, the others directly; results differ from the direct sums by
// rounding only (kernels/simd/winograd.hpp).
template <int Hp, int Wp, int I, int K, int O>
struct Conv2DForward {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    static constexpr bool kWinograd = kWinogradEnabled && K == 3 &&
                                      use_simd<simd::WinogradPlan<Hp, Wp, I, O>::supported> &&
                                      3 * 16 * ((Ho + 1) / 2) * ((Wo + 1) / 2) <= 2 * 9 * Ho * Wo;
    static constexpr bool kRunsSimd = kWinograd || use_simd<conv2d_fits_simd<Hp, Wp, I, K, O>>;
    static constexpr std::size_t kPreparedFloats = kWinograd ? std::size_t(16) * I * O : 0;
    static constexpr int kPrepareTasks = kWinograd ? (I < 8 ? I : 8) : 0;

    // Task t of kPrepareTasks: its share of the input channels of the transformed kernel.
    static void prepare(int task, const float* w, float* prepared) {
        if constexpr (kWinograd)
            simd::winograd_transform_kernel<I, O>(w, prepared, I * task / kPrepareTasks, I * (task + 1) / kPrepareTasks);
        (void)task, (void)w, (void)prepared;
    }
    // The kernel run() reads: the prepared one, or w itself.
    static const float* kernel(const float* w, const float* prepared) { return kWinograd ? prepared : w; }

    // One image: out = conv(in_padded, w) + b (b may be null), optionally ReLU.
    static void run(const float* in, const float* k, const float* b, float* out, bool relu) {
        if constexpr (kWinograd) simd::conv2d_forward_winograd<Hp, Wp, I, O>(in, k, b, out, relu);
        else conv2d_forward<Hp, Wp, I, K, O>(in, k, b, out, relu);
    }
};

// One image, zero-padded by P; with a mask, elements whose mask is <= 0 become 0.
template <int H, int W, int C, int P>
void pad_image(const float* src, float* dst, const float* mask = nullptr) {
    if constexpr (use_simd<true>) simd::pad_image<H, W, C, P>(src, dst, mask);
    else ref::pad_image<H, W, C, P>(src, dst, mask);
}

template <int I, int K, int O>
void conv2d_rotate_kernel(const float* w, float* wr) {
    ref::conv2d_rotate_kernel<I, K, O>(w, wr);
}

// The kernel and bias gradients of a batch, as independent tasks so a thread pool can
// share them out: task t < kTasks writes only its own part of dw / db, and sums images
// in order, so the result does not depend on how tasks are scheduled.
//   in:  n padded input images, `in_stride` floats apart
//   g:   n output gradients, `g_stride` floats apart, row stride GW pixels
//   dw, db: zeroed before the first task runs
//   A 3x3 kernel whose forward pass runs Winograd (Conv2DForward) gets its gradient by
//   Winograd too (simd::conv2d_backward_weights_winograd).
template <int Hp, int Wp, int I, int K, int O, int GW>
struct Conv2DParamGrad {
    static constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    using Plan = simd::Conv2DWeightsPlan<Hp, Wp, I, K, O>;
    using WinogradWeights = simd::WinogradWeightsPlan<Hp, Wp, I, O>;
    static constexpr bool kSimd = use_simd<Plan::supported>;
    static constexpr bool kRunsSimd = kSimd;
    static constexpr bool kWinograd = kSimd && Conv2DForward<Hp, Wp, I, K, O>::kWinograd;
    static constexpr int kKernelTasks = kWinograd ? WinogradWeights::kTasks : kSimd ? Plan::kTiles : 1;
    // Winograd's tasks are few (2 for 32 -> 32 channels): the bias gradient goes with the
    // tasks of the first input channels, so a pool's contiguous parts stay balanced.
    static constexpr int kBiasTasks = kSimd && !kWinograd ? Plan::kBiasBlocks : 0;
    static constexpr int kTasks = kKernelTasks + kBiasTasks;

    static void run(int task, const float* in, std::size_t in_stride, const float* g, std::size_t g_stride, int n,
                    float* dw, float* db) {
        if constexpr (kWinograd) winograd_task(task, in, in_stride, g, g_stride, n, dw, db);
        else if constexpr (kSimd) tile_task(task, in, in_stride, g, g_stride, n, dw, db);
        else
            for (int r = 0; r < n; ++r)
                ref::conv2d_backward_weights<Hp, Wp, I, K, O, GW>(in + r * in_stride, g + r * g_stride, dw, db);
    }

private:
    // Its share of the transformed kernel gradient and, in the first groups, the bias
    // vectors of its group of output tiles.
    static void winograd_task(int task, const float* in, std::size_t in_stride, const float* g, std::size_t g_stride,
                              int n, float* dw, float* db) {
        simd::conv2d_backward_weights_winograd<Hp, Wp, I, O, GW>(in, in_stride, g, g_stride, n, dw, task);
        if (task < WinogradWeights::kOGroups) {
            constexpr int kVectors = WinogradWeights::kOTilesPerTask * WinogradWeights::NR;
            for (int r = 0; r < n; ++r)
                for (int v = task * kVectors; v < (task + 1) * kVectors; ++v)
                    simd::conv2d_backward_bias_vector<Ho, Wo, O, GW>(g + r * g_stride, db, v);
        }
    }

    // A tile of the kernel gradient, or (the last kBiasTasks tasks) one block of the bias's.
    static void tile_task(int task, const float* in, std::size_t in_stride, const float* g, std::size_t g_stride, int n,
                          float* dw, float* db) {
        if (task < kKernelTasks)
            for (int r = 0; r < n; ++r)
                simd::conv2d_backward_weights_tile_image<Hp, Wp, I, K, O, GW>(in + r * in_stride, g + r * g_stride, dw,
                                                                             task);
        else
            for (int r = 0; r < n; ++r)
                simd::conv2d_backward_bias_block<Ho, Wo, O, GW>(g + r * g_stride, db, task - kKernelTasks);
    }
};

}  // namespace statnn::kernels
