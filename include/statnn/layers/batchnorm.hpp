// statnn/layers/batchnorm.hpp — batch normalisation over channels (PyTorch BatchNorm2d:
// momentum m moves the running statistics by m towards the batch's, i.e. Keras
// BatchNormalization with momentum 1 − m). Semantics: kernels/ref/batchnorm.hpp.
//
//   struct MyNorm : BatchNormDefaults { static constexpr float momentum = 0.6f, eps = 1e-12f;
//                                       static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale; };
//   BatchNorm<MyNorm>
//
// In a network: the mode comes from the step context (Mode::Train in training steps,
// also when dropout is switched off for reference runs; Mode::Eval in evaluation, which
// updates nothing); the running statistics are the layer's state (2C floats in the
// arena's state region, which the optimizer never touches and checkpoints save); γ and
// β are its kernel and bias slots (C each, when affine), initialised to 1 and 0; the
// batch statistics are kept in `saved` from forward to backward, partial sums in
// `scratch`; not in place (the backward pass reads the input). momentum, eps and the
// affine choice are part of the architecture signature.
//
// A frozen γ (FrozenScale) gets a zero gradient, so SGD, momentum and Adam leave it at
// 1; decoupled weight decay would not, and needs per-tensor trainable flags (next).
#pragma once

#include <cstdio>
#include <cstring>
#include <type_traits>

#include "statnn/kernels/batchnorm.hpp"
#include "statnn/layers/layer.hpp"
#include "statnn/layers/mode.hpp"

namespace statnn {

// Which affine parameters BatchNorm has: γ and β both trained; γ kept fixed (airbench's
// "scale frozen" at 1) and β trained; or neither.
enum class BatchNormAffine { ScaleAndShift, FrozenScale, None };

// PyTorch's defaults. A configuration is a struct with these three members.
struct BatchNormDefaults {
    static constexpr float momentum = 0.1f;
    static constexpr float eps = 1e-5f;
    static constexpr BatchNormAffine affine = BatchNormAffine::ScaleAndShift;
};

template <class In_, int Batch, class Config>
struct BatchNormLayer : LayerDefaults {
    static_assert(Config::momentum >= 0.0f && Config::momentum <= 1.0f, "BatchNorm: momentum must be in [0, 1]");
    static_assert(Config::eps > 0.0f, "BatchNorm: eps must be positive");
    using In = In_;
    using Out = In_;
    static constexpr int C = In::C;
    static constexpr std::size_t kPixels = std::size_t(In::H) * In::W;
    using Kernels = kernels::BatchNorm<C>;
    static constexpr BatchNormAffine kAffine = Config::affine;
    static constexpr bool kHasAffine = kAffine != BatchNormAffine::None;
    static constexpr bool kTrainsScale = kAffine == BatchNormAffine::ScaleAndShift;

    static constexpr const char* kind = "BatchNormalization";
    static constexpr Operation kOperation = Operation::Normalization;
    static constexpr const char* prefix = "bn";
    static constexpr std::size_t kKernelSize = kHasAffine ? C : 0;  // gamma
    static constexpr std::size_t kBiasSize = kHasAffine ? C : 0;    // beta
    static constexpr int kKernelRank = kHasAffine ? 1 : 0;
    static constexpr int kKernelDims[4] = {kHasAffine ? C : 0, 0, 0, 0};
    static constexpr std::size_t kStateFloats = 2 * std::size_t(C);  // running mean, running variance
    static constexpr bool kHasOwnInit = true;
    static constexpr bool kBiasIsNormShift = kHasAffine;
    static constexpr const char* kKernelName = "gamma";
    static constexpr const char* kBiasName = "beta";
    static constexpr int kStateTensors = 2;
    static constexpr const char* kStateNames[2] = {"running_mean", "running_var"};
    static constexpr std::size_t kSavedBytes = float_bytes(Kernels::kSavedFloats);  // the batch statistics
    static constexpr std::size_t kScratchBytes = float_bytes(Kernels::scratch_floats(Batch * kPixels));

    float* running_mean() const { return state; }  // C floats each, in the state slice
    float* running_var() const { return state + C; }

    const float* gamma() const { return kHasAffine ? kernel : nullptr; }
    const float* beta() const { return kHasAffine ? bias : nullptr; }
    float* batch_stats() const { return reinterpret_cast<float*>(saved); }  // see kernels::BatchNorm::kSavedFloats
    float* work() const { return reinterpret_cast<float*>(scratch); }

    // PyTorch's initial values: γ = 1, β = 0, running mean 0, running variance 1.
    void initialize() {
        for (int c = 0; c < C; ++c) {
            if constexpr (kHasAffine) kernel[c] = 1.0f, bias[c] = 0.0f;
            running_mean()[c] = 0.0f;
            running_var()[c] = 1.0f;
        }
    }

    // Extra words for the architecture description: what tells two BatchNorms apart.
    static void describe(char* buf, std::size_t size) {
        static constexpr const char* kAffineNames[] = {"scale+shift", "frozen-scale", "no-affine"};
        std::snprintf(buf, size, " momentum=%g eps=%g %s", double(Config::momentum), double(Config::eps),
                      kAffineNames[int(kAffine)]);
    }

    void forward(const float* in, float* out, int n, const StepContext& ctx, Mode mode) {
        const std::size_t rows = std::size_t(n) * kPixels;
        if (mode == Mode::Train)
            Kernels::train_forward(*ctx.pool, in, rows, gamma(), beta(), Config::eps, Config::momentum, out, batch_stats(),
                                   running_mean(), running_var(), work());
        else
            Kernels::eval_forward(*ctx.pool, in, rows, gamma(), beta(), Config::eps, running_mean(), running_var(), out,
                                  work());
    }

    // After forward in the same mode. A frozen γ gets a zero gradient.
    template <bool NeedInputGrad>
    void backward(const float* in, const float*, float* dout, float* din, int n, const StepContext& ctx, Mode mode) {
        const std::size_t rows = std::size_t(n) * kPixels;
        float* dx = NeedInputGrad ? din : nullptr;
        float* dgamma = kTrainsScale ? dkernel : nullptr;
        float* dbeta = kHasAffine ? dbias : nullptr;
        if (mode == Mode::Train)
            Kernels::train_backward(*ctx.pool, in, dout, rows, gamma(), batch_stats(), dx, dgamma, dbeta, work());
        else
            Kernels::eval_backward(*ctx.pool, in, dout, rows, gamma(), Config::eps, running_mean(), running_var(), dx, dgamma,
                                   dbeta, work());
        if constexpr (kAffine == BatchNormAffine::FrozenScale)
            if (dkernel) std::memset(dkernel, 0, C * sizeof(float));
    }

    // In a network: the mode of the step.
    void forward(const float* in, float* out, int n, const StepContext& ctx) { forward(in, out, n, ctx, ctx.mode); }
    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        backward<NeedInputGrad>(in, out, dout, din, n, ctx, ctx.mode);
    }
};

template <class Config = BatchNormDefaults>
struct BatchNorm {
    template <class In, int Batch>
    using bind = BatchNormLayer<In, Batch, Config>;
};

}  // namespace statnn
