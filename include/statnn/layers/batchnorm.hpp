// statnn/layers/batchnorm.hpp — batch normalisation over channels (PyTorch BatchNorm2d:
// momentum m moves the running statistics by m towards the batch's, i.e. Keras
// BatchNormalization with momentum 1 − m). Semantics: kernels/ref/batchnorm.hpp.
//
//   struct MyNorm : BatchNormDefaults { static constexpr float momentum = 0.6f, eps = 1e-12f;
//                                       static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale; };
//   BatchNorm<MyNorm>
//
// Not yet a layer of today's Sequential: it needs the train/eval mode and running state,
// which Network does not provide. Bound into a network it stops the build with a
// sentence. What the network must provide for it:
//   1. Mode{Train, Eval} in the step context, apart from "dropout enabled": golden and
//      gradient tests switch dropout off yet train BatchNorm on batch statistics, and
//      validation during training evaluates with the running statistics, updating nothing.
//   2. State: running_mean and running_var (C floats each) in a non-trainable arena region
//      that the optimizer never touches (no update, no weight decay), that checkpoints save
//      and restore (bit-identical resume), and that initialisation sets to 0 and 1.
//   3. Per-tensor initialisers: gamma starts at 1 and beta at 0, not Glorot (Network
//      initialises every kernel with Glorot today).
//   4. Trainable flags per tensor: a frozen gamma (FrozenScale) must be left out of the
//      optimizer's update and weight decay; today's SGD leaves it unchanged only because
//      its gradient is written as zeros. Per-tensor learning rates (airbench trains beta
//      at a higher rate) belong to the optimizer's parameter groups.
//   5. Self-description for checkpoints and summary: momentum, eps and the affine choice
//      in the architecture signature (kind "BatchNormalization" alone does not tell them apart).
// The rest fits today's slots: gamma/beta as kernel/bias (C each, when affine), the batch
// statistics in `saved` (forward to backward), partial sums in `scratch`; not in place
// (the backward pass reads the input).
#pragma once

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

template <class>
inline constexpr bool kNeedsNetworkModeAndState = false;

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
    static constexpr const char* prefix = "bn";
    static constexpr std::size_t kKernelSize = kHasAffine ? C : 0;  // gamma
    static constexpr std::size_t kBiasSize = kHasAffine ? C : 0;    // beta
    static constexpr int kKernelRank = kHasAffine ? 1 : 0;
    static constexpr int kKernelDims[4] = {kHasAffine ? C : 0, 0, 0, 0};
    static constexpr std::size_t kStateFloats = 2 * std::size_t(C);  // running mean, running variance
    static constexpr std::size_t kSavedBytes = float_bytes(Kernels::kSavedFloats);  // the batch statistics
    static constexpr std::size_t kScratchBytes = float_bytes(Kernels::scratch_floats(Batch * kPixels));

    float* running_mean = nullptr;  // C floats of state each
    float* running_var = nullptr;

    const float* gamma() const { return kHasAffine ? kernel : nullptr; }
    const float* beta() const { return kHasAffine ? bias : nullptr; }
    float* batch_stats() const { return reinterpret_cast<float*>(saved); }  // see kernels::BatchNorm::kSavedFloats
    float* work() const { return reinterpret_cast<float*>(scratch); }

    // PyTorch's initial values: γ = 1, β = 0, running mean 0, running variance 1.
    void reset() {
        for (int c = 0; c < C; ++c) {
            if constexpr (kHasAffine) kernel[c] = 1.0f, bias[c] = 0.0f;
            running_mean[c] = 0.0f;
            running_var[c] = 1.0f;
        }
    }

    void forward(const float* in, float* out, int n, const StepContext& ctx, Mode mode) {
        const std::size_t rows = std::size_t(n) * kPixels;
        if (mode == Mode::Train)
            Kernels::train_forward(*ctx.pool, in, rows, gamma(), beta(), Config::eps, Config::momentum, out, batch_stats(),
                                   running_mean, running_var, work());
        else
            Kernels::eval_forward(*ctx.pool, in, rows, gamma(), beta(), Config::eps, running_mean, running_var, out,
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
            Kernels::eval_backward(*ctx.pool, in, dout, rows, gamma(), Config::eps, running_mean, running_var, dx, dgamma,
                                   dbeta, work());
        if constexpr (kAffine == BatchNormAffine::FrozenScale)
            if (dkernel) std::memset(dkernel, 0, C * sizeof(float));
    }

    // What today's Network calls: a readable stop instead of a network that would train wrongly.
    template <class Context>
    void forward(const float*, float*, int, const Context&) {
        static_assert(kNeedsNetworkModeAndState<Context>,
                      "BatchNorm: needs the train/eval mode and running-statistics state from the network "
                      "(see the comment at the top of statnn/layers/batchnorm.hpp)");
    }
};

template <class Config = BatchNormDefaults>
struct BatchNorm {
    template <class In, int Batch>
    using bind = BatchNormLayer<In, Batch, Config>;
};

}  // namespace statnn
