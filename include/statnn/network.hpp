// statnn/network.hpp — a network is a type; its memory is a constexpr plan.
//
//   using Net = Sequential<Input<3, 32, 32>, Conv2D<32, 3, Same, ReLU>, ..., Dense<10>, Softmax>;
//   Network<Net, 32> net(seed);   // one arena, sized at compile time, allocated here once
//
// Sequential propagates shapes through the layer list at compile time; a layer that
// cannot take its input shape stops the build with a static_assert naming the layer and
// the problem. Network lays out one arena for the given batch size:
//
//   params | grads | optimizer state (OptimizerSlots arrays) | state | frozen | activations
//          | saved | scratch | gradient ping-pong | labels
//
// params, grads and each optimizer state array (Keras SGD's velocity; Adam's two moments)
// share one layout (each tensor 64-byte aligned), so an optimizer updates all parameters
// in one flat pass. state holds what layers keep
// across steps without training it (BatchNorm's running statistics): the optimizer
// never sees it; checkpoints save it. frozen holds the weights of Frozen<> layers
// (layers/frozen.hpp), which have neither gradients nor optimizer state. Activation k+1 is
// the output of layer k; in-place layers (ReLU, Dropout) reuse their input's buffer, and
// layers below the first trained one, which run forward only, share two buffers. During
// the backward pass two buffers alternate as output gradient and input gradient.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

#include "statnn/arena.hpp"
#include "statnn/init.hpp"
#include "statnn/layers/activation.hpp"
#include "statnn/layers/conv2d.hpp"
#include "statnn/layers/dense.hpp"
#include "statnn/layers/dropout.hpp"
#include "statnn/layers/flatten.hpp"
#include "statnn/layers/frozen.hpp"
#include "statnn/layers/layer.hpp"
#include "statnn/layers/maxpool2d.hpp"
#include "statnn/layers/residual.hpp"
#include "statnn/layers/softmax.hpp"
#include "statnn/loss/softmax_cross_entropy.hpp"
#include "statnn/rng.hpp"
#include "statnn/shape.hpp"
#include "statnn/thread_pool.hpp"

namespace statnn {

// The first element of a Sequential: the shape of one input image, channels first.
template <int C, int H, int W>
struct Input {
    using shape = Shape<C, H, W>;
};

namespace detail {

template <class T>
struct is_input : std::false_type {};
template <int C, int H, int W>
struct is_input<Input<C, H, W>> : std::true_type {};

template <class In, int Batch, class... Specs>
struct BindLayers {
    using type = std::tuple<>;
};
template <class In, int Batch, class Spec, class... Rest>
struct BindLayers<In, Batch, Spec, Rest...> {
    using layer = typename Spec::template bind<In, Batch>;
    using type = decltype(std::tuple_cat(std::declval<std::tuple<layer>>(),
                                         std::declval<typename BindLayers<typename layer::Out, Batch, Rest...>::type>()));
};

// A Residual block: its branch bound to the block's input, then the Add layer, then the
// rest bound to the block's input shape again.
template <class In, int Batch, class... Branch>
struct BindResidual {  // an empty branch: the specialisation below
    using branch = typename BindLayers<In, Batch, Branch...>::type;
    static constexpr int span = int(std::tuple_size_v<branch>);
    static_assert(!std::tuple_element_t<0, branch>::kInPlace,
                  "Residual: the branch must not begin with an in-place layer (ReLU, Dropout): it would overwrite the "
                  "block's input, which is added back; put that layer before the Residual");
    static_assert(ResidualShapesMatch<In, typename std::tuple_element_t<span - 1, branch>::Out>::value);
    using type = decltype(std::tuple_cat(std::declval<branch>(), std::declval<std::tuple<ResidualAddLayer<In, Batch, span>>>()));
};
template <class In, int Batch>
struct BindResidual<In, Batch> {
    static_assert(sizeof(In) == 0, "Residual: give the branch at least one layer");
    using type = std::tuple<>;
};
template <class In, int Batch, class... Branch, class... Rest>
struct BindLayers<In, Batch, Residual<Branch...>, Rest...> {
    using type = decltype(std::tuple_cat(std::declval<typename BindResidual<In, Batch, Branch...>::type>(),
                                         std::declval<typename BindLayers<In, Batch, Rest...>::type>()));
};

template <class L, class = void>
struct initializes_with_rng : std::false_type {};
template <class L>
struct initializes_with_rng<L, std::void_t<decltype(std::declval<L&>().initialize(std::declval<Rng&>()))>> : std::true_type {};

template <class L, class = void>
struct is_softmax : std::false_type {};
template <class L>
struct is_softmax<L, std::void_t<decltype(L::kIsSoftmax)>> : std::bool_constant<L::kIsSoftmax> {};

}  // namespace detail

template <class InputSpec, class... Specs>
struct Sequential {
    static_assert(detail::is_input<InputSpec>::value, "Sequential: the first element must be Input<C, H, W>");
    static_assert(sizeof...(Specs) > 0, "Sequential: a network needs at least one layer after Input");

