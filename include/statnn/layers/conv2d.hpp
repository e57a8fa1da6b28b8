// statnn/layers/conv2d.hpp — 2-D convolution, stride 1, 'same' or 'valid' padding,
// optionally with a fused ReLU or GELU (Keras `Conv2D(filters, (k, k), padding=..., activation=...)`).
// Strides and explicit padding: conv2d_strided.hpp.
//
// Memory (per image, channels-last): input H x W x C; output Ho x Wo x F.
// With 'same' padding the forward pass keeps a zero-padded copy of its input
// (saved, (H+2P) x (W+2P) x C) for the kernel-gradient pass. The input gradient is a
// convolution of the output gradient, zero-padded by K-1-P, with the rotated kernel.
// With GELU the forward pass also keeps the pre-activation (saved, after the padded input).
// A 3x3 layer runs its forward pass and input gradient by Winograd's F(2x2, 3x3) where that
// saves work (kernels::Conv2DForward): the kernel is transformed once per batch into scratch.
#pragma once

#include <cstring>

#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/activation.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, int Filters, int K, Padding Pad, class Act>
struct Conv2DLayer : LayerDefaults {
    static_assert(Filters > 0, "Conv2D: the number of filters must be positive");
    static_assert(K > 0, "Conv2D: the kernel size must be positive");
    static_assert(Pad == Padding::Valid || K % 2 == 1, "Conv2D: 'same' padding needs an odd kernel size");
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU> || is_gelu<Act>,
                  "Conv2D: the activation must be Linear, ReLU, GELU or GELUTanh");

    static constexpr int P = Pad == Padding::Same ? K / 2 : 0;  // input padding
    static_assert(In_::H + 2 * P >= K && In_::W + 2 * P >= K,
                  "Conv2D: the input is smaller than the kernel (use 'same' padding or a smaller kernel)");

    using In = In_;
    using Out = Shape<Filters, In::H + 2 * P - K + 1, In::W + 2 * P - K + 1>;
    static constexpr int C = In::C;
    static constexpr int Hp = In::H + 2 * P, Wp = In::W + 2 * P;
    static constexpr int Q = K - 1 - P;  // output-gradient padding for the input gradient
    static constexpr int Hq = Out::H + 2 * Q, Wq = Out::W + 2 * Q;
    static constexpr std::size_t kPaddedIn = std::size_t(Hp) * Wp * C;
    static constexpr std::size_t kPaddedOutGrad = std::size_t(Hq) * Wq * Filters;
    static constexpr bool kRelu = std::is_same_v<Act, ReLU>;
    static constexpr bool kGelu = is_gelu<Act>;

    static constexpr const char* kind = "Conv2D";
    static constexpr Operation kOperation = Operation::Convolution;
    static constexpr const char* prefix = "conv";
    static constexpr const char* activation = Act::name;
    static constexpr std::size_t kKernelSize = std::size_t(K) * K * C * Filters;
    static constexpr std::size_t kBiasSize = Filters;
    static constexpr int kKernelRank = 4;
    static constexpr int kKernelDims[4] = {K, K, C, Filters};  // Keras HWIO
    static constexpr float fan_in = float(K * K * C), fan_out = float(K * K * Filters);
    static constexpr std::uint64_t kMacs = std::uint64_t(Out::size) * K * K * C;  // each output sums K*K*C products
    static constexpr std::size_t kPaddedBytes = P > 0 ? float_bytes(Batch * kPaddedIn) : 0;
    static constexpr std::size_t kSavedBytes = kPaddedBytes + (kGelu ? float_bytes(Batch * Out::size) : 0);
    using Forward = kernels::Conv2DForward<Hp, Wp, C, K, Filters>;
    using InputGrad = kernels::Conv2DForward<Hq, Wq, Filters, K, C>;  // over the padded output gradient
    static constexpr std::size_t kPreparedFloats =
        Forward::kPreparedFloats > InputGrad::kPreparedFloats ? Forward::kPreparedFloats : InputGrad::kPreparedFloats;
    // scratch: | padded output gradient | rotated kernel | prepared kernel (forward, then input gradient) |
    static constexpr std::size_t kRotatedAt = float_bytes(Batch * kPaddedOutGrad);
    static constexpr std::size_t kPreparedAt = kRotatedAt + float_bytes(kKernelSize);
    static constexpr std::size_t kScratchBytes = kPreparedAt + float_bytes(kPreparedFloats);

    const float* padded_input(const float* in, int r) const {
        if constexpr (P > 0)
            return reinterpret_cast<const float*>(saved) + r * kPaddedIn;
        else
            return in + r * In::size;
    }
    float* pre_activation(int r) const { return reinterpret_cast<float*>(saved + kPaddedBytes) + r * Out::size; }

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        float* prepared = reinterpret_cast<float*>(scratch + kPreparedAt);
        if constexpr (Forward::kPrepareTasks > 0)
            ctx.pool->run(Forward::kPrepareTasks, [&](int t) { Forward::prepare(t, kernel, prepared); });
        const float* k = Forward::kernel(kernel, prepared);
        for_each_image(ctx, n, [&](int r) {
            if constexpr (P > 0)
                kernels::pad_image<In::H, In::W, C, P>(in + r * In::size, reinterpret_cast<float*>(saved) + r * kPaddedIn);
            if constexpr (kGelu) {
                Forward::run(padded_input(in, r), k, bias, pre_activation(r), false);
                FusedGelu<Act>::forward(pre_activation(r), out + r * Out::size, Out::size);
            } else {
                Forward::run(padded_input(in, r), k, bias, out + r * Out::size, kRelu);
            }
        });
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        // 1. The output gradient, zero-padded by Q for the input-gradient convolution,
        //    with the fused ReLU's derivative applied on the way.
        //    GELU's derivative needs the pre-activation: it is applied to dout in place first.
        float* padded_grad = reinterpret_cast<float*>(scratch);
        for_each_image(ctx, n, [&](int r) {
            if constexpr (kGelu) FusedGelu<Act>::backward(pre_activation(r), dout + r * Out::size, Out::size);
            kernels::pad_image<Out::H, Out::W, Filters, Q>(dout + r * Out::size, padded_grad + r * kPaddedOutGrad,
                                                           kRelu ? out + r * Out::size : nullptr);
        });
        // 2. Kernel and bias gradients, read from the padded gradient's interior.
        using Grad = kernels::Conv2DParamGrad<Hp, Wp, C, K, Filters, Wq>;
        std::memset(dkernel, 0, kKernelSize * sizeof(float));
        std::memset(dbias, 0, kBiasSize * sizeof(float));
        const float* inputs = padded_input(in, 0);
        constexpr std::size_t in_stride = P > 0 ? kPaddedIn : In::size;
        const float* interior = padded_grad + (Q * Wq + Q) * Filters;
        constexpr int kChunk = gradient_chunk_images((in_stride + kPaddedOutGrad) * sizeof(float));
        run_in_image_chunks(ctx, Grad::kTasks, n, kChunk, [&](int task, int first, int count) {
            Grad::run(task, inputs + first * in_stride, in_stride, interior + first * kPaddedOutGrad, kPaddedOutGrad, count,
                      dkernel, dbias);
        });
        // 3. Input gradient: the padded output gradient convolved with the rotated kernel.
        if constexpr (NeedInputGrad) {
            float* rotated = reinterpret_cast<float*>(scratch + kRotatedAt);
            float* prepared = reinterpret_cast<float*>(scratch + kPreparedAt);
            kernels::conv2d_rotate_kernel<C, K, Filters>(kernel, rotated);
            if constexpr (InputGrad::kPrepareTasks > 0)
                ctx.pool->run(InputGrad::kPrepareTasks, [&](int t) { InputGrad::prepare(t, rotated, prepared); });
            const float* k = InputGrad::kernel(rotated, prepared);
            for_each_image(ctx, n, [&](int r) {
                InputGrad::run(padded_grad + r * kPaddedOutGrad, k, nullptr, din + r * In::size, false);
            });
        }
    }
};

template <int Filters, int KernelSize, Padding Pad = Padding::Valid, class Activation = Linear>
struct Conv2D {
    template <class In, int Batch>
    using bind = Conv2DLayer<In, Batch, Filters, KernelSize, Pad, Activation>;
};

}  // namespace statnn
