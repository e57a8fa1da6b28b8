// statnn/layers/softmax.hpp — the softmax output layer. Training uses it fused with the
// categorical cross-entropy: the network computes d(loss)/d(logits) = (p - onehot) / n
// directly, so this layer has no backward pass of its own and must be the last one.
#pragma once

#include "statnn/kernels/softmax_xent.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch>
struct SoftmaxLayer : LayerDefaults {
    static_assert(In_::is_flat, "Softmax: its input must be flat (put it after a Dense layer)");
    using In = In_;
    using Out = In_;
    static constexpr const char* kind = "Softmax";
    static constexpr Operation kOperation = Operation::Softmax;
    static constexpr const char* prefix = "softmax";
    static constexpr const char* activation = "softmax";
    static constexpr bool kIsSoftmax = true;

    void forward(const float* in, float* out, int n, const StepContext&) {
        kernels::softmax_forward<In::C>(in, n, out);
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float*, float*, int, const StepContext&) {}
};

struct Softmax {
    static constexpr const char* name = "softmax";
    template <class In, int Batch>
    using bind = SoftmaxLayer<In, Batch>;
};

}  // namespace statnn