    template <int Batch>
    using Layers = typename detail::BindLayers<typename InputSpec::shape, Batch, Specs...>::type;
    using InShape = typename InputSpec::shape;
};

template <class InputSpec, class... Specs>
struct Unfrozen<Sequential<InputSpec, Specs...>> {
    using type = Sequential<InputSpec, typename Unfrozen<Specs>::type...>;
};
// The architecture without its Frozen<> marks (frozen.hpp): the network before the freeze.
template <class Arch>
using UnfrozenArch = typename Unfrozen<Arch>::type;

// Called before and after every layer's forward and backward pass when set (a per-layer
// profile: `bench train --profile`); the network itself keeps no clock, so it builds
// where there is none.
enum class ProbePhase { ForwardBegin, ForwardEnd, BackwardBegin, BackwardEnd };
struct LayerProbe {
    void (*fn)(void* user, int layer, ProbePhase phase) = nullptr;
    void* user = nullptr;
};

// One layer's place in the arena and the facts the plan needs about it.
struct LayerPlan {
    std::size_t kernel_size, bias_size;       // floats
    std::size_t kernel_at, bias_at;           // byte offsets inside the params region
    std::size_t state_floats, state_at;       // its state, and where (byte offset in the arena)
    std::size_t out_size;                     // floats per image
    std::size_t act_at;                       // offset of its output activation
    std::size_t saved_at, saved_bytes;
    std::size_t scratch_bytes;
    bool in_place;
    int grad_slot;                            // ping-pong buffer holding d(loss)/d(its input)
    bool frozen;                              // kernel_at, bias_at: inside the frozen region
};

namespace detail {

// The arena layout of a bound layer list; see the comment at the top of this file.
template <class Layers, int Batch, int OptimizerSlots>
struct ArenaPlanner {
    static constexpr int kLayers = int(std::tuple_size_v<Layers>);
    template <std::size_t K>
    using LayerAt = std::tuple_element_t<K, Layers>;
    using InShape = typename LayerAt<0>::In;

    struct Plan {
        std::array<LayerPlan, kLayers> layer{};
        std::size_t input_at = 0, input_bytes = 0;
        std::size_t params_bytes = 0;  // one region; grads and each optimizer slot are the same size
        std::size_t params_at = 0, grads_at = 0, optimizer_at = 0;  // slot s at optimizer_at + s * params_bytes
        std::size_t state_at = 0, state_bytes = 0;
        std::size_t frozen_at = 0, frozen_bytes = 0;  // Frozen<> layers' parameters
        std::size_t activations_at = 0, activations_bytes = 0;
        std::size_t saved_at = 0, saved_bytes = 0;
        std::size_t scratch_at = 0, scratch_bytes = 0;
        std::size_t grad_at[2] = {0, 0}, grad_bytes = 0;
        std::size_t labels_at = 0, labels_bytes = 0;
        std::size_t total = 0;
    };

    template <std::size_t... K>
    static constexpr int later_layers_init_from_data(std::index_sequence<K...>) {
        return ((K > 0 && LayerAt<K>::kInitFromData ? 1 : 0) + ... + 0);
    }

    template <std::size_t... K>
    static constexpr std::array<bool, kLayers> bias_is_norm_shift(std::index_sequence<K...>) {
        return {LayerAt<K>::kBiasIsNormShift...};
    }

