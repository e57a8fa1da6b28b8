// statnn/layers/residual.hpp — a residual block: a branch of layers whose output is
// added to the block's input (He et al.; airbench's and ResNet-9's skip connections).
//
//   Sequential<Input<3, 32, 32>, Conv2D<64, 3, Same, Linear>, BatchNorm<>, ReLU,
//              Residual<Conv2DStrided<64, 3, 1, 1, Linear, NoBias>, BatchNorm<>, ReLU,
//                       Conv2DStrided<64, 3, 1, 1, Linear, NoBias>, BatchNorm<>>,
//              ReLU, ...>
//
// Sequential expands Residual<Branch...> in place: the branch's layers, then an Add layer
// that knows how many layers back its block began (kSkipSpan). The network hands Add the
// block's input next to the branch's output; Residual blocks nest. The branch must end in
// its input's shape (a compile error names both shapes) and must not begin with an
// in-place layer (ReLU, Dropout), which would overwrite the input the block adds back.
//
// Backward: the gradient of the block's output flows into the branch unchanged and, by
// the skip, to the block's input; Add keeps that second copy in `saved` until the
// branch's first layer has written its input gradient, and the network adds it there.
#pragma once

#include <cstdio>
#include <cstring>
#include <type_traits>

#include "statnn/kernels/eltwise.hpp"
#include "statnn/layers/layer.hpp"

namespace statnn {

template <class... Branch>
struct Residual {};

template <class In_, int Batch, int Span>
struct ResidualAddLayer : LayerDefaults {
    static_assert(Span > 0, "Residual: give the branch at least one layer");
    using In = In_;
    using Out = In_;
    static constexpr int kSkipSpan = Span;  // the block's input is the input of the layer Span places back
    static constexpr const char* kind = "Add";
    static constexpr Operation kOperation = Operation::Add;
    static constexpr const char* prefix = "add";
    static constexpr std::size_t kSavedBytes = float_bytes(std::size_t(Batch) * In::size);  // the skip's gradient

    static void describe(char* buf, std::size_t size) { std::snprintf(buf, size, " skip=%d", Span); }

    float* skip_gradient() const { return reinterpret_cast<float*>(saved); }

    // out = branch + block input.
    void forward(const float* branch, float* out, const float* block_input, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            const std::size_t at = std::size_t(r) * In::size;
            kernels::add(branch + at, block_input + at, out + at, In::size);
        });
    }

    // The branch's output gradient and the skip's are both dout.
    template <bool NeedInputGrad>
    void backward(const float*, const float*, float* dout, float* din, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            const std::size_t at = std::size_t(r) * In::size;
            std::memcpy(skip_gradient() + at, dout + at, In::size * sizeof(float));
            if constexpr (NeedInputGrad) std::memcpy(din + at, dout + at, In::size * sizeof(float));
        });
    }

    // After the branch's first layer wrote d(loss)/d(block input) through the branch.
    void add_skip_gradient(float* block_input_grad, int n, const StepContext& ctx) {
        for_each_image(ctx, n, [&](int r) {
            const std::size_t at = std::size_t(r) * In::size;
            kernels::add(block_input_grad + at, skip_gradient() + at, block_input_grad + at, In::size);
        });
    }
};

namespace detail {

// Instantiated with the two shapes, so the compiler's note names them.
template <class BlockInput, class BranchOutput>
struct ResidualShapesMatch {
    static_assert(std::is_same_v<BlockInput, BranchOutput>,
                  "Residual: the branch must end in its input's shape (channels, height, width): its output is added "
                  "to its input");
    static constexpr bool value = std::is_same_v<BlockInput, BranchOutput>;
};

template <class L, class = void>
struct skip_span : std::integral_constant<int, 0> {};
template <class L>
struct skip_span<L, std::void_t<decltype(L::kSkipSpan)>> : std::integral_constant<int, L::kSkipSpan> {};

}  // namespace detail

}  // namespace statnn
