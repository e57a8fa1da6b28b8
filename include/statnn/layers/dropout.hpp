// statnn/layers/dropout.hpp — inverted dropout (Keras `Dropout(rate)`), rate = Num / Den.
//
// In training each element is kept with probability 1 - rate and scaled by 1 / (1 - rate);
// at inference it is the identity. The mask comes from a counter-based generator keyed
// by (step, layer) and counted along the global batch, so it is the same whatever the
// thread split or the process's share of the batch, and is regenerated in the backward
// pass instead of stored.
#pragma once

#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/layer.hpp"
#include "statnn/rng.hpp"

namespace statnn {

template <class In_, int Batch, int Num, int Den>
struct DropoutLayer : LayerDefaults {
    static_assert(Den > 0 && Num >= 0 && Num < Den, "Dropout: the rate must be in [0, 1)");
    using In = In_;
    using Out = In_;
    static constexpr float rate = float(Num) / float(Den);
    static constexpr const char* kind = "Dropout";
    static constexpr Operation kOperation = Operation::Dropout;
    static constexpr const char* prefix = "drop";
    // In place is safe: dropped elements get a zero gradient here, and kept ones keep
    // their sign, so an earlier layer's ReLU mask read from this buffer is unchanged
    // wherever its gradient can be nonzero.
    static constexpr bool kInPlace = true;

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        if (!ctx.dropout || Num == 0) return;  // identity, and out aliases in
        const std::uint64_t key = splitmix64(ctx.dropout_key ^ layer_key);
        for_each_image(ctx, n, [&](int r) {
            kernels::dropout_apply(in + r * In::size, out + r * In::size, In::size, rate, key, std::uint32_t((ctx.first_row + r) * In::size));
        });
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        if (!NeedInputGrad || !ctx.dropout || Num == 0) return;
        const std::uint64_t key = splitmix64(ctx.dropout_key ^ layer_key);
        for_each_image(ctx, n, [&](int r) {
            kernels::dropout_apply(dout + r * In::size, din + r * In::size, In::size, rate, key, std::uint32_t((ctx.first_row + r) * In::size));
        });
    }
};

template <int Num, int Den = 100>
struct Dropout {
    template <class In, int Batch>
    using bind = DropoutLayer<In, Batch, Num, Den>;
};

}  // namespace statnn