    template <std::size_t... K>
    static constexpr std::size_t count_params(bool frozen, std::index_sequence<K...>) {
        return ((LayerAt<K>::kFrozen == frozen ? LayerAt<K>::kKernelSize + LayerAt<K>::kBiasSize : 0) + ... + 0);
    }

    // The first layer with trained parameters (kLayers when none has any): the backward
    // pass stops there, and that layer computes no input gradient — layers before it
    // (a frozen whitening stem and its activation, Frozen<> layers) train nothing.
    template <std::size_t... K>
    static constexpr int first_trained(std::index_sequence<K...>) {
        int first = kLayers;
        ((first = (first == kLayers && !LayerAt<K>::kFrozen && LayerAt<K>::kKernelSize + LayerAt<K>::kBiasSize > 0) ? int(K)
                                                                                                                   : first),
         ...);
        return first;
    }

    // The last Frozen<> layer (-1 when none).
    template <std::size_t... K>
    static constexpr int last_frozen(std::index_sequence<K...>) {
        int last = -1;
        ((last = LayerAt<K>::kFrozen ? int(K) : last), ...);
        return last;
    }

    // Which layers' outputs a residual block's Add reads again later (its skip input).
    template <std::size_t... K>
    static constexpr std::array<bool, kLayers> read_by_a_skip(std::index_sequence<K...>) {
        std::array<bool, kLayers> read{};
        auto mark = [&](int k, int span) {
            if (span > 0 && k - span - 1 >= 0) read[std::size_t(k - span - 1)] = true;
        };
        (mark(int(K), skip_span<LayerAt<K>>::value), ...);
        return read;
    }

    // Parameters: each tensor aligned, so kernels can use aligned vector loads; a frozen
    // layer's in a region of their own, which has no gradient and no optimizer state.
    static constexpr void lay_parameters(Plan& p) {
        std::size_t at = 0, frozen = 0;
        for (auto& l : p.layer) {
            std::size_t& next = l.frozen ? frozen : at;
            l.kernel_at = next;
            next += float_bytes(l.kernel_size);
            l.bias_at = next;
            next += float_bytes(l.bias_size);
        }
        p.params_bytes = at;
        p.frozen_bytes = frozen;
    }

    // Activations: the input batch, then one buffer per layer that is not in place. Below
    // the first trained layer nothing runs backward: a layer there writes to the one of two
    // shared buffers that does not hold its input (an output a residual block adds back
    // later keeps a buffer of its own). pair[k]: that buffer, or -1 for one of its own.
    static constexpr std::size_t lay_activations(Plan& p, std::size_t at, int first_trained,
                                                 const std::array<bool, kLayers>& read_again) {
        p.activations_at = at;
        p.input_at = at;
        p.input_bytes = float_bytes(std::size_t(Batch) * InShape::size);
        at += p.input_bytes;
        std::array<int, kLayers> pair{};
        std::size_t pair_bytes[2] = {0, 0};
        int prev_pair = -1;
        for (int k = 0; k < kLayers; ++k) {
            const LayerPlan& l = p.layer[std::size_t(k)];
            int& mine = pair[std::size_t(k)];
            mine = l.in_place ? prev_pair : (k < first_trained && !read_again[std::size_t(k)]) ? (prev_pair == 0 ? 1 : 0) : -1;
            if (mine >= 0 && !l.in_place) {
                const std::size_t b = float_bytes(std::size_t(Batch) * l.out_size);
                pair_bytes[mine] = b > pair_bytes[mine] ? b : pair_bytes[mine];
            }
            prev_pair = mine;
        }
        const std::size_t pair_at[2] = {at, at + pair_bytes[0]};
        at += pair_bytes[0] + pair_bytes[1];
        std::size_t prev = p.input_at;
        for (int k = 0; k < kLayers; ++k) {
            LayerPlan& l = p.layer[std::size_t(k)];
            if (l.in_place) {
                l.act_at = prev;
            } else if (pair[std::size_t(k)] >= 0) {
                l.act_at = pair_at[pair[std::size_t(k)]];
            } else {
                l.act_at = at;
                at += float_bytes(std::size_t(Batch) * l.out_size);
            }
            prev = l.act_at;
        }
        p.activations_bytes = at - p.activations_at;
        return at;
    }

