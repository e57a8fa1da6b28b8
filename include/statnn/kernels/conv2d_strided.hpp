// statnn/kernels/conv2d_strided.hpp — convolution with a stride and explicit zero padding,
// as layers call it (see dispatch.hpp).
//
// Conv2DStrided<H, W, I, K, O, S, P> is one layer shape: H x W x I images padded by P
// on every side, a K x K x I x O kernel, stride S. Stride 1 runs the seed layer's kernels
// (kernels/conv2d.hpp: Conv2DForward, so Winograd where it pays); larger strides the kernels of conv2d_strided in
// simd/ (any channel counts) or, without SIMD, ref/. Forward and input gradient work on
// one image; the kernel and bias gradients of a batch are independent tasks.
#pragma once

#include <cstddef>
#include <cstring>

#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/conv2d_strided.hpp"
#include "statnn/kernels/simd/conv2d_strided.hpp"

namespace statnn::kernels {

template <int H, int W, int I, int K, int O, int S, int P>
struct Conv2DStrided {
    static_assert(K > 0 && S > 0 && P >= 0, "Conv2DStrided: kernel, stride and padding must be positive (padding >= 0)");
    static_assert(P < K, "Conv2DStrided: padding must be smaller than the kernel (more pads only zeros around the output)");
    static constexpr int Hp = H + 2 * P, Wp = W + 2 * P;
    static_assert(Hp >= K && Wp >= K, "Conv2DStrided: the padded input is smaller than the kernel");
    static constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    static constexpr bool kSeedKernels = S == 1;
    static constexpr int Q = K - 1 - P;  // stride 1: output-gradient padding of the input gradient

    static constexpr std::size_t kPaddedFloats = std::size_t(Hp) * Wp * I;
    // Per image, the input gradient's work buffer: stride 1, the zero-padded output
    // gradient; otherwise the gradient of the padded input (none without padding).
    static constexpr std::size_t kInputGradWorkFloats =
        kSeedKernels ? std::size_t(Ho + 2 * Q) * (Wo + 2 * Q) * O : (P > 0 ? kPaddedFloats : 0);
    // Stride 1: the seed layer's forward (Winograd where it pays) and its input gradient.
    using SeedForward = Conv2DForward<Hp, Wp, I, K, O>;
    using SeedInputGrad = Conv2DForward<Ho + 2 * Q, Wo + 2 * Q, O, K, I>;
    // Whether forward and input gradient run vectors in this build (Weights::kRunsSimd:
    // the kernel gradient); larger strides take any channel counts.
    static constexpr bool kForwardRunsSimd = kSeedKernels ? SeedForward::kRunsSimd : use_simd<true>;
    static constexpr bool kInputGradRunsSimd = kSeedKernels ? SeedInputGrad::kRunsSimd : use_simd<true>;
    static constexpr std::size_t kKernelFloats = std::size_t(K) * K * I * O;
    static constexpr std::size_t kTransformedFloats =
        SeedForward::kPreparedFloats > SeedInputGrad::kPreparedFloats ? SeedForward::kPreparedFloats : SeedInputGrad::kPreparedFloats;
    // The kernel as forward or input gradient reads it (packed, rotated or with swapped
    // channel axes; the same size), stride 1 with Winograd: transformed, and the rotated
    // kernel after it.
    static constexpr std::size_t kPreparedKernelFloats = kSeedKernels ? kTransformedFloats + kKernelFloats : kKernelFloats;

    static void pad(const float* in, float* padded) { pad_image<H, W, I, P>(in, padded); }

    // Once per batch, before forward: the kernel forward reads, w itself for stride 1,
    // else `prepared` filled.
    static const float* prepare_forward(const float* w, float* prepared) {
        if constexpr (kSeedKernels) {
            for (int t = 0; t < SeedForward::kPrepareTasks; ++t) SeedForward::prepare(t, w, prepared);
            return SeedForward::kernel(w, prepared);
        } else {
            if constexpr (use_simd<true>) simd::conv2d_strided_prepare_forward<Hp, Wp, I, K, O, S>(w, prepared);
            else ref::conv2d_strided_prepare_forward<Hp, Wp, I, K, O, S>(w, prepared);
            return prepared;
        }
    }

