// tests/layers/test_layers_in_network.cpp — the newer layers inside a Network: a
// whole-network gradient check through the loss, no heap allocation in training and
// evaluation steps (this executable replaces the global allocation functions with
// counting ones, as tests/alloc does), and what BatchNorm needs of the network: the
// step's mode, its state region, its own initial values.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support/counting_allocator.hpp"
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "statnn/layers/scale.hpp"
#include "statnn/network.hpp"
#include "support/gradcheck.hpp"

using statnn::test::g_allocations;
using statnn::test::g_counting;

using namespace statnn;
using namespace statnn::test;

namespace {

// Every new layer, small enough to check every parameter numerically: a 2x2 patch conv
// with GELU, a 'same' conv with the tanh GELU, average pooling, a bias-free 1x1 conv,
// BatchNorm (batch statistics: a training step), ReLU, a strided 3x3 conv, global
// average pooling, dense GELU, a constant scale of the logits (airbench's 1/9).
using Tiny = Sequential<Input<3, 8, 8>, Conv2DStrided<8, 2, 2, 0, GELU>, Conv2D<8, 3, Same, GELUTanh>, AveragePooling2D<2>,
                        Conv2DStrided<12, 1, 1, 0, Linear, NoBias>, BatchNorm<>, ReLU, Conv2DStrided<16, 3, 2, 1>, GELU,
                        GlobalAveragePooling2D, Dense<10, GELU>, Dense<3>, Scale<1, 9>, Softmax>;

// Residual blocks: one holding a nested block, an in-place layer before it (the block's
// input is then the convolution's buffer) and after its Add; a one-layer block after
// pooling. Smooth throughout (GELU, average pooling, constant scales in place of ReLU),
// so central differences are exact to float noise and the check can be tight.
using Blocks = Sequential<Input<3, 6, 6>, Conv2D<8, 3, Same>, Scale<1, 2>,
                          Residual<Conv2DStrided<8, 3, 1, 1, Linear, NoBias>, BatchNorm<>, GELU,
                                   Residual<Conv2DStrided<8, 1, 1, 0>, GELU>, Conv2DStrided<8, 3, 1, 1, Linear, NoBias>,
                                   BatchNorm<>>,
                          Scale<3, 4>, AveragePooling2D<2>, Residual<Conv2D<8, 3, Same, GELU>>, GlobalAveragePooling2D,
                          Dense<3>, Softmax>;

// airbench's BatchNorm: scale frozen at 1, faster running statistics, tiny eps.
struct FrozenScale : BatchNormDefaults {
    static constexpr float momentum = 0.6f, eps = 1e-12f;
    static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale;
};

// An airbench-like stem and block at batch 8, for the allocation count.
using Stem = Sequential<Input<3, 32, 32>, Conv2DStrided<24, 2, 2, 0, GELU>, Conv2D<64, 3, Same>, AveragePooling2D<2>,
                        BatchNorm<FrozenScale>, GELU, Conv2DStrided<64, 3, 2, 1, Linear, NoBias>, BatchNorm<>, GELU,
                        GlobalAveragePooling2D, Dense<10>, Softmax>;

}  // namespace

TEST_CASE("the counting allocator sees allocations (the test can fail)", "[alloc]") {
    g_allocations = 0;
    g_counting = true;
    auto p = std::make_unique<int[]>(16);
    g_counting = false;
    CHECK(g_allocations.load() == 1);
}

TEST_CASE("Scale multiplies by Num / Den, forward and backward, in place", "[layers][scale]") {
    using L = ScaleLayer<Shape<5, 1, 1>, 2, 1, 9>;
    static_assert(L::kInPlace && L::kKernelSize == 0);
    L layer;
    float x[10] = {9, -18, 4.5f, 0, 1, 2, 3, 4, 5, 6}, d[10] = {9, 9, 9, 9, 9, -9, 0, 1, 2, 3};
    StepContext ctx;
    layer.forward(x, x, 2, ctx);
    for (int i = 0; i < 10; ++i) CHECK(x[i] == float(std::vector<float>{9, -18, 4.5f, 0, 1, 2, 3, 4, 5, 6}[std::size_t(i)]) * (1.0f / 9.0f));
    layer.backward<true>(nullptr, nullptr, d, d, 2, ctx);
    const float s = 1.0f / 9.0f;
    CHECK(d[0] == 9.0f * s);
    CHECK(d[5] == -9.0f * s);
    CHECK(d[9] == 3.0f * s);
    CHECK(d[9] != 3.0f);
}