    // The gradient ping-pong. The softmax input gradient goes to slot 0; walking back, a
    // layer writes its input gradient to the other slot unless it works in place.
    static constexpr std::size_t lay_gradients(Plan& p, std::size_t at, int first_trained) {
        const int L = int(p.layer.size());
        p.layer[std::size_t(L - 1)].grad_slot = 0;
        for (int k = L - 2; k >= 0; --k)
            p.layer[std::size_t(k)].grad_slot =
                p.layer[std::size_t(k)].in_place ? p.layer[std::size_t(k + 1)].grad_slot : 1 - p.layer[std::size_t(k + 1)].grad_slot;
        // d(loss)/d(input of layer k) for the layers above the first trained one, which computes none.
        for (int k = first_trained + 1; k < L; ++k) {
            const std::size_t b = float_bytes(std::size_t(Batch) * p.layer[std::size_t(k - 1)].out_size);
            p.grad_bytes = b > p.grad_bytes ? b : p.grad_bytes;
        }
        p.grad_at[0] = at;
        p.grad_at[1] = at + p.grad_bytes;
        return at + 2 * p.grad_bytes;
    }

    template <std::size_t... K>
    static constexpr Plan make(std::index_sequence<K...> all) {
        Plan p{};
        p.layer = {LayerPlan{LayerAt<K>::kKernelSize, LayerAt<K>::kBiasSize, 0, 0, LayerAt<K>::kStateFloats, 0,
                             LayerAt<K>::Out::size, 0, 0, LayerAt<K>::kSavedBytes, LayerAt<K>::kScratchBytes,
                             LayerAt<K>::kInPlace, 0, LayerAt<K>::kFrozen}...};
        lay_parameters(p);
        p.params_at = 0;
        p.grads_at = p.params_at + p.params_bytes;
        p.optimizer_at = p.grads_at + p.params_bytes;
        std::size_t at = p.optimizer_at + std::size_t(OptimizerSlots) * p.params_bytes;
        // State: each layer's floats, aligned (empty for the seed models: their layout is unchanged).
        p.state_at = at;
        for (auto& l : p.layer) {
            l.state_at = at;
            at += float_bytes(l.state_floats);
        }
        p.state_bytes = at - p.state_at;
        p.frozen_at = at;  // right after the state: initialize() clears params to here in one pass
        at += p.frozen_bytes;
        at = lay_activations(p, at, first_trained(all), read_by_a_skip(all));
        // State each layer keeps from forward to backward.
        p.saved_at = at;
        for (auto& l : p.layer) {
            l.saved_at = at;
            at += l.saved_bytes;
        }
        p.saved_bytes = at - p.saved_at;
        // Transient scratch: one region, as large as the largest need.
        p.scratch_at = at;
        for (auto& l : p.layer) p.scratch_bytes = l.scratch_bytes > p.scratch_bytes ? l.scratch_bytes : p.scratch_bytes;
        at += p.scratch_bytes;
        at = lay_gradients(p, at, first_trained(all));
        p.labels_at = at;
        p.labels_bytes = align_up(std::size_t(Batch) * sizeof(std::int32_t));
        at += p.labels_bytes;
        p.total = at;
        return p;
    }

};

}  // namespace detail

// OptimizerSlots: the float arrays of the parameter count the optimizer keeps (its
// kStateSlots: 1 for SGD's velocity, 2 for Adam's moments).
template <class Arch, int Batch, int OptimizerSlots = 1>
class Network {
public:
    static_assert(Batch > 0, "Network: the batch size must be positive");
    static_assert(OptimizerSlots >= 1, "Network: an optimizer keeps at least one state array");
    using Architecture = Arch;
    using Layers = typename Arch::template Layers<Batch>;
    static constexpr int kLayers = int(std::tuple_size_v<Layers>);
    template <int K>
    using LayerAt = std::tuple_element_t<K, Layers>;
    using InShape = typename LayerAt<0>::In;
    using OutShape = typename LayerAt<kLayers - 1>::Out;
    static_assert(detail::is_softmax<LayerAt<kLayers - 1>>::value,
                  "Network: the last layer must be Softmax (training uses softmax + categorical cross-entropy)");
    static_assert(kLayers >= 2, "Network: put at least one layer before Softmax");
    static constexpr int kBatch = Batch;
    static constexpr int kClasses = OutShape::C;


