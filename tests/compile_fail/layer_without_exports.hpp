// The identity as a layer of its own that neither export has an entry for: what a new
// layer is before its export entries are written (export_*_missing_layer.cpp).
#pragma once

#include "statnn/layers/layer.hpp"

namespace statnn {

template <class In_, int Batch>
struct IdentityLayer : LayerDefaults {
    using In = In_;
    using Out = In_;
    static constexpr const char* kind = "Identity";
    static constexpr Operation kOperation = Operation::Activation;
    static constexpr const char* prefix = "identity";
    static constexpr bool kInPlace = true;

    void forward(const float*, float*, int, const StepContext&) {}

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float*, float*, int, const StepContext&) {}
};

struct Identity {
    template <class In, int Batch>
    using bind = IdentityLayer<In, Batch>;
};

}  // namespace statnn
