// statnn/layers/conv2d_strided.hpp — 2-D convolution with a stride and explicit zero
// padding, optionally without bias and with a fused ReLU or GELU (PyTorch
// `Conv2d(C, filters, k, stride=S, padding=P, bias=...)`): 2x2 stride-2 patch
// embeddings, strided 3x3 and 1x1 down-sampling convs, bias-free convs before BatchNorm.
//
//   Conv2DStrided<Filters, KernelSize, Stride, PadPixels = 0, Activation = Linear, Bias = UseBias,
//                 Init = KerasInit>
//
// Init (init.hpp): KerasInit (glorot_uniform, zero bias), TorchInit (PyTorch's default) or
// PartialIdentityInit (PyTorch's default with the first filters an identity, airbench's).
//
// Memory (per image, channels-last): input H x W x C; output Ho x Wo x F with
// Ho = (H + 2P − K) / S + 1 (floor). With P > 0 the forward pass keeps the zero-padded
// input (saved) for the kernel gradient; with GELU also the pre-activation. Stride 1
// runs the seed's tuned kernels (the Conv2D layer's, for any P < K).
#pragma once

#include <cstring>
#include <type_traits>

#include "statnn/kernels/conv2d_strided.hpp"
#include "statnn/init.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/activation.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

struct UseBias {};
struct NoBias {};  // e.g. before BatchNorm, whose shift makes a bias redundant