    static constexpr int kOptimizerSlots = OptimizerSlots;
    using Planner = detail::ArenaPlanner<Layers, Batch, OptimizerSlots>;
    using Plan = typename Planner::Plan;
    static constexpr Plan kPlan = Planner::make(std::make_index_sequence<kLayers>{});
    static constexpr std::size_t kArenaBytes = kPlan.total;
    static constexpr std::size_t kParamFloats = kPlan.params_bytes / sizeof(float);  // with alignment padding
    static constexpr std::size_t kParamCount = Planner::count_params(false, std::make_index_sequence<kLayers>{});  // trained
    static constexpr std::size_t kFrozenParamCount = Planner::count_params(true, std::make_index_sequence<kLayers>{});
    static constexpr std::size_t kStateFloats = kPlan.state_bytes / sizeof(float);  // with alignment padding
    static constexpr int kFirstTrainedLayer = Planner::first_trained(std::make_index_sequence<kLayers>{});
    static_assert(Planner::last_frozen(std::make_index_sequence<kLayers>{}) < kFirstTrainedLayer,
                  "Network: a Frozen<> layer comes after a trained layer; freeze only layers below every trained one "
                  "(the backward pass would have to run through it)");
    static_assert(Planner::later_layers_init_from_data(std::make_index_sequence<kLayers>{}) == 0,
                  "Network: a layer set from training images (PatchWhitening) must be the first layer");

    // The parameter arrays as runs of whole tensors (with their padding) that share a
    // role: BatchNorm shifts, or anything else. A recipe may give the shifts a learning
    // rate and weight decay of their own (airbench's 64x); without, one run covers all.
    struct ParamSegment {
        std::size_t begin = 0, count = 0;  // floats
        bool norm_shift = false;
    };
    static constexpr int kMaxSegments = 2 * kLayers;
    struct ParamSegments {
        std::array<ParamSegment, kMaxSegments> segment{};
        int count = 0;
    };
    static constexpr ParamSegments kParamSegments = [] {
        ParamSegments s{};
        constexpr std::array<bool, kLayers> shift = Planner::bias_is_norm_shift(std::make_index_sequence<kLayers>{});
        auto add = [&](std::size_t at_bytes, std::size_t floats, bool norm_shift) {
            if (floats == 0) return;
            const std::size_t begin = at_bytes / sizeof(float), count = float_bytes(floats) / sizeof(float);
            if (s.count > 0 && s.segment[std::size_t(s.count - 1)].norm_shift == norm_shift)
                s.segment[std::size_t(s.count - 1)].count = begin + count - s.segment[std::size_t(s.count - 1)].begin;
            else
                s.segment[std::size_t(s.count++)] = ParamSegment{begin, count, norm_shift};
        };
        for (int k = 0; k < kLayers; ++k) {
            if (kPlan.layer[std::size_t(k)].frozen) continue;  // not in params(): no gradient, no optimizer state
            add(kPlan.layer[std::size_t(k)].kernel_at, kPlan.layer[std::size_t(k)].kernel_size, false);
            add(kPlan.layer[std::size_t(k)].bias_at, kPlan.layer[std::size_t(k)].bias_size, shift[std::size_t(k)]);
        }
        return s;
    }();

    explicit Network(std::uint64_t seed = 1, int threads = 1) : arena_(kArenaBytes), pool_(threads) { set_up(seed); }

    // The same in memory the caller provides: kArenaBytes bytes, aligned to kAlignment (64)
    // — e.g. `alignas(64) static std::byte memory[Net::kArenaBytes];` on a microcontroller,
    // where nothing else allocates: bare-metal training needs no heap.
    Network(std::byte* memory, std::uint64_t seed, int threads = 1) : arena_(memory, kArenaBytes), pool_(threads) {
        set_up(seed);
    }

    Network(const Network&) = delete;
    Network& operator=(const Network&) = delete;

