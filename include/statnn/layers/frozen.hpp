// statnn/layers/frozen.hpp — a layer that does not train, said in the network's type:
//
//   using Backbone = Sequential<Input<3, 32, 32>, Frozen<Conv2D<32, 3, Same, ReLU>>, Frozen<BatchNorm<>>,
//                               MaxPooling2D<2>, Flatten, Dense<10>, Softmax>;
//
// Fine-tuning keeps a network's lower layers as they were trained elsewhere (loaded with
// `train --init-from`) and trains only the layers above them. A frozen layer
//   - keeps its weights in the arena's frozen region: no gradient, no optimizer state.
//     Checkpoints keep them under the layer's usual names (conv1.kernel), so weights move
//     by name between a network and its frozen twin;
//   - computes its forward pass as at inference, also in training steps: BatchNorm
//     normalises with its running statistics and updates none, dropout is off, and a
//     kernel constraint never clips its weights;
//   - has no backward pass. Frozen layers come before every trained layer (the network
//     refuses any other order), and the backward pass stops at the first trained layer,
//     so what the inner layer keeps for its backward pass (a padded input, batch
//     statistics) lives in the shared scratch only while its forward pass runs.
// Its output, like that of every layer below the first trained one, alternates between
// two buffers (network.hpp): only the first trained layer's input stays.
// "frozen" is part of the architecture description, so the frozen and the unfrozen
// network have weights files of their own; Unfrozen<Arch> is the twin without the freeze.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "statnn/arena.hpp"
#include "statnn/layers/layer.hpp"
#include "statnn/layers/residual.hpp"

namespace statnn {

namespace detail {
template <class L, class = void>
struct describes_itself : std::false_type {};
template <class L>
struct describes_itself<L, std::void_t<decltype(L::describe(std::declval<char*>(), std::size_t{}))>> : std::true_type {};
template <class L>
inline constexpr bool always_false = false;
}  // namespace detail

template <class Inner>
struct FrozenLayer : Inner {
    static constexpr bool kFrozen = true;
    // The inner layer's saved bytes at the start of the scratch it gets, its scratch after them.
    static constexpr std::size_t kTransientSavedBytes = align_up(Inner::kSavedBytes);
    static constexpr std::size_t kSavedBytes = 0;
    static constexpr std::size_t kScratchBytes = kTransientSavedBytes + Inner::kScratchBytes;
    static constexpr std::uint64_t kMacs = 0;  // forward only: counted as fixed weights
    static constexpr std::uint64_t kFrozenMacs = Inner::kMacs + Inner::kFrozenMacs;
    static constexpr bool kHasConstraint = false;
    static constexpr bool kBiasIsNormShift = false;

    static void describe(char* buf, std::size_t size) {
        char inner[128] = "";
        if constexpr (detail::describes_itself<Inner>::value) Inner::describe(inner, sizeof inner);
        std::snprintf(buf, size, "%s frozen", inner);
    }

    // The network points the inner layer's saved and scratch slices into the shared scratch.
    void bind_transient(std::byte* scratch_region) {
        if constexpr (Inner::kSavedBytes > 0) this->saved = scratch_region;
        if constexpr (Inner::kScratchBytes > 0) this->scratch = scratch_region + kTransientSavedBytes;
    }

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        StepContext inference = ctx;
        inference.mode = Mode::Eval;
        inference.dropout = false;
        Inner::forward(in, out, n, inference);
    }

    template <bool NeedInputGrad>
    void backward(const float*, const float*, float*, float*, int, const StepContext&) {
        static_assert(detail::always_false<Inner>, "Frozen: a frozen layer has no backward pass");
    }

    int apply_constraint(ThreadPool&) { return 0; }
};

template <class Spec>
struct Frozen {
    template <class In, int Batch>
    using bind = FrozenLayer<typename Spec::template bind<In, Batch>>;
};

template <class... Branch>
struct Frozen<Residual<Branch...>> {
    static_assert(sizeof...(Branch) == 0 && sizeof...(Branch) != 0,
                  "Frozen: freeze the layers inside a Residual block (Residual<Frozen<...>, ...>), not the block");
};

// The same architecture with every Frozen<Spec> replaced by Spec (Sequential's case: network.hpp).
template <class Spec>
struct Unfrozen {
    using type = Spec;
};
template <class Spec>
struct Unfrozen<Frozen<Spec>> {
    using type = Spec;
};
template <class... Branch>
struct Unfrozen<Residual<Branch...>> {
    using type = Residual<typename Unfrozen<Branch>::type...>;
};

}  // namespace statnn