template <class In_, int Batch, int Filters, int K, int S, int P, class Act, class BiasChoice, class Init>
struct Conv2DStridedLayer : LayerDefaults {
    static_assert(Filters > 0, "Conv2DStrided: the number of filters must be positive");
    static_assert(K > 0 && S > 0, "Conv2DStrided: the kernel size and the stride must be positive");
    static_assert(P >= 0 && P < K, "Conv2DStrided: the padding must be at least 0 and smaller than the kernel");
    static_assert(In_::H + 2 * P >= K && In_::W + 2 * P >= K,
                  "Conv2DStrided: the padded input is smaller than the kernel");
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU> || is_gelu<Act>,
                  "Conv2DStrided: the activation must be Linear, ReLU, GELU or GELUTanh");
    static_assert(std::is_same_v<BiasChoice, UseBias> || std::is_same_v<BiasChoice, NoBias>,
                  "Conv2DStrided: the bias choice must be UseBias or NoBias");
    static_assert(std::is_same_v<Init, KerasInit> || std::is_same_v<Init, TorchInit> ||
                      std::is_same_v<Init, PartialIdentityInit>,
                  "Conv2DStrided: the initialisation must be KerasInit, TorchInit or PartialIdentityInit");

    using Kern = kernels::Conv2DStrided<In_::H, In_::W, In_::C, K, Filters, S, P>;
    using In = In_;
    using Out = Shape<Filters, Kern::Ho, Kern::Wo>;
    static constexpr int C = In::C;
    static constexpr bool kRelu = std::is_same_v<Act, ReLU>;
    static constexpr bool kGelu = is_gelu<Act>;
    static constexpr bool kBias = std::is_same_v<BiasChoice, UseBias>;
    static constexpr int kStride = S, kPadding = P;

    static constexpr const char* kind = "Conv2D";
    static constexpr Operation kOperation = Operation::Convolution;
    static constexpr const char* prefix = "conv";
    static constexpr const char* activation = Act::name;
    static constexpr std::size_t kKernelSize = std::size_t(K) * K * C * Filters;
    static constexpr std::size_t kBiasSize = kBias ? Filters : 0;
    static constexpr int kKernelRank = 4;
    static constexpr int kKernelDims[4] = {K, K, C, Filters};  // Keras HWIO
    static constexpr float fan_in = float(K * K * C), fan_out = float(K * K * Filters);
    static constexpr std::uint64_t kMacs = std::uint64_t(Out::size) * K * K * C;  // each output sums K*K*C products
    static constexpr bool kHasOwnInit = !std::is_same_v<Init, KerasInit>;
    static constexpr const char* kInitName = Init::name;

    // TorchInit and PartialIdentityInit (the network does KerasInit itself).
    void initialize(Rng& rng) {
        torch_uniform(kernel, kKernelSize, fan_in, rng);
        if constexpr (kBias) torch_uniform(bias, kBiasSize, fan_in, rng);
        if constexpr (std::is_same_v<Init, PartialIdentityInit>) partial_identity(kernel, K, C, Filters);
    }

    // saved: | padded inputs (P > 0) | pre-activations (GELU) |
    static constexpr std::size_t kPaddedBytes = P > 0 ? float_bytes(Batch * Kern::kPaddedFloats) : 0;
    static constexpr std::size_t kSavedBytes = kPaddedBytes + (kGelu ? float_bytes(Batch * Out::size) : 0);
    // scratch: | prepared kernel (forward, then input gradient) | bias gradient nobody reads
    //          (NoBias) | input-gradient work per image |
    static constexpr std::size_t kPreparedBytes = float_bytes(Kern::kPreparedKernelFloats);
    static constexpr std::size_t kDummyBiasBytes = kBias ? 0 : float_bytes(Filters);
    static constexpr std::size_t kScratchBytes =
        kPreparedBytes + kDummyBiasBytes + float_bytes(Batch * Kern::kInputGradWorkFloats);

    float* padded(int r) const { return reinterpret_cast<float*>(saved) + r * Kern::kPaddedFloats; }
    float* pre_activation(int r) const { return reinterpret_cast<float*>(saved + kPaddedBytes) + r * Out::size; }

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        const float* w = Kern::prepare_forward(kernel, reinterpret_cast<float*>(scratch));
        for_each_image(ctx, n, [&](int r) {
            const float* src = in + r * In::size;
            if constexpr (P > 0) {
                Kern::pad(src, padded(r));
                src = padded(r);
            }
            float* dst = kGelu ? pre_activation(r) : out + r * Out::size;
            Kern::forward(src, w, kBias ? bias : nullptr, dst, kRelu);
            if constexpr (kGelu) FusedGelu<Act>::forward(dst, out + r * Out::size, Out::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        // 1. The activation's derivative, applied to the output gradient in place.
        if constexpr (kRelu)
            for_each_image(ctx, n, [&](int r) {
                kernels::relu_backward(out + r * Out::size, dout + r * Out::size, dout + r * Out::size, Out::size);
            });
        if constexpr (kGelu)
            for_each_image(ctx, n, [&](int r) { FusedGelu<Act>::backward(pre_activation(r), dout + r * Out::size, Out::size); });
        // 2. Kernel and bias gradients.
        float* db = kBias ? dbias : reinterpret_cast<float*>(scratch + kPreparedBytes);
        std::memset(dkernel, 0, kKernelSize * sizeof(float));
        std::memset(db, 0, std::size_t(Filters) * sizeof(float));
        const float* inputs = P > 0 ? padded(0) : in;
        constexpr std::size_t in_stride = P > 0 ? Kern::kPaddedFloats : In::size;
        using Weights = typename Kern::Weights;
        constexpr int kChunk = gradient_chunk_images((in_stride + Out::size) * sizeof(float));
        run_in_image_chunks(ctx, Weights::kTasks, n, kChunk, [&](int task, int first, int count) {
            Weights::run(task, inputs + first * in_stride, in_stride, dout + first * Out::size, count, dkernel, db);
        });
        // 3. Input gradient.
        if constexpr (NeedInputGrad) {
            float* prepared = reinterpret_cast<float*>(scratch);
            float* work = reinterpret_cast<float*>(scratch + kPreparedBytes + kDummyBiasBytes);
            Kern::prepare_input_grad(kernel, prepared);
            for_each_image(ctx, n, [&](int r) {
                Kern::input_grad(dout + r * Out::size, prepared, din + r * In::size, work + r * Kern::kInputGradWorkFloats);
            });
        }
    }
};

template <int Filters, int KernelSize, int Stride, int PadPixels = 0, class Activation = Linear, class Bias = UseBias,
          class Init = KerasInit>
struct Conv2DStrided {
    template <class In, int Batch>
    using bind = Conv2DStridedLayer<In, Batch, Filters, KernelSize, Stride, PadPixels, Activation, Bias, Init>;
};

}  // namespace statnn