    // Glorot-uniform kernels, zero biases, as Keras does; one random stream per layer.
    // A layer with its own initial values (BatchNorm: γ 1, β 0, running mean 0 and
    // variance 1; a convolution with TorchInit) sets its parameters and state itself,
    // from the layer's stream when its initialize() takes one.
    void initialize(std::uint64_t seed) {
        // params, grads, optimizer state, state, frozen parameters: contiguous.
        std::memset(arena_.data() + kPlan.params_at, 0,
                    (2 + OptimizerSlots) * kPlan.params_bytes + kPlan.state_bytes + kPlan.frozen_bytes);
        visit([&](auto k, auto& layer) {
            using L = std::decay_t<decltype(layer)>;
            Rng rng(splitmix64(seed ^ splitmix64(std::uint64_t(k) + 1)));
            if constexpr (L::kHasOwnInit) {
                if constexpr (detail::initializes_with_rng<L>::value) layer.initialize(rng);
                else layer.initialize();
            } else if constexpr (L::kKernelSize > 0) {
                glorot_uniform(layer.kernel, L::kKernelSize, L::fan_in, L::fan_out, rng);
            }
        });
    }

    // ---- initialisation from training images (a PatchWhitening first layer) -------------
    // The trainer, before a fresh run's first step: begin, then observe the first n
    // images of input() batch by batch, then finish. Without such a layer: nothing.
    static constexpr bool kInitFromData = LayerAt<0>::kInitFromData;
    static constexpr int kInitImages = [] {
        if constexpr (kInitFromData) return LayerAt<0>::kInitImages;
        else return 0;
    }();
    void begin_data_init() {
        if constexpr (kInitFromData) std::get<0>(layers_).begin_data_init();
    }
    void observe_for_init(int n) {
        if constexpr (kInitFromData) std::get<0>(layers_).observe(input(), n);
    }
    bool finish_data_init() {
        if constexpr (kInitFromData) return std::get<0>(layers_).finish_data_init();
        else return true;
    }

    // ---- data in and out ------------------------------------------------------------
    float* input() { return arena_.template at<float>(kPlan.input_at); }  // (Batch, H, W, C)
    std::int32_t* labels() { return arena_.template at<std::int32_t>(kPlan.labels_at); }
    const float* probabilities() { return activation(kLayers - 1); }  // (Batch, classes)
    // Output of layer k (after in-place layers that follow it have run).
    float* activation(int k) { return arena_.template at<float>(kPlan.layer[k].act_at); }
    const float* activation_input(int k) {
        return k == 0 ? input() : activation(k - 1);
    }

    // ---- training and inference -----------------------------------------------------
    // Runs the first n (<= Batch) images of input() through the network. With training,
    // layers run in Mode::Train: dropout is active (its mask a function of (seed, step))
    // and BatchNorm normalises with the batch's statistics and updates its running ones.
    // first_row: the global row of input()'s first image when this process holds a share
    // of a larger batch (distributed.hpp); dropout masks follow the global row.
    void forward(int n, bool training, std::uint64_t step = 0, int first_row = 0) {
        StepContext ctx = context(training, step, first_row);
        forward_layers(n, ctx, std::make_index_sequence<kLayers>{});
    }

    // After forward(n, true, step): mean cross-entropy of the first n images against
    // labels(), and the gradient of every parameter in grads().
    double backward(int n, std::uint64_t step = 0) { return backward(n, step, loss::SoftmaxCrossEntropy{}); }

    // The same with a loss of its own (loss/softmax_cross_entropy.hpp: label smoothing;
    // without it, the plain cross-entropy above, bit for bit).
    // For a share of a global batch (forward with the same first_row), gradient_scale =
    // rows / global rows makes the gradients those of the global mean once summed over
    // the processes; the returned loss stays this share's mean.
    template <class Loss>
    double backward(int n, std::uint64_t step, const Loss& loss, int first_row = 0, float gradient_scale = 1.0f) {
        StepContext ctx = context(true, step, first_row);
        float* dlogits = grad_buffer(kPlan.layer[kLayers - 1].grad_slot);
        probe(kLayers - 1, ProbePhase::BackwardBegin);
        const double value = loss.template backward<kClasses>(probabilities(), labels(), n, dlogits);
        if (gradient_scale != 1.0f)
            for (std::size_t i = 0; i < std::size_t(n) * kClasses; ++i) dlogits[i] *= gradient_scale;
        probe(kLayers - 1, ProbePhase::BackwardEnd);
        backward_layers<kLayers - 2>(n, ctx);
        return value;
    }

