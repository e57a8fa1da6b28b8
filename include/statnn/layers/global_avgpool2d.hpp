// statnn/layers/global_avgpool2d.hpp — the mean of each channel over the image (Keras
// `GlobalAveragePooling2D`, PyTorch `AdaptiveAvgPool2d(1)` then flatten). Its output is
// flat, C values per image, so a Dense layer can follow without Flatten.
#pragma once

#include "statnn/kernels/avgpool.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch>
struct GlobalAveragePooling2DLayer : LayerDefaults {
    using In = In_;
    using Out = Flat<In::C>;
    static constexpr const char* kind = "GlobalAveragePooling2D";
    static constexpr Operation kOperation = Operation::AveragePooling;
    static constexpr const char* prefix = "gap";

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            kernels::global_avgpool_forward<In::H, In::W, In::C>(in + r * In::size, out + r * Out::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad)
            for_each_image(ctx, n, [&](int r) {
                kernels::global_avgpool_backward<In::H, In::W, In::C>(dout + r * Out::size, din + r * In::size);
            });
    }
};

struct GlobalAveragePooling2D {
    template <class In, int Batch>
    using bind = GlobalAveragePooling2DLayer<In, Batch>;
};

}  // namespace statnn
