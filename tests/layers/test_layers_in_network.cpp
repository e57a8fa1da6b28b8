// tests/layers/test_layers_in_network.cpp — the newer layers inside today's Network: a
// whole-network gradient check through the loss, and no heap allocation in training and
// evaluation steps (this executable replaces the global allocation functions with
// counting ones, as tests/alloc does). BatchNorm, which needs the network's train/eval
// mode and state, is checked for allocations on its own.
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "catch.hpp"
#include "support/counting_allocator.hpp"
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "statnn/network.hpp"
#include "support/gradcheck.hpp"

using statnn::test::g_allocations;
using statnn::test::g_counting;

using namespace statnn;
using namespace statnn::test;

namespace {

// Every new layer but BatchNorm, small enough to check every parameter numerically:
// a 2x2 patch conv with GELU, a 'same' conv with the tanh GELU, average pooling, a
// bias-free 1x1 conv with ReLU, a strided 3x3 conv, global average pooling, dense GELU.
using Tiny = Sequential<Input<3, 8, 8>, Conv2DStrided<8, 2, 2, 0, GELU>, Conv2D<8, 3, Same, GELUTanh>, AveragePooling2D<2>,
                        Conv2DStrided<12, 1, 1, 0, ReLU, NoBias>, Conv2DStrided<16, 3, 2, 1>, GELU, GlobalAveragePooling2D,
                        Dense<10, GELU>, Dense<3>, Softmax>;

// An airbench-like stem and block at batch 8, for the allocation count.
using Stem = Sequential<Input<3, 32, 32>, Conv2DStrided<24, 2, 2, 0, GELU>, Conv2D<64, 3, Same, GELU>, AveragePooling2D<2>,
                        Conv2DStrided<64, 3, 2, 1, GELU, NoBias>, GlobalAveragePooling2D, Dense<10>, Softmax>;

}  // namespace

TEST_CASE("the counting allocator sees allocations (the test can fail)", "[alloc]") {
    g_allocations = 0;
    g_counting = true;
    auto p = std::make_unique<int[]>(16);
    g_counting = false;
    CHECK(g_allocations.load() == 1);
}

TEST_CASE("whole-network gradients through the new layers and the loss", "[network][gradients]") {
    using Net = Network<Tiny, 3>;
    static_assert(std::is_same_v<Net::LayerAt<5>::Out, Shape<16, 1, 1>>);
    auto net = std::make_unique<Net>(9, 2);
    Rng rng(10);
    for (std::size_t e = 0; e < 3 * Net::InShape::size; ++e) net->input()[e] = rng.uniform(-1.0f, 1.0f);
    for (int r = 0; r < 3; ++r) net->labels()[r] = r;
    // Biases away from zero, so their paths carry gradient (the network starts them at 0).
    net->visit([&](auto, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        for (std::size_t e = 0; e < L::kBiasSize; ++e) layer.bias[e] = rng.uniform(-0.2f, 0.2f);
    });
    net->forward(3, true);
    net->backward(3);
    const std::vector<float> grads(net->grads(), net->grads() + Net::kParamFloats);
    auto loss_at = [&] {
        net->forward(3, true);
        return net->loss(3);
    };
    const double l0 = loss_at();
    int checked = 0, skipped = 0;
    double worst = 0;
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) {
        float& w = net->params()[e];
        const float keep = w, h = 1e-3f;
        if (keep == 0.0f && grads[e] == 0.0f) continue;  // alignment padding
        w = keep + h;
        const double lp = loss_at();
        w = keep - h;
        const double lm = loss_at();
        w = keep;
        const double scale = 1.0 + std::fabs(grads[e]);
        if (std::fabs(lp - 2 * l0 + lm) / h > 2e-3 * scale) {  // a ReLU kink inside [w-h, w+h]
            ++skipped;
            continue;
        }
        const double numeric = (lp - lm) / (2 * h);
        const double err = std::fabs(numeric - grads[e]) / scale;
        worst = std::max(worst, err);
        ++checked;
        INFO("parameter " << e << ": numeric " << numeric << ", analytic " << grads[e]);
        CHECK(err < 2e-3);
    }
    std::printf("  whole network: %d parameters checked, %d skipped (kinks), worst error %.2e\n", checked, skipped, worst);
    CHECK(checked > 1000);
}

TEST_CASE("the new layers allocate nothing in training and evaluation steps", "[alloc][layers]") {
    using Net = Network<Stem, 8>;
    auto net = std::make_unique<Net>(1, 2);
    Rng rng(1);
    for (std::size_t e = 0; e < Net::kBatch * Net::InShape::size; ++e) net->input()[e] = rng.uniform01();
    for (int r = 0; r < Net::kBatch; ++r) net->labels()[r] = r % 10;
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

TEST_CASE("BatchNorm allocates nothing in training and evaluation steps", "[alloc][batchnorm]") {
    using In = Shape<64, 16, 16>;
    constexpr int N = 8;
    using L = BatchNormLayer<In, N, BatchNormDefaults>;
    AlignedFloats x(N * In::size), y(x.size()), dy(x.size()), dx(x.size()), gamma(64), beta(64), dgamma(64), dbeta(64),
        rm(64), rv(64), saved(L::kSavedBytes / 4), scratch(L::kScratchBytes / 4);
    L bn{};
    bn.kernel = gamma.data(), bn.bias = beta.data(), bn.dkernel = dgamma.data(), bn.dbias = dbeta.data();
    bn.running_mean = rm.data(), bn.running_var = rv.data();
    bn.saved = reinterpret_cast<std::byte*>(saved.data());
    bn.scratch = reinterpret_cast<std::byte*>(scratch.data());
    bn.reset();
    ThreadPool pool(2);
    StepContext ctx;
    ctx.pool = &pool;
    g_allocations = 0;
    g_counting = true;
    for (int s = 0; s < 2; ++s) {
        bn.forward(x.data(), y.data(), N, ctx, Mode::Train);
        bn.backward<true>(x.data(), y.data(), dy.data(), dx.data(), N, ctx, Mode::Train);
        bn.forward(x.data(), y.data(), 5, ctx, Mode::Eval);
    }
    g_counting = false;
    CHECK(g_allocations.load() == 0);
}