    // Mean cross-entropy of the current probabilities (after a forward pass).
    double loss(int n) { return kernels::softmax_xent_loss<kClasses>(probabilities(), labels(), n); }

    // Applies every layer's kernel constraint; returns the number of clipped units.
    int apply_constraints() {
        int clipped = 0;
        visit([&](auto, auto& layer) { clipped += layer.apply_constraint(pool_); });
        return clipped;
    }

    // Dropout on or off in training mode (off reproduces reference computations; the
    // mode stays Train for every other layer).
    void set_dropout_enabled(bool on) { dropout_enabled_ = on; }
    // Dropout masks are a function of (seed, step); a resumed run restores its seed here.
    void reseed_dropout(std::uint64_t seed) { dropout_seed_ = splitmix64(seed ^ 0x243F6A8885A308D3ull); }

    // ---- parameters as flat arrays (all tensors, with alignment padding) ---------------
    float* params() { return arena_.template at<float>(kPlan.params_at); }
    float* grads() { return arena_.template at<float>(kPlan.grads_at); }
    // Optimizer state array `slot` (< OptimizerSlots), zero before the first step.
    float* optimizer_state(int slot) {
        return arena_.template at<float>(kPlan.optimizer_at + std::size_t(slot) * kPlan.params_bytes);
    }
    float* velocity() { return optimizer_state(0); }  // the first slot: SGD's velocity
    // Every layer's state (kStateFloats with padding; none in the seed models).
    float* state() { return arena_.template at<float>(kPlan.state_at); }

    // Calls fn(std::integral_constant<int, k>, layer_k&) for every layer, in order.
    template <class Fn>
    void visit(Fn&& fn) {
        visit_impl(fn, std::make_index_sequence<kLayers>{});
    }

    // Layer K itself (its arena slices: kernel, bias, their gradients, state).
    template <int K>
    LayerAt<K>& layer() {
        return std::get<K>(layers_);
    }

    // Keras-like names: conv1, drop1, conv2, pool1, ..., dense1, softmax1.
    const char* layer_name(int k) const { return names_[k].data(); }

    ThreadPool& pool() { return pool_; }
    int threads() const { return pool_.size(); }

    // A per-layer probe (see LayerProbe); {} removes it.
    void set_probe(LayerProbe p) { probe_ = p; }

private:
    void set_up(std::uint64_t seed) {
        reseed_dropout(seed);
        bind_slices(std::make_index_sequence<kLayers>{});
        initialize(seed);
    }

    template <std::size_t... K>
    void bind_slices(std::index_sequence<K...>) {
        (bind_layer<K>(), ...);
    }

    template <std::size_t K>
    void bind_layer() {
        auto& layer = std::get<K>(layers_);
        const LayerPlan& lp = kPlan.layer[K];
        if constexpr (LayerAt<K>::kFrozen) bind_frozen_parameters(layer, lp);
        else bind_parameters(layer, lp);
        if (lp.state_floats) layer.state = arena_.template at<float>(lp.state_at);
        if (lp.saved_bytes) layer.saved = arena_.data() + lp.saved_at;
        if (lp.scratch_bytes) layer.scratch = arena_.data() + kPlan.scratch_at;
        if constexpr (LayerAt<K>::kFrozen) layer.bind_transient(arena_.data() + kPlan.scratch_at);
        layer.layer_key = splitmix64(0xD5A61266F0C9392Cull + K);
        // Name: prefix plus a count per prefix.
        int same = 1;
        for (std::size_t j = 0; j < K; ++j)
            if (std::strcmp(prefix_of(j), LayerAt<K>::prefix) == 0) ++same;
        std::snprintf(names_[K].data(), names_[K].size(), "%s%d", LayerAt<K>::prefix, same);
    }

    template <class L>
    void bind_parameters(L& layer, const LayerPlan& lp) {
        if (lp.kernel_size) {
            layer.kernel = arena_.template at<float>(kPlan.params_at + lp.kernel_at);
            layer.dkernel = arena_.template at<float>(kPlan.grads_at + lp.kernel_at);
        }
        if (lp.bias_size) {
            layer.bias = arena_.template at<float>(kPlan.params_at + lp.bias_at);
            layer.dbias = arena_.template at<float>(kPlan.grads_at + lp.bias_at);
        }
    }

