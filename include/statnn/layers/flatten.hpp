// statnn/layers/flatten.hpp — Flatten in channels-first order (C, H, W), as Keras with
// data_format="channels_first": flat index = (c * H + y) * W + x. Activations are stored
// channels-last, so this layer transposes; the dense kernel keeps the Keras layout.
#pragma once

#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch>
struct FlattenLayer : LayerDefaults {
    using In = In_;
    using Out = Flat<int(In_::size)>;
    static constexpr const char* kind = "Flatten";
    static constexpr Operation kOperation = Operation::Flatten;
    static constexpr const char* prefix = "flatten";
    static constexpr bool kInPlace = In_::is_flat;  // already flat: nothing to do

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        if constexpr (!kInPlace)
            for_each_image(ctx, n, [&](int r) {
                const float* src = in + r * In::size;
                float* dst = out + r * In::size;
                for (int y = 0; y < In::H; ++y)
                    for (int x = 0; x < In::W; ++x)
                        for (int c = 0; c < In::C; ++c) dst[chw_index<In>(c, y, x)] = src[hwc_index<In>(c, y, x)];
            });
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad && !kInPlace)
            for_each_image(ctx, n, [&](int r) {
                const float* src = dout + r * In::size;
                float* dst = din + r * In::size;
                for (int y = 0; y < In::H; ++y)
                    for (int x = 0; x < In::W; ++x)
                        for (int c = 0; c < In::C; ++c) dst[hwc_index<In>(c, y, x)] = src[chw_index<In>(c, y, x)];
            });
    }
};

struct Flatten {
    template <class In, int Batch>
    using bind = FlattenLayer<In, Batch>;
};

}  // namespace statnn
