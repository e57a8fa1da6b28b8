// statnn/layers/activation.hpp — ReLU, usable both as an activation of Conv2D/Dense
// (fused into their output) and as a layer of its own (Keras `Activation('relu')`).
#pragma once

#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch>
struct ReLULayer : LayerDefaults {
    using In = In_;
    using Out = In_;
    static constexpr const char* kind = "Activation";
    static constexpr Operation kOperation = Operation::Activation;
    static constexpr const char* prefix = "relu";
    static constexpr const char* activation = "relu";
    // In place is safe: ReLU keeps every element's sign pattern (positive stays
    // positive, the rest becomes 0), which is all an earlier layer's backward pass
    // reads from its own output.
    static constexpr bool kInPlace = true;

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            kernels::relu_forward(in + r * In::size, out + r * In::size, In::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad)
            for_each_image(ctx, n, [&](int r) {
                kernels::relu_backward(out + r * In::size, dout + r * In::size, din + r * In::size, In::size);
            });
    }
};

struct ReLU {
    static constexpr const char* name = "relu";
    template <class In, int Batch>
    using bind = ReLULayer<In, Batch>;
};

}  // namespace statnn
