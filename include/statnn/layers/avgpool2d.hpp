// statnn/layers/avgpool2d.hpp — average pooling, window K, stride S, no padding, floor
// (Keras `AveragePooling2D(pool_size=K, strides=S)`, PyTorch `AvgPool2d(K, S)`).
#pragma once

#include "statnn/kernels/avgpool.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch, int K, int S>
struct AveragePooling2DLayer : LayerDefaults {
    static_assert(K > 0 && S > 0, "AveragePooling2D: the pool size and the stride must be positive");
    static_assert(In_::H >= K && In_::W >= K, "AveragePooling2D: the input is smaller than the pool window");
    using In = In_;
    using Out = Shape<In::C, (In::H - K) / S + 1, (In::W - K) / S + 1>;
    static constexpr const char* kind = "AveragePooling2D";
    static constexpr Operation kOperation = Operation::AveragePooling;
    static constexpr const char* prefix = "avgpool";
    static constexpr int kPool = K, kStride = S;

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            kernels::avgpool2d_forward<In::H, In::W, In::C, K, S>(in + r * In::size, out + r * Out::size);
        });
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if constexpr (NeedInputGrad)
            for_each_image(ctx, n, [&](int r) {
                kernels::avgpool2d_backward<In::H, In::W, In::C, K, S>(dout + r * Out::size, din + r * In::size);
            });
    }
};

template <int PoolSize = 2, int Stride = PoolSize>
struct AveragePooling2D {
    template <class In, int Batch>
    using bind = AveragePooling2DLayer<In, Batch, PoolSize, Stride>;
};

}  // namespace statnn
