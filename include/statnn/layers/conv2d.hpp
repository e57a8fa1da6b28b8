// statnn/layers/conv2d.hpp — 2-D convolution, stride 1, 'same' or 'valid' padding,
// optionally with a fused ReLU (Keras `Conv2D(filters, (k, k), padding=..., activation=...)`).
//
// Memory (per image, channels-last): input H x W x C; output Ho x Wo x F.
// With 'same' padding the forward pass keeps a zero-padded copy of its input
// (saved, (H+2P) x (W+2P) x C) for the kernel-gradient pass. The input gradient is a
// convolution of the output gradient, zero-padded by K-1-P, with the rotated kernel.
#pragma once

#include <cstring>

#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/activation.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, int Filters, int K, Padding Pad, class Act>
struct Conv2DLayer : LayerDefaults {
    static_assert(Filters > 0, "Conv2D: the number of filters must be positive");
    static_assert(K > 0, "Conv2D: the kernel size must be positive");
    static_assert(Pad == Padding::Valid || K % 2 == 1, "Conv2D: 'same' padding needs an odd kernel size");
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU>,
                  "Conv2D: the activation must be Linear or ReLU");

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

    static constexpr const char* kind = "Conv2D";
    static constexpr const char* prefix = "conv";
    static constexpr const char* activation = Act::name;
    static constexpr std::size_t kKernelSize = std::size_t(K) * K * C * Filters;
    static constexpr std::size_t kBiasSize = Filters;
    static constexpr int kKernelRank = 4;
    static constexpr int kKernelDims[4] = {K, K, C, Filters};  // Keras HWIO
    static constexpr float fan_in = float(K * K * C), fan_out = float(K * K * Filters);
    static constexpr std::size_t kSavedBytes = P > 0 ? float_bytes(Batch * kPaddedIn) : 0;
    static constexpr std::size_t kScratchBytes = float_bytes(Batch * kPaddedOutGrad) + float_bytes(kKernelSize);

    const float* padded_input(const float* in, int r) const {
        if constexpr (P > 0)
            return reinterpret_cast<const float*>(saved) + r * kPaddedIn;
        else
            return in + r * In::size;
    }

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            if constexpr (P > 0)
                kernels::pad_image<In::H, In::W, C, P>(in + r * In::size, reinterpret_cast<float*>(saved) + r * kPaddedIn);
            kernels::conv2d_forward<Hp, Wp, C, K, Filters>(padded_input(in, r), kernel, bias, out + r * Out::size, kRelu);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (kRelu)
            for_each_image(ctx, n, [&](int r) {
                kernels::relu_backward(out + r * Out::size, dout + r * Out::size, dout + r * Out::size, Out::size);
            });
        std::memset(dkernel, 0, kKernelSize * sizeof(float));
        std::memset(dbias, 0, kBiasSize * sizeof(float));
        // Images in order: the sum, and so the gradient, does not depend on the thread count.
        for (int r = 0; r < n; ++r)
            kernels::conv2d_backward_weights<Hp, Wp, C, K, Filters>(padded_input(in, r), dout + r * Out::size, dkernel, dbias);
        if constexpr (NeedInputGrad) {
            float* padded_grad = reinterpret_cast<float*>(scratch);
            float* rotated = reinterpret_cast<float*>(scratch + float_bytes(Batch * kPaddedOutGrad));
            kernels::conv2d_rotate_kernel<C, K, Filters>(kernel, rotated);
            for_each_image(ctx, n, [&](int r) {
                float* g = padded_grad + r * kPaddedOutGrad;
                kernels::pad_image<Out::H, Out::W, Filters, Q>(dout + r * Out::size, g);
                kernels::conv2d_forward<Hq, Wq, Filters, K, C>(g, rotated, nullptr, din + r * In::size, false);
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
