// tests/network/test_frozen.cpp — Frozen<> layers (statnn/layers/frozen.hpp): the arena
// keeps no gradient, optimizer state or backward-pass memory for them, the trained layers
// above get the gradients the unfrozen network gives them, BatchNorm in the frozen part
// normalises with its running statistics, steps allocate nothing, and checkpoints keep the
// frozen weights under their usual names and resume bit for bit. (This executable replaces
// the global allocation functions with counting ones, as tests/alloc does.)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "cnn4.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/network.hpp"
#include "statnn/train/train_step.hpp"
#include "support/counting_allocator.hpp"

using statnn::test::g_allocations;
using statnn::test::g_counting;

using namespace statnn;

namespace {

// Two frozen convolutions with pooling between them under a trained head, no BatchNorm:
// frozen and unfrozen compute the same forward pass in training steps.
using Plain = Sequential<Input<3, 8, 8>, Frozen<Conv2D<4, 3, Same, ReLU>>, MaxPooling2D<2>, Frozen<Conv2D<6, 3, Same, ReLU>>,
                         Flatten, Dense<12, ReLU>, Dense<3>, Softmax>;

// A frozen backbone of six layers with BatchNorm, then a trained dense head.
using Backbone = Sequential<Input<3, 8, 8>, Frozen<Conv2D<4, 3, Same>>, Frozen<BatchNorm<>>, MaxPooling2D<2>,
                            Frozen<Conv2D<6, 3, Same>>, Frozen<BatchNorm<>>, MaxPooling2D<2>, Flatten, Dense<10>, Softmax>;

// A frozen conv + BatchNorm + ReLU, then the head; and the head alone, fed the frozen part's output.
using Normed = Sequential<Input<3, 8, 8>, Frozen<Conv2D<4, 3, Same>>, Frozen<BatchNorm<>>, ReLU, MaxPooling2D<2>, Flatten,
                          Dense<12, ReLU>, Dense<3>, Softmax>;
using NormedHead = Sequential<Input<64, 1, 1>, Dense<12, ReLU>, Dense<3>, Softmax>;

template <class Net>
void fill_batch(Net& net, std::uint64_t seed) {
    Rng rng(seed);
    for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net.input()[e] = rng.uniform(-1.0f, 2.0f);
    for (int r = 0; r < Net::kBatch; ++r) net.labels()[r] = r % Net::kClasses;
}

struct Tensor {
    std::vector<float> value, grad;
    TensorRole role;
};

// Every tensor by name: its values and, for a trained parameter, its gradient.
template <class Net>
std::map<std::string, Tensor> tensors_of(Net& net) {
    std::map<std::string, Tensor> all;
    for_each_tensor(net, [&](const std::string& name, auto&&, const float* data, std::size_t count, TensorRole role,
                             std::size_t offset) {
        Tensor t{std::vector<float>(data, data + count), {}, role};
        if (role == TensorRole::Parameter) t.grad.assign(net.grads() + offset, net.grads() + offset + count);
        all[name] = t;
    });
    return all;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("frozen: the architecture without the freeze, and the order frozen layers must keep", "[network][frozen]") {
    using Net = Network<Backbone, 4>;
    using Un = Network<UnfrozenArch<Backbone>, 4>;
    static_assert(std::is_same_v<UnfrozenArch<Backbone>,
                                 Sequential<Input<3, 8, 8>, Conv2D<4, 3, Same>, BatchNorm<>, MaxPooling2D<2>, Conv2D<6, 3, Same>,
                                            BatchNorm<>, MaxPooling2D<2>, Flatten, Dense<10>, Softmax>>);
    static_assert(Net::kFirstTrainedLayer == 7 && Un::kFirstTrainedLayer == 0);
    static_assert(Net::kParamCount == 2 * 2 * 6 * 10 + 10);  // the dense head only
    static_assert(Net::kFrozenParamCount == Un::kParamCount - Net::kParamCount);
    auto net = std::make_unique<Net>(1);
    auto un = std::make_unique<Un>(1);
    // The same names, the same initial values (one random stream per layer index).
    const auto a = tensors_of(*net), b = tensors_of(*un);
    REQUIRE(a.size() == b.size());
    for (const auto& [name, t] : a) {
        INFO(name);
        REQUIRE(b.count(name) == 1);
        CHECK(same_bits(t.value, b.at(name).value));
        CHECK((t.role == TensorRole::FrozenParameter) == (name.rfind("conv", 0) == 0 || name.find(".gamma") != std::string::npos ||
                                                           name.find(".beta") != std::string::npos));
    }
    // "frozen" tells the two apart in checkpoints.
    CHECK(io::architecture_description(*net) != io::architecture_description(*un));
    CHECK(io::architecture_description(*net).find("frozen") != std::string::npos);
}

TEST_CASE("frozen: the arena shrinks by what the frozen layers no longer keep", "[network][frozen][arena]") {
    constexpr int B = 4;
    using Net = Network<Backbone, B>;
    using Un = Network<UnfrozenArch<Backbone>, B>;
    constexpr auto& f = Net::kPlan;
    constexpr auto& u = Un::kPlan;
    // Frozen weights: conv1 kernel 3x3x3x4 (108 floats, 448 bytes aligned) and bias (4: 64),
    // bn1 gamma and beta (64 each), conv2 kernel 3x3x4x6 (216 floats: 896) and bias (64),
    // bn2 gamma and beta (64 each): 1,792 bytes, out of params into the frozen region.
    constexpr std::size_t frozen_weights = 448 + 64 + 64 + 64 + 896 + 64 + 64 + 64;
    static_assert(f.frozen_bytes == frozen_weights);
    static_assert(u.params_bytes - f.params_bytes == frozen_weights);
    // Gone: their gradients and velocity (two arrays like params).
    constexpr std::size_t no_gradients = 2 * frozen_weights;
    // Gone: what the backward pass would read. conv1's padded input (4 x 10x10x3 floats),
    // conv2's (4 x 6x6x4), each BatchNorm's batch statistics.
    constexpr std::size_t no_saved =
        float_bytes(B * 10 * 10 * 3) + float_bytes(B * 6 * 6 * 4) + Un::LayerAt<1>::kSavedBytes + Un::LayerAt<4>::kSavedBytes;
    static_assert(f.saved_bytes == 0 && u.saved_bytes == no_saved);
    // Activations below the dense head: conv1 and bn1 (4 x 8x8x4 floats each), pool1 (4 x 4x4x4),
    // conv2 and bn2 (4 x 4x4x6 each), pool2 and flatten (4 x 2x2x6 each), a buffer each before;
    // now two buffers that alternate, each as large as the largest output it takes: 4,096 bytes.
    constexpr std::size_t prefix_outputs = 4096 + 4096 + 1024 + 1536 + 1536 + 384 + 384;
    static_assert(u.activations_bytes - f.activations_bytes == prefix_outputs - 2 * 4096);
    // Input gradients are needed above the first trained layer only: the softmax's input
    // (4 x 10 floats, 192 bytes aligned); before, the largest was conv1's output (4,096 bytes).
    // Two ping-pong buffers.
    static_assert(u.grad_bytes == 4096 && f.grad_bytes == 192);
    constexpr std::size_t fewer_gradients = 2 * (4096 - 192);
    // The scratch holds a frozen layer's transient saved bytes beside its own scratch, and
    // may grow for that: the largest need of any layer.
    constexpr auto need = [](std::size_t saved, std::size_t scratch) { return align_up(saved) + scratch; };
    static constexpr std::size_t needs[] = {need(Un::LayerAt<0>::kSavedBytes, Un::LayerAt<0>::kScratchBytes),
                                     need(Un::LayerAt<1>::kSavedBytes, Un::LayerAt<1>::kScratchBytes),
                                     need(Un::LayerAt<3>::kSavedBytes, Un::LayerAt<3>::kScratchBytes),
                                     need(Un::LayerAt<4>::kSavedBytes, Un::LayerAt<4>::kScratchBytes),
                                     Un::LayerAt<7>::kScratchBytes};
    constexpr std::size_t scratch = [] {
        std::size_t m = 0;
        for (std::size_t n : needs) m = n > m ? n : m;
        return m;
    }();
    static_assert(f.scratch_bytes == scratch);
    constexpr std::size_t scratch_growth = f.scratch_bytes - u.scratch_bytes;
    static_assert(Un::kArenaBytes - Net::kArenaBytes ==
                  no_gradients + no_saved + (prefix_outputs - 2 * 4096) + fewer_gradients - scratch_growth);
    std::printf("frozen backbone at batch %d: training arena %zu bytes, %zu without the freeze\n", B, Net::kArenaBytes,
                Un::kArenaBytes);
}

TEST_CASE("frozen: the trained layers' gradients are the unfrozen network's, bit for bit", "[network][frozen][gradients]") {
    using Net = Network<Plain, 4>;
    using Un = Network<UnfrozenArch<Plain>, 4>;
    auto net = std::make_unique<Net>(7, 2);
    auto un = std::make_unique<Un>(7, 2);
    fill_batch(*net, 3);
    fill_batch(*un, 3);
    net->forward(4, true, 0);
    un->forward(4, true, 0);
    const double loss = net->backward(4, 0), un_loss = un->backward(4, 0);
    CHECK(std::memcmp(&loss, &un_loss, sizeof loss) == 0);
    const auto a = tensors_of(*net), b = tensors_of(*un);
    int trained = 0;
    for (const auto& [name, t] : a) {
        INFO(name);
        CHECK(same_bits(t.value, b.at(name).value));
        if (t.role != TensorRole::Parameter) continue;
        ++trained;
        CHECK(same_bits(t.grad, b.at(name).grad));
        float largest = 0;
        for (float g : t.grad) largest = std::max(largest, std::abs(g));
        CHECK(largest > 0.0f);  // the comparison means something
    }
    CHECK(trained == 4);  // dense1 and dense2, kernel and bias
}

// With BatchNorm in the frozen part, the unfrozen network would normalise a training batch
// with the batch's statistics, so the reference is by construction: the frozen part's
// output as an evaluation pass of the unfrozen network computes it, fed to the head alone.
TEST_CASE("frozen: BatchNorm in the frozen part uses its running statistics, and the head trains on that",
          "[network][frozen][batchnorm][gradients]") {
    using Net = Network<Normed, 4>;
    using Un = Network<UnfrozenArch<Normed>, 4>;
    using Head = Network<NormedHead, 4>;
    auto net = std::make_unique<Net>(5, 2);
    auto un = std::make_unique<Un>(5, 2);
    auto head = std::make_unique<Head>(9, 2);
    // Running statistics far from the initial ones, the same in both networks.
    for (int c = 0; c < 4; ++c) {
        net->layer<1>().running_mean()[c] = un->layer<1>().running_mean()[c] = 0.1f * float(c) - 0.2f;
        net->layer<1>().running_var()[c] = un->layer<1>().running_var()[c] = 0.5f + 0.7f * float(c);
    }
    const std::vector<float> statistics(net->layer<1>().state, net->layer<1>().state + 8);
    fill_batch(*net, 11);
    fill_batch(*un, 11);
    un->forward(4, false);
    // The head's weights are the frozen network's dense layers'.
    std::memcpy(head->layer<0>().kernel, net->layer<5>().kernel, 64 * 12 * sizeof(float));
    std::memcpy(head->layer<0>().bias, net->layer<5>().bias, 12 * sizeof(float));
    std::memcpy(head->layer<1>().kernel, net->layer<6>().kernel, 12 * 3 * sizeof(float));
    std::memcpy(head->layer<1>().bias, net->layer<6>().bias, 3 * sizeof(float));
    std::memcpy(head->input(), un->activation(4), 4 * 64 * sizeof(float));
    for (int r = 0; r < 4; ++r) head->labels()[r] = net->labels()[r];
    net->forward(4, true, 0);
    head->forward(4, true, 0);
    CHECK(std::memcmp(net->activation(4), un->activation(4), 4 * 64 * sizeof(float)) == 0);
    const double loss = net->backward(4, 0), head_loss = head->backward(4, 0);
    CHECK(std::memcmp(&loss, &head_loss, sizeof loss) == 0);
    CHECK(std::memcmp(net->grads(), head->grads(), Net::kParamFloats * sizeof(float)) == 0);
    static_assert(Net::kParamFloats == Head::kParamFloats);
    // A training step moved no running statistic.
    CHECK(std::memcmp(net->layer<1>().state, statistics.data(), 8 * sizeof(float)) == 0);
}

namespace {

template <class Net>
long allocations_in_steps() {
    auto net = std::make_unique<Net>(1, 2);
    fill_batch(*net, 1);
    g_allocations = 0;
    g_counting = true;
    for (int s = 0; s < 2; ++s) {  // twice: anything set up lazily on the first step shows on the second
        train_step(*net, models::kCnn4Recipe, Net::kBatch, s);
        net->forward(3, false);  // evaluation, partial batch
        (void)net->loss(3);
    }
    g_counting = false;
    return g_allocations.load();
}

}  // namespace

TEST_CASE("frozen: training and evaluation steps allocate nothing", "[network][frozen][alloc]") {
    g_allocations = 0;
    g_counting = true;
    auto p = std::make_unique<int[]>(16);  // the counter counts
    g_counting = false;
    CHECK(g_allocations.load() == 1);
    CHECK(allocations_in_steps<Network<Backbone, 4>>() == 0);
    CHECK(allocations_in_steps<Network<Normed, 4>>() == 0);
}

TEST_CASE("frozen: checkpoints keep the frozen weights by name, without optimizer state, and resume bit for bit",
          "[network][frozen][io]") {
    using Net = Network<Backbone, 4>;
    const std::string path = "test_frozen_checkpoint.bin";
    auto a = std::make_unique<Net>(3, 2);
    for (int c = 0; c < 4; ++c) a->layer<1>().running_var()[c] = 2.0f + float(c);  // state, saved as usual
    const auto before = tensors_of(*a);
    io::TrainingState state;
    for (std::int64_t t = 0; t < 3; ++t) {
        fill_batch(*a, std::uint64_t(t));
        train_step(*a, models::kCnn4Recipe, 4, t);
    }
    io::save_checkpoint(path, *a, "frozen", io::CheckpointContents::Training, state);
    auto b = std::make_unique<Net>(99, 2);
    io::load_checkpoint(path, *b);
    for (std::int64_t t = 3; t < 6; ++t) {
        fill_batch(*a, std::uint64_t(t));
        fill_batch(*b, std::uint64_t(t));
        train_step(*a, models::kCnn4Recipe, 4, t);
        train_step(*b, models::kCnn4Recipe, 4, t);
    }
    const auto after_a = tensors_of(*a), after_b = tensors_of(*b);
    for (const auto& [name, t] : after_a) {
        INFO(name);
        CHECK(same_bits(t.value, after_b.at(name).value));
        if (t.role != TensorRole::Parameter) CHECK(same_bits(t.value, before.at(name).value));  // frozen and state: as they were
        else CHECK(!same_bits(t.value, before.at(name).value));                              // the head trained
    }
    CHECK(std::memcmp(a->velocity(), b->velocity(), Net::kParamFloats * sizeof(float)) == 0);
    // The file names the frozen weights as the unfrozen network does, with no velocity for them.
    std::vector<std::string> names;
    for_each_tensor(*a, [&](const std::string& name, auto&&...) { names.push_back(name); });
    const TensorCounts counts = tensor_counts(*a);
    CHECK(counts.parameters == 2);
    CHECK(counts.tensors == names.size());
    CHECK(std::find(names.begin(), names.end(), "conv2.kernel") != names.end());
    std::remove(path.c_str());
}
