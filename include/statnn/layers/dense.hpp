// statnn/layers/dense.hpp — fully connected layer, optionally with a fused ReLU or GELU and a
// max-norm kernel constraint (Keras `Dense(units, activation=..., kernel_constraint=maxnorm(m))`).
//
// Memory: input (n, I) flat; kernel [I][units] (Keras layout); output (n, units); with
// GELU, the pre-activation (n, units) is kept in saved for the backward pass.
#pragma once

#include <cstring>
#include <type_traits>

#include "statnn/kernels/dense.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/kernels/max_norm.hpp"
#include "statnn/layers/activation.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

// Keras max_norm(Num/Den): after every update each output unit's incoming weight vector
// (a kernel column) is rescaled to a norm of at most Num/Den.
template <int Num, int Den = 1>
struct MaxNorm {
    static_assert(Num > 0 && Den > 0, "MaxNorm: the limit must be positive");
    static constexpr float value = float(Num) / float(Den);
    static constexpr float epsilon = 1e-7f;  // Keras backend epsilon
};

template <class T>
struct is_max_norm : std::false_type {};
template <int N, int D>
struct is_max_norm<MaxNorm<N, D>> : std::true_type {};

template <class In_, int Batch, int Units, class Act, class Constraint>
struct DenseLayer : LayerDefaults {
    static_assert(Units > 0, "Dense: the number of units must be positive");
    static_assert(In_::is_flat, "Dense: its input must be flat (put Flatten before Dense)");
    static_assert(std::is_same_v<Act, Linear> || std::is_same_v<Act, ReLU> || is_gelu<Act>,
                  "Dense: the activation must be Linear, ReLU, GELU or GELUTanh (Softmax is a layer of its own)");
    static_assert(std::is_same_v<Constraint, NoConstraint> || is_max_norm<Constraint>::value,
                  "Dense: the kernel constraint must be NoConstraint or MaxNorm<m>");

    using In = In_;
    using Out = Flat<Units>;
    static constexpr int I = In::C;
    static constexpr bool kRelu = std::is_same_v<Act, ReLU>;
    static constexpr bool kGelu = is_gelu<Act>;
    static constexpr std::size_t kSavedBytes = kGelu ? float_bytes(std::size_t(Batch) * Units) : 0;

    static constexpr const char* kind = "Dense";
    static constexpr Operation kOperation = Operation::Dense;
    static constexpr const char* prefix = "dense";
    static constexpr const char* activation = Act::name;
    static constexpr std::size_t kKernelSize = std::size_t(I) * Units;
    static constexpr std::size_t kBiasSize = Units;
    static constexpr int kKernelRank = 2;
    static constexpr int kKernelDims[4] = {I, Units, 0, 0};  // Keras [in, out]
    static constexpr float fan_in = float(I), fan_out = float(Units);
    static constexpr std::uint64_t kMacs = kKernelSize;  // one product per weight
    static constexpr bool kHasConstraint = !std::is_same_v<Constraint, NoConstraint>;
    using Kernels = kernels::Dense<I, Units>;
    // Max-norm's column norms, or the kernels' transposed copy (not both at once).
    static constexpr std::size_t kScratchBytes =
        float_bytes(kHasConstraint && Units > Kernels::kScratchFloats ? Units : Kernels::kScratchFloats);

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        float* tmp = reinterpret_cast<float*>(scratch);
        if constexpr (kGelu) {
            float* pre = reinterpret_cast<float*>(saved);
            ctx.pool->run(Kernels::kForwardTasks,
                          [&](int task) { Kernels::forward(task, in, n, kernel, bias, pre, false, tmp); });
            for_each_image(ctx, n, [&](int r) { FusedGelu<Act>::forward(pre + r * Units, out + r * Units, Units); });
        } else {
            ctx.pool->run(Kernels::kForwardTasks,
                          [&](int task) { Kernels::forward(task, in, n, kernel, bias, out, kRelu, tmp); });
        }
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        float* tmp = reinterpret_cast<float*>(scratch);
        if constexpr (kRelu) kernels::relu_backward(out, dout, dout, std::size_t(n) * Units);
        if constexpr (kGelu) FusedGelu<Act>::backward(reinterpret_cast<const float*>(saved), dout, std::size_t(n) * Units);
        ctx.pool->run(Kernels::kWeightTasks,
                      [&](int task) { Kernels::backward_weights(task, in, dout, n, dkernel, dbias, tmp); });
        if constexpr (NeedInputGrad)
            ctx.pool->run(Kernels::kInputTasks,
                          [&](int task) { Kernels::backward_input(task, dout, n, kernel, din, tmp); });
    }

    // Returns the number of columns that were above the limit.
    int apply_constraint(ThreadPool& pool) {
        if constexpr (kHasConstraint) {
            using MaxNormKernel = kernels::MaxNormConstraint<I, Units>;
            float* norms = reinterpret_cast<float*>(scratch);
            pool.run(MaxNormKernel::kNormTasks, [&](int t) { MaxNormKernel::norms_task(kernel, norms, t); });
            const int clipped = MaxNormKernel::factors(norms, Constraint::value, Constraint::epsilon);
            pool.run(MaxNormKernel::kScaleTasks, [&](int t) { MaxNormKernel::scale_task(kernel, norms, t); });
            return clipped;
        } else {
            return 0;
        }
    }
    static constexpr float max_norm_value() {
        if constexpr (kHasConstraint) return Constraint::value;
        else return 0.0f;
    }
};

template <int Units, class Activation = Linear, class Constraint = NoConstraint>
struct Dense {
    template <class In, int Batch>
    using bind = DenseLayer<In, Batch, Units, Activation, Constraint>;
};

}  // namespace statnn
