// statnn/layers/maxpool2d.hpp — max pooling, window = stride = P, floor (Keras `MaxPooling2D(pool_size=(P, P))`).
#pragma once

#include "statnn/kernels/pool.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, int P>
struct MaxPooling2DLayer : LayerDefaults {
    static_assert(P > 0, "MaxPooling2D: the pool size must be positive");
    static_assert(In_::H >= P && In_::W >= P, "MaxPooling2D: the input is smaller than the pool window");
    using In = In_;
    using Out = Shape<In::C, In::H / P, In::W / P>;
    static constexpr const char* kind = "MaxPooling2D";
    static constexpr Operation kOperation = Operation::MaxPooling;
    static constexpr const char* prefix = "pool";
    static constexpr int kPool = P;

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            kernels::maxpool2d_forward<In::H, In::W, In::C, P>(in + r * In::size, out + r * Out::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float* in, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad)
            for_each_image(ctx, n, [&](int r) {
                kernels::maxpool2d_backward<In::H, In::W, In::C, P>(in + r * In::size, dout + r * Out::size,
                                                                    din + r * In::size);
            });
    }
};

template <int PoolSize = 2>
struct MaxPooling2D {
    template <class In, int Batch>
    using bind = MaxPooling2DLayer<In, Batch, PoolSize>;
};

}  // namespace statnn