    // One image: out = conv(in_pad, w) + b (b may be null), optionally ReLU; w as
    // prepare_forward returned it.
    static void forward(const float* in_pad, const float* w, const float* b, float* out, bool relu) {
        if constexpr (kSeedKernels) SeedForward::run(in_pad, w, b, out, relu);
        else if constexpr (use_simd<true>) simd::conv2d_strided_forward<Hp, Wp, I, K, O, S>(in_pad, w, b, out, relu);
        else ref::conv2d_strided_forward<Hp, Wp, I, K, O, S>(in_pad, w, b, out, relu);
    }

    // Once per batch, before input_grad.
    static void prepare_input_grad(const float* w, float* prepared) {
        if constexpr (kSeedKernels) {
            // the rotated kernel after the transformed one; input_grad reads the one SeedInputGrad runs
            float* rotated = prepared + kTransformedFloats;
            conv2d_rotate_kernel<I, K, O>(w, rotated);
            for (int t = 0; t < SeedInputGrad::kPrepareTasks; ++t) SeedInputGrad::prepare(t, rotated, prepared);
        } else if constexpr (use_simd<true>) simd::conv2d_strided_prepare_input_grad<Hp, Wp, I, K, O, S>(w, prepared);
        else ref::conv2d_strided_prepare_input_grad<Hp, Wp, I, K, O, S>(w, prepared);
    }

    // One image: din (H x W x I) from dout (Ho x Wo x O); `work` holds kInputGradWorkFloats.
    static void input_grad(const float* dout, const float* prepared, float* din, float* work) {
        if constexpr (kSeedKernels) {
            pad_image<Ho, Wo, O, Q>(dout, work);
            SeedInputGrad::run(work, SeedInputGrad::kernel(prepared + kTransformedFloats, prepared), nullptr, din, false);
        } else {
            float* target = P > 0 ? work : din;
            if constexpr (use_simd<true>) simd::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(dout, prepared, target);
            else ref::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(dout, prepared, target);
            if constexpr (P > 0)
                for (int y = 0; y < H; ++y)
                    std::memcpy(din + std::size_t(y) * W * I, work + (std::size_t(y + P) * Wp + P) * I,
                                std::size_t(W) * I * sizeof(float));
        }
    }

    // Kernel and bias gradients of n images as kWeightTasks independent tasks; each task
    // writes its own part of dw / db and sums images in order, so the result does not
    // depend on how tasks are scheduled. in: padded images `in_stride` floats apart;
    // dout: contiguous Ho x Wo x O gradients; dw, db zeroed before the first task.
    struct Weights {
        using SeedGrad = Conv2DParamGrad<Hp, Wp, I, K, O, Wo>;
        static constexpr bool kSimd = use_simd<true>;
        static constexpr bool kRunsSimd = kSeedKernels ? SeedGrad::kRunsSimd : kSimd;
        static constexpr int kTasks =
            kSeedKernels ? SeedGrad::kTasks
                         : (kSimd ? simd::conv2d_strided_weight_tasks<Hp, Wp, I, K, O, S>()
                                  : ref::conv2d_strided_weight_tasks<Hp, Wp, I, K, O, S>());

        static void run(int task, const float* in, std::size_t in_stride, const float* dout, int n, float* dw,
                        float* db) {
            if constexpr (kSeedKernels)
                SeedGrad::run(task, in, in_stride, dout, std::size_t(Ho) * Wo * O, n, dw, db);
            else if constexpr (kSimd)
                simd::conv2d_strided_backward_weights_task<Hp, Wp, I, K, O, S>(task, in, in_stride, dout, n, dw, db);
            else
                ref::conv2d_strided_backward_weights_task<Hp, Wp, I, K, O, S>(task, in, in_stride, dout, n, dw, db);
        }
    };
};

}  // namespace statnn::kernels