// Every parameter of a small network against central differences of the loss with step
// h: |numeric - analytic| / (floor + |analytic|) < tolerance. Samples where a ReLU or
// max-pool decision flips inside [w-h, w+h] are skipped and counted.
struct GradientTolerance {
    float h;
    double floor, tolerance;
};
template <class Net>
void check_network_gradients(Net& net, int n, std::uint64_t seed, int min_checked, GradientTolerance tol) {
    Rng rng(seed);
    for (std::size_t e = 0; e < std::size_t(n) * Net::InShape::size; ++e) net.input()[e] = rng.uniform(-1.0f, 1.0f);
    for (int r = 0; r < n; ++r) net.labels()[r] = r % Net::kClasses;
    // Biases away from zero, so their paths carry gradient (the network starts them at 0).
    net.visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        for (std::size_t e = 0; e < L::kBiasSize; ++e) layer.bias[e] = rng.uniform(-0.2f, 0.2f);
    });
    net.forward(n, true);
    net.backward(n);
    const std::vector<float> grads(net.grads(), net.grads() + Net::kParamFloats);
    auto loss_at = [&] {
        net.forward(n, true);
        return net.loss(n);
    };
    const double l0 = loss_at();
    int checked = 0, skipped = 0;
    double worst = 0;
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) {
        float& w = net.params()[e];
        const float keep = w, h = tol.h;
        if (keep == 0.0f && grads[e] == 0.0f) continue;  // alignment padding
        w = keep + h;
        const double lp = loss_at();
        w = keep - h;
        const double lm = loss_at();
        w = keep;
        const double scale = tol.floor + std::fabs(grads[e]);
        if (std::fabs(lp - 2 * l0 + lm) / h > 2e-3 * (1.0 + std::fabs(grads[e]))) {  // a ReLU kink inside [w-h, w+h]
            ++skipped;
            continue;
        }
        const double numeric = (lp - lm) / (2 * h);
        const double err = std::fabs(numeric - grads[e]) / scale;
        worst = std::max(worst, err);
        ++checked;
        INFO("parameter " << e << ": numeric " << numeric << ", analytic " << grads[e]);
        CHECK(err < tol.tolerance);
    }
    std::printf("  whole network: %d parameters checked, %d skipped (kinks), worst error %.2e\n", checked, skipped, worst);
    CHECK(checked > min_checked);
}

TEST_CASE("whole-network gradients through the new layers and the loss", "[network][gradients]") {
    using Net = Network<Tiny, 3>;
    static_assert(std::is_same_v<Net::LayerAt<8>::Out, Shape<16, 1, 1>>);
    static_assert(Net::kStateFloats == 32);  // running mean and variance of 12 channels: 24 floats, padded to 64 bytes
    auto net = std::make_unique<Net>(9, 2);
    check_network_gradients(*net, 3, 10, 1000, {1e-3f, 1.0, 2e-3});
}

TEST_CASE("whole-network gradients through residual blocks, nested and after one another", "[network][gradients][residual]") {
    using Net = Network<Blocks, 3>;
    auto net = std::make_unique<Net>(4, 2);
    // Without the skip's gradient the layers before a block would get only the branch's
    // part: conv1 and conv2 are checked through both paths. Relative to the gradient
    // (floor 0.01), as the net is smooth.
    check_network_gradients(*net, 3, 5, 1500, {4e-3f, 1e-2, 1e-2});
}

TEST_CASE("a residual block's Add is its branch's output plus the block's input, bit for bit", "[network][residual]") {
    using Net = Network<Blocks, 3>;
    static_assert(Net::kLayers == 18);
    static_assert(Net::LayerAt<7>::kSkipSpan == 2 && Net::LayerAt<10>::kSkipSpan == 8 && Net::LayerAt<14>::kSkipSpan == 1);
    static_assert(std::is_same_v<Net::LayerAt<10>::Out, Shape<8, 6, 6>> && std::is_same_v<Net::LayerAt<14>::Out, Shape<8, 3, 3>>);
    auto net = std::make_unique<Net>(4, 1);
    CHECK(std::string(net->layer_name(7)) == "add1");
    CHECK(std::string(net->layer_name(14)) == "add3");
    Rng rng(6);
    for (std::size_t e = 0; e < 3 * Net::InShape::size; ++e) net->input()[e] = rng.uniform(-1.0f, 1.0f);
    net->forward(3, true);
    // add1 (followed by a convolution, so its output is still there): input of layer 7
    // plus the input of layer 5; add3: input of 14 plus the input of 13.
    auto check_add = [&](int k, int span, std::size_t size) {
        const float *sum = net->activation(k), *branch = net->activation_input(k), *skip = net->activation_input(k - span);
        int wrong = 0;
        for (std::size_t e = 0; e < 3 * size; ++e) wrong += sum[e] != branch[e] + skip[e];
        CHECK(wrong == 0);
    };
    check_add(7, 2, Shape<8, 6, 6>::size);
    check_add(14, 1, Shape<8, 3, 3>::size);
}

template <class Net>
void count_step_allocations() {
    auto net = std::make_unique<Net>(1, 2);
    Rng rng(1);
    for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net->input()[e] = rng.uniform01();
    for (int r = 0; r < Net::kBatch; ++r) net->labels()[r] = r % Net::kClasses;
    g_allocations = 0;
    g_counting = true;
    for (int s = 0; s < 2; ++s) {  // twice: anything set up lazily on the first step shows on the second
        net->forward(Net::kBatch, true, std::uint64_t(s));
        net->backward(Net::kBatch, std::uint64_t(s));
        net->forward(5, false);  // evaluation, partial batch
        (void)net->loss(5);
    }
    g_counting = false;
    CHECK(g_allocations.load() == 0);
}