    // A Frozen<> layer's weights, in the frozen region: no gradients.
    template <class L>
    void bind_frozen_parameters(L& layer, const LayerPlan& lp) {
        if (lp.kernel_size) layer.kernel = arena_.template at<float>(kPlan.frozen_at + lp.kernel_at);
        if (lp.bias_size) layer.bias = arena_.template at<float>(kPlan.frozen_at + lp.bias_at);
    }

    static const char* prefix_of(std::size_t k) { return prefixes(std::make_index_sequence<kLayers>{})[k]; }
    template <std::size_t... K>
    static constexpr std::array<const char*, kLayers> prefixes(std::index_sequence<K...>) {
        return {LayerAt<K>::prefix...};
    }

    template <class Fn, std::size_t... K>
    void visit_impl(Fn& fn, std::index_sequence<K...>) {
        (fn(std::integral_constant<int, int(K)>{}, std::get<K>(layers_)), ...);
    }

    StepContext context(bool training, std::uint64_t step, int first_row = 0) {
        StepContext ctx;
        ctx.first_row = first_row;
        ctx.pool = &pool_;
        ctx.mode = training ? Mode::Train : Mode::Eval;
        ctx.dropout = training && dropout_enabled_;
        ctx.dropout_key = splitmix64(dropout_seed_ ^ splitmix64(step));
        return ctx;
    }

    void probe(int k, ProbePhase phase) {
        if (probe_.fn) probe_.fn(probe_.user, k, phase);
    }

    template <std::size_t... K>
    void forward_layers(int n, const StepContext& ctx, std::index_sequence<K...>) {
        ((probe(int(K), ProbePhase::ForwardBegin), forward_layer<int(K)>(n, ctx), probe(int(K), ProbePhase::ForwardEnd)), ...);
    }

    template <int K>
    void forward_layer(int n, const StepContext& ctx) {
        constexpr int span = detail::skip_span<LayerAt<K>>::value;
        if constexpr (span > 0)  // a residual block's Add: its branch's output plus the block's input
            std::get<K>(layers_).forward(activation_input(K), activation(K), activation_input(K - span), n, ctx);
        else
            std::get<K>(layers_).forward(activation_input(K), activation(K), n, ctx);
    }

    // After layer K wrote its input gradient: the skip gradients of the residual blocks
    // whose branch begins at layer K (several when blocks nest).
    template <int K, std::size_t... J>
    void add_skip_gradients(float* din, int n, const StepContext& ctx, std::index_sequence<J...>) {
        (
            [&] {
                constexpr int span = detail::skip_span<LayerAt<int(J)>>::value;
                if constexpr (span > 0 && int(J) - span == K) std::get<J>(layers_).add_skip_gradient(din, n, ctx);
            }(),
            ...);
    }

    float* grad_buffer(int slot) { return arena_.template at<float>(kPlan.grad_at[slot]); }

    // Layers K, K-1, ..., kFirstTrainedLayer; the Softmax layer (last) is handled by the loss.
    template <int K>
    void backward_layers(int n, const StepContext& ctx) {
        if constexpr (K >= kFirstTrainedLayer) {
            auto& layer = std::get<K>(layers_);
            float* dout = grad_buffer(kPlan.layer[K + 1].grad_slot);
            float* din = K > kFirstTrainedLayer ? grad_buffer(kPlan.layer[K].grad_slot) : nullptr;
            probe(K, ProbePhase::BackwardBegin);
            layer.template backward<(K > kFirstTrainedLayer)>(activation_input(K), activation(K), dout, din, n, ctx);
            if constexpr (K > kFirstTrainedLayer) add_skip_gradients<K>(din, n, ctx, std::make_index_sequence<kLayers>{});
            probe(K, ProbePhase::BackwardEnd);
            backward_layers<K - 1>(n, ctx);
        }
    }

    Arena arena_;
    ThreadPool pool_;
    std::uint64_t dropout_seed_ = 0;
    Layers layers_{};
    std::array<std::array<char, 24>, kLayers> names_{};
    bool dropout_enabled_ = true;
    LayerProbe probe_{};
};

}  // namespace statnn
