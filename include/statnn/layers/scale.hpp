// statnn/layers/scale.hpp — multiplies by the constant Num / Den, in place: airbench's
// final linear layer scaled by 1/9, which keeps the logits (and so the softmax's gradient
// through the last layer) small early in training without changing what it can express.
//
//   forward:  y = s·x          backward:  dx = s·dy          s = Num / Den
#pragma once

#include <cstddef>
#include <cstdio>

#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, int Num, int Den>
struct ScaleLayer : LayerDefaults {
    static_assert(Den > 0 && Num != 0, "Scale: the factor Num / Den must be a non-zero number");
    using In = In_;
    using Out = In_;
    static constexpr float kFactor = float(Num) / float(Den);
    static constexpr const char* kind = "Scale";
    static constexpr Operation kOperation = Operation::Scale;
    static constexpr const char* prefix = "scale";
    static constexpr bool kInPlace = true;

    static void describe(char* buf, std::size_t size) { std::snprintf(buf, size, " factor=%d/%d", Num, Den); }

    // The scalar reference and the kernel: one multiply per element, which the compiler
    // vectorizes; too little work to hand to the pool (a few floats per image after Dense).
    static void scale(const float* in, float* out, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) out[i] = in[i] * kFactor;
    }

    void forward(const float* in, float* out, int n, const StepContext&) { scale(in, out, std::size_t(n) * In::size); }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext&) {
        if constexpr (NeedInputGrad) scale(dout, din, std::size_t(n) * In::size);
    }
};

template <int Num, int Den = 1>
struct Scale {
    template <class In, int Batch>
    using bind = ScaleLayer<In, Batch, Num, Den>;
};

}  // namespace statnn
