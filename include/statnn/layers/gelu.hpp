// statnn/layers/gelu.hpp — GELU, usable both as an activation of Conv2D, Conv2DStrided
// and Dense (Keras `activation='gelu'`) and as a layer of its own: GELU is the exact
// x·Φ(x) (PyTorch's default), GELUTanh its tanh approximation (approximate='tanh').
//
// Unlike ReLU it cannot work in place: its derivative needs the input, not the output.
// Fused into a weighted layer, that layer keeps its pre-activation in `saved`.
#pragma once

#include <type_traits>

#include "statnn/kernels/gelu.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, kernels::GeluForm Form>
struct GELULayer : LayerDefaults {
    using In = In_;
    using Out = In_;
    static constexpr const char* kind = "Activation";
    static constexpr Operation kOperation = Operation::Activation;
    static constexpr const char* prefix = "gelu";
    static constexpr const char* activation = Form == kernels::GeluForm::Erf ? "gelu" : "gelu_tanh";

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            kernels::gelu_forward<Form>(in + r * In::size, out + r * In::size, In::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad)
            for_each_image(ctx, n, [&](int r) {
                kernels::gelu_backward<Form>(in + r * In::size, dout + r * In::size, din + r * In::size, In::size);
            });
    }
};

struct GELU {
    static constexpr const char* name = "gelu";
    static constexpr kernels::GeluForm form = kernels::GeluForm::Erf;
    template <class In, int Batch>
    using bind = GELULayer<In, Batch, form>;
};

struct GELUTanh {
    static constexpr const char* name = "gelu_tanh";
    static constexpr kernels::GeluForm form = kernels::GeluForm::Tanh;
    template <class In, int Batch>
    using bind = GELULayer<In, Batch, form>;
};

template <class Act>
inline constexpr bool is_gelu = std::is_same_v<Act, GELU> || std::is_same_v<Act, GELUTanh>;

// The GELU of a fused activation: a weighted layer writes its pre-activation to `saved`,
// then calls forward(pre, out, n); backward turns dout into the pre-activation's
// gradient in place.
template <class Act>
struct FusedGelu {
    static void forward(const float* pre, float* out, std::size_t n) { kernels::gelu_forward<Act::form>(pre, out, n); }
    static void backward(const float* pre, float* dout, std::size_t n) { kernels::gelu_backward<Act::form>(pre, dout, dout, n); }
};

}  // namespace statnn