TEST_CASE("the new layers allocate nothing in training and evaluation steps", "[alloc][layers]") {
    count_step_allocations<Network<Stem, 8>>();
    count_step_allocations<Network<Blocks, 8>>();
}

namespace {

// The running statistics of every BatchNorm of a network, in layer order.
template <class Net>
std::vector<float> running_statistics(Net& net) {
    std::vector<float> all;
    net.visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (L::kStateFloats > 0) all.insert(all.end(), layer.state, layer.state + L::kStateFloats);
    });
    return all;
}

template <class Net>
void fill_batch(Net& net, std::uint64_t seed) {
    Rng rng(seed);
    for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net.input()[e] = rng.uniform(-1.0f, 2.0f);
    for (int r = 0; r < Net::kBatch; ++r) net.labels()[r] = r % 10;
}

}  // namespace

TEST_CASE("BatchNorm in a network: its own initial values, its state apart from the parameters",
          "[network][batchnorm]") {
    using Net = Network<Stem, 8>;
    static_assert(Net::LayerAt<3>::kStateFloats == 2 * 64 && Net::LayerAt<6>::kStateFloats == 2 * 64);
    static_assert(Net::kStateFloats == 4 * 64);
    static_assert(Net::kPlan.state_at == Net::kPlan.optimizer_at + Net::kPlan.params_bytes);
    auto net = std::make_unique<Net>(3, 2);
    CHECK(std::string(net->layer_name(3)) == "bn1");
    CHECK(std::string(net->layer_name(6)) == "bn2");
    int norms = 0;
    net->visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (L::kStateFloats > 0) {
            ++norms;
            for (int c = 0; c < L::C; ++c) {
                CHECK(layer.kernel[c] == 1.0f);  // γ, not Glorot
                CHECK(layer.bias[c] == 0.0f);
                CHECK(layer.running_mean()[c] == 0.0f);
                CHECK(layer.running_var()[c] == 1.0f);
            }
            // The state lies in the network's state region, outside params, grads and velocity.
            CHECK(layer.state >= net->state());
            CHECK(layer.state + L::kStateFloats <= net->state() + Net::kStateFloats);
        }
    });
    CHECK(norms == 2);
    // Parameters that are not BatchNorm's are still Glorot: the first conv's kernel is not constant.
    net->visit([&](auto k, auto& layer) {
        if constexpr (decltype(k)::value == 0) CHECK(layer.kernel[0] != layer.kernel[1]);
    });
}

TEST_CASE("BatchNorm in a network follows the step's mode: training moves the running statistics, "
          "evaluation uses them and moves nothing",
          "[network][batchnorm]") {
    using Net = Network<Stem, 8>;
    auto net = std::make_unique<Net>(4, 2);
    fill_batch(*net, 5);
    const std::vector<float> initial = running_statistics(*net);

    // Evaluation with the initial statistics (mean 0, variance 1) changes no state.
    net->forward(8, false);
    const std::vector<float> eval_before(net->probabilities(), net->probabilities() + 8 * 10);
    CHECK(running_statistics(*net) == initial);

    // A training step (dropout switched off, as reference runs do: the mode stays Train).
    net->set_dropout_enabled(false);
    net->forward(8, true, 0);
    const std::vector<float> after_train = running_statistics(*net);
    CHECK(after_train != initial);
    const std::vector<float> train_probs(net->probabilities(), net->probabilities() + 8 * 10);

    // Evaluating again uses the moved statistics: other outputs than before, and no update.
    net->forward(8, false);
    const std::vector<float> eval_after(net->probabilities(), net->probabilities() + 8 * 10);
    CHECK(eval_after != eval_before);
    CHECK(eval_after != train_probs);
    CHECK(running_statistics(*net) == after_train);

    // Training mode normalises with the batch's own statistics: the output does not depend
    // on the running ones (only they move again).
    net->forward(8, true, 1);
    const std::vector<float> train_again(net->probabilities(), net->probabilities() + 8 * 10);
    CHECK(train_again == train_probs);
    CHECK(running_statistics(*net) != after_train);
}

TEST_CASE("BatchNorm in a network: a frozen scale stays at 1 through backward passes", "[network][batchnorm]") {
    using Net = Network<Stem, 8>;
    auto net = std::make_unique<Net>(6, 1);
    fill_batch(*net, 7);
    net->forward(8, true, 0);
    net->backward(8, 0);
    net->visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (decltype(k)::value == 3) {  // BatchNorm<FrozenScale>
            static_assert(L::kAffine == BatchNormAffine::FrozenScale);
            double dgamma = 0, dbeta = 0;
            for (int c = 0; c < L::C; ++c) dgamma += std::fabs(layer.dkernel[c]), dbeta += std::fabs(layer.dbias[c]);
            CHECK(dgamma == 0.0);
            CHECK(dbeta > 0.0);
        }
    });
}
