// tests/layers/test_fast_recipe.cpp — what fast CIFAR recipes of the airbench family need
// beyond plain layers: the symmetric eigensolver, the PatchWhitening stem (its
// convolution against the reference kernel, its filters whitening the patches they were
// computed from), the network that trains nothing below its first trained layer,
// PyTorch-style and partial-identity initialisation, and BatchNorm shifts trained with a
// learning rate and decay of their own — all without allocating in a step.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/kernels/ref/conv2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/patch_whitening.hpp"
#include "statnn/layers/scale.hpp"
#include "statnn/flops.hpp"
#include "statnn/network.hpp"
#include "statnn/optim/momentum_sgd.hpp"
#include "statnn/optim/schedule.hpp"
#include "statnn/symmetric_eigen.hpp"
#include "statnn/train/recipe.hpp"
#include "statnn/train/train_step.hpp"
#include "support/counting_allocator.hpp"
#include "support/gradcheck.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

struct FrozenScale : BatchNormDefaults {
    static constexpr float momentum = 0.4f, eps = 1e-12f;
    static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale;
};

// Whitening with an eps small enough that whitened patches have unit variance to 1e-3.
struct TinyEps {
    static constexpr int patch = 2;
    static constexpr float eps = 1e-9f;
};

template <int W>
using IdConv = Conv2DStrided<W, 3, 1, 1, Linear, NoBias, PartialIdentityInit>;

// A miniature fastcifar: frozen whitening stem, identity-initialised convs, BatchNorm
// with a frozen scale, the scaled linear head.
using MiniFast = Sequential<Input<3, 9, 9>, PatchWhitening<>, GELU, IdConv<16>, MaxPooling2D<2>, BatchNorm<FrozenScale>,
                            GELU, IdConv<16>, BatchNorm<FrozenScale>, GELU, MaxPooling2D<4>, Flatten, Dense<10>,
                            Scale<1, 9>, Softmax>;

// Correlated images: every pixel's channels mix three independent values, and
// neighbouring pixels share part of them (the covariance of a patch is far from I).
// Mean `offset` in the first channel (0: as normalised inputs are).
void correlated_images(float* x, int n, int h, int w, std::uint64_t seed, float offset = 0.0f) {
    Rng rng(seed);
    for (int r = 0; r < n; ++r) {
        float prev[3] = {0, 0, 0};
        for (int p = 0; p < h * w; ++p) {
            float z[3];
            for (float& v : z) v = rng.uniform(-1.0f, 1.0f);
            for (int c = 0; c < 3; ++c) z[c] = 0.6f * z[c] + 0.4f * prev[c], prev[c] = z[c];
            float* px = x + (std::size_t(r) * h * w + std::size_t(p)) * 3;
            px[0] = 2.0f * z[0] + offset;
            px[1] = z[0] + 0.5f * z[1];
            px[2] = 0.2f * z[0] - z[1] + 0.1f * z[2];
        }
    }
}

}  // namespace

TEST_CASE("symmetric_eigen: A v = λ v, orthonormal vectors, values descending", "[linalg]") {
    constexpr int N = 12;
    Rng rng(3);
    std::array<double, N * N> a{};
    for (int i = 0; i < N; ++i)
        for (int j = i; j < N; ++j) a[i * N + j] = a[j * N + i] = rng.uniform(-1.0f, 1.0f) + (i == j ? 3.0 * i : 0.0);
    const SymmetricEigen<N> e = symmetric_eigen<N>(a);
    double worst = 0;
    for (int k = 0; k < N; ++k) {
        if (k > 0) CHECK(e.value[k] <= e.value[k - 1]);
        for (int i = 0; i < N; ++i) {
            double av = 0;
            for (int j = 0; j < N; ++j) av += a[i * N + j] * e.vector[j * N + k];
            worst = std::max(worst, std::fabs(av - e.value[k] * e.vector[i * N + k]));
        }
        for (int l = 0; l < N; ++l) {
            double dot = 0;
            for (int i = 0; i < N; ++i) dot += e.vector[i * N + k] * e.vector[i * N + l];
            CHECK(std::fabs(dot - (k == l ? 1.0 : 0.0)) < 1e-12);
        }
    }
    CHECK(worst < 1e-10);
    CHECK(e.value[0] > 30.0);  // the diagonal's spread: 0 ... 33, plus noise
}

TEST_CASE("PatchWhitening: its convolution is the reference kernel's with its filters", "[layers][whitening]") {
    using L = PatchWhiteningLayer<Shape<3, 7, 6>, 2, PatchWhiteningDefaults>;
    static_assert(L::F == 24 && std::is_same_v<L::Out, Shape<24, 6, 5>>);
    static_assert(L::kKernelSize == 0 && L::kBiasSize == 0 && L::kStateFloats == 12 * 24);
    AlignedFloats state(L::kStateFloats), in(2 * L::In::size), out(2 * L::Out::size), expect(L::Out::size);
    L layer;
    layer.state = state.data();
    Rng rng(5);
    for (std::size_t e = 0; e < L::kStateFloats; ++e) state[e] = rng.uniform(-1.0f, 1.0f);  // any filters
    for (std::size_t e = 0; e < in.size(); ++e) in[e] = rng.uniform(-2.0f, 2.0f);
    ThreadPool pool(2);
    StepContext ctx;
    ctx.pool = &pool;
    layer.forward(in.data(), out.data(), 2, ctx);
    for (int r = 0; r < 2; ++r) {
        kernels::ref::conv2d_forward<7, 6, 3, 2, 24>(in.data() + r * L::In::size, state.data(), static_cast<const float*>(nullptr),
                                                     expect.data(), false);
        for (std::size_t e = 0; e < L::Out::size; ++e) CHECK(out[r * L::Out::size + e] == Approx(expect[e]).margin(1e-5));
    }
}

TEST_CASE("PatchWhitening: filters from data whiten the patches they saw, and without data they are ±identity",
          "[layers][whitening]") {
    using L = PatchWhiteningLayer<Shape<3, 8, 8>, 64, TinyEps>;
    constexpr int D = L::D, n = 64;
    AlignedFloats state(L::kStateFloats), images(n * L::In::size), out(n * L::Out::size);
    L layer;
    layer.state = state.data();
    layer.initialize();
    for (int d = 0; d < D; ++d)  // unit covariance: the filters are ±(a rotation of) I
        for (int f = 0; f < D; ++f) {
            CHECK(std::fabs(std::fabs(state[d * L::F + f]) - (d == f ? 1.0f : 0.0f)) < 1e-6f);
            CHECK(state[d * L::F + D + f] == -state[d * L::F + f]);
        }

    correlated_images(images.data(), n, 8, 8, 11, 0.3f);  // the covariance ignores the mean
    layer.begin_data_init();
    layer.observe(images.data(), 40);
    layer.observe(images.data() + 40 * L::In::size, n - 40);  // in two batches
    REQUIRE(layer.finish_data_init());
    ThreadPool pool(1);
    StepContext ctx;
    ctx.pool = &pool;
    layer.forward(images.data(), out.data(), n, ctx);
    // Covariance of the first D output channels over every output pixel: the identity.
    const std::size_t pixels = std::size_t(n) * L::Out::H * L::Out::W;
    std::vector<double> mean(D, 0.0), cov(D * D, 0.0);
    for (std::size_t p = 0; p < pixels; ++p)
        for (int i = 0; i < D; ++i) mean[i] += out[p * L::F + i] / double(pixels);
    for (std::size_t p = 0; p < pixels; ++p)
        for (int i = 0; i < D; ++i)
            for (int j = 0; j < D; ++j)
                cov[i * D + j] += (out[p * L::F + i] - mean[i]) * (out[p * L::F + j] - mean[j]) / double(pixels - 1);
    double worst = 0;
    for (int i = 0; i < D; ++i)
        for (int j = 0; j < D; ++j) worst = std::max(worst, std::fabs(cov[i * D + j] - (i == j ? 1.0 : 0.0)));
    std::printf("  whitened patches: largest deviation of the covariance from I %.2e\n", worst);
    CHECK(worst < 2e-3);
    for (std::size_t p = 0; p < pixels; p += 97)
        for (int k = 0; k < D; ++k) CHECK(out[p * L::F + D + k] == -out[p * L::F + k]);
    // Fewer than two patches: refused, the filters stay.
    const std::vector<float> kept(state.data(), state.data() + L::kStateFloats);
    layer.begin_data_init();
    CHECK_FALSE(layer.finish_data_init());
    CHECK(std::vector<float>(state.data(), state.data() + L::kStateFloats) == kept);
}

TEST_CASE("a network with a frozen stem: no backward pass below the first trained layer, whose gradients "
          "stay exact, and the stem's filters are state",
          "[network][whitening][gradients]") {
    using Net = Network<MiniFast, 4>;
    static_assert(Net::kFirstTrainedLayer == 2);
    static_assert(Net::kInitFromData && Net::kInitImages == 5000);
    static_assert(Net::LayerAt<0>::kStateFloats == 12 * 24);
    // The stem counts in the forward pass only: no kernel or input gradient for it, and no
    // input gradient for the first trained layer.
    constexpr std::uint64_t stem = std::uint64_t(24 * 8 * 8) * 12, conv1 = std::uint64_t(16 * 8 * 8) * 9 * 24,
                            conv2 = std::uint64_t(16 * 4 * 4) * 9 * 16, dense = 16 * 10;
    static_assert(forward_flops_per_image<Net>() == 2 * (stem + conv1 + conv2 + dense));
    static_assert(training_flops_per_image<Net>() == 2 * ((stem + conv1 + conv2 + dense) + (conv1 + conv2 + dense) + (conv2 + dense)));

    auto net = std::make_unique<Net>(2, 2);
    net->begin_data_init();
    for (int batch = 0; batch < 16; ++batch) {  // 1,024 patches: a well-conditioned estimate
        correlated_images(net->input(), 4, 9, 9, 100 + std::uint64_t(batch));
        net->observe_for_init(4);
    }
    REQUIRE(net->finish_data_init());
    correlated_images(net->input(), 4, 9, 9, 3);
    for (int r = 0; r < 4; ++r) net->labels()[r] = r * 3;
    net->forward(4, true);
    net->backward(4);
    const std::vector<float> grads(net->grads(), net->grads() + Net::kParamFloats);
    auto loss_at = [&] {
        net->forward(4, true);
        return net->loss(4);
    };
    // The first trained convolution's kernel gradient, numerically (skipping samples where
    // a max-pool decision flips inside [w - h, w + h]: the one-sided slopes disagree).
    const double l0 = loss_at();
    int checked = 0, skipped = 0;
    net->visit([&](auto k, auto& layer) {
        if constexpr (decltype(k)::value == 2) {
            const std::size_t at = std::size_t(layer.kernel - net->params());
            for (std::size_t e = 0; e < std::decay_t<decltype(layer)>::kKernelSize; e += 37) {
                float& w = layer.kernel[e];
                const float keep = w, h = 1e-3f;
                w = keep + h;
                const double lp = loss_at();
                w = keep - h;
                const double lm = loss_at();
                w = keep;
                if (std::fabs(lp - 2 * l0 + lm) / h > 2e-3 * (1 + std::fabs(grads[at + e]))) {
                    ++skipped;
                    continue;
                }
                INFO("kernel element " << e);
                CHECK((lp - lm) / (2 * h) == Approx(grads[at + e]).margin(2e-3 * (1 + std::fabs(grads[at + e]))));
                ++checked;
            }
        }
    });
    std::printf("  first trained conv: %d kernel elements checked, %d skipped (kinks)\n", checked, skipped);
    CHECK(checked > 50);
    // A step moves parameters, never the stem's filters.
    const std::vector<float> filters(net->state(), net->state() + 12 * 24);
    constexpr Recipe<optim::MomentumSgd<optim::WeightDecay::L2>, optim::ConstantLr> recipe{
        "mini", "test", {0.85, 1e-3, true}, {0.5}, {0.2}, 1, {}, {}, false, {64.0, 1.0 / 64}};
    const std::vector<float> before(net->params(), net->params() + Net::kParamFloats);
    train_step(*net, recipe, 4, 0);
    CHECK(std::vector<float>(net->params(), net->params() + Net::kParamFloats) != before);
    CHECK(std::vector<float>(net->state(), net->state() + 12 * 24) == filters);
}

TEST_CASE("TorchInit and PartialIdentityInit: PyTorch's bounds, and the first filters pass their channel through",
          "[network][init]") {
    using Arch = Sequential<Input<4, 6, 6>, IdConv<8>, Conv2DStrided<8, 3, 1, 1, Linear, UseBias, TorchInit>, Flatten,
                            Dense<3>, Softmax>;
    using Net = Network<Arch, 2>;
    auto net = std::make_unique<Net>(7, 1);
    Rng rng(8);
    for (std::size_t e = 0; e < 2 * Net::InShape::size; ++e) net->input()[e] = rng.uniform(-1.0f, 1.0f);
    net->forward(2, false);
    const float* in = net->input();
    const float* out = net->activation(0);
    // Through the direct kernels the copy is exact; where the layer runs Winograd (4 input
    // channels are a whole vector on NEON) the identity filter's transform rounds: within
    // a few ulps.
    for (int p = 0; p < 2 * 36; ++p)
        for (int c = 0; c < 4; ++c) CHECK(out[p * 8 + c] == Approx(in[p * 4 + c]).margin(1e-6f).epsilon(0));
    int differ = 0;
    for (int p = 0; p < 2 * 36; ++p) differ += out[p * 8 + 5] != in[p * 4 + 1];
    CHECK(differ > 60);  // the other filters are random
    net->visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        if constexpr (decltype(k)::value <= 1) {
            const float bound = 1.0f / std::sqrt(L::fan_in);
            float largest = 0;
            for (std::size_t e = 0; e < L::kKernelSize; ++e)
                if (decltype(k)::value == 1 || e % 8 >= 4) largest = std::max(largest, std::fabs(layer.kernel[e]));
            CHECK(largest <= bound);
            CHECK(largest > 0.8f * bound);  // not Glorot's wider bound, not zero
            for (std::size_t e = 0; e < L::kBiasSize; ++e) CHECK(std::fabs(layer.bias[e]) <= bound);
            if constexpr (L::kBiasSize > 0) CHECK(layer.bias[0] != 0.0f);
        }
    });
}

TEST_CASE("BatchNorm shifts at their own learning rate and decay: segments cover the parameters, the step "
          "matches the formula per tensor",
          "[optim][segments]") {
    using Arch = Sequential<Input<3, 8, 8>, Conv2DStrided<8, 3, 1, 1, Linear, NoBias>, BatchNorm<FrozenScale>, GELU,
                            Conv2DStrided<8, 3, 1, 1, Linear, NoBias>, BatchNorm<>, GELU, Flatten, Dense<3>, Softmax>;
    using Net = Network<Arch, 2>;
    // kernel | γ | β* | kernel | γ β* | dense kernel, bias: five runs.
    static_assert(Net::kParamSegments.count == 5);
    std::size_t next = 0;
    std::vector<bool> is_shift(Net::kParamFloats, false);
    for (int s = 0; s < Net::kParamSegments.count; ++s) {
        const auto& seg = Net::kParamSegments.segment[std::size_t(s)];
        CHECK(seg.begin == next);
        next = seg.begin + seg.count;
        for (std::size_t e = seg.begin; e < next; ++e) is_shift[e] = seg.norm_shift;
    }
    CHECK(next == Net::kParamFloats);
    auto net = std::make_unique<Net>(1, 2);
    net->visit([&](auto, auto& layer) {  // every β and nothing else is a shift
        using L = std::decay_t<decltype(layer)>;
        for (std::size_t e = 0; e < L::kKernelSize; ++e) CHECK_FALSE(is_shift[std::size_t(layer.kernel + e - net->params())]);
        for (std::size_t e = 0; e < L::kBiasSize; ++e)
            CHECK(is_shift[std::size_t(layer.bias + e - net->params())] == L::kBiasIsNormShift);
    });

    Rng rng(4);
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) net->params()[e] = rng.uniform(-1.0f, 1.0f);
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) net->grads()[e] = rng.uniform(-1.0f, 1.0f);
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) net->velocity()[e] = rng.uniform(-0.1f, 0.1f);
    const std::vector<float> w0(net->params(), net->params() + Net::kParamFloats);
    const std::vector<float> g(net->grads(), net->grads() + Net::kParamFloats);
    const std::vector<float> b0(net->velocity(), net->velocity() + Net::kParamFloats);
    const optim::MomentumSgd<optim::WeightDecay::L2> sgd{0.85, 0.01, true};
    const double lr = 0.05;
    optimizer_step(*net, sgd, lr, 0, optim::GroupScaling{64.0, 1.0 / 64});
    int shifts = 0;
    for (std::size_t e = 0; e < Net::kParamFloats; ++e) {
        const double l = is_shift[e] ? lr * 64 : lr, wd = is_shift[e] ? 0.01 / 64 : 0.01;
        const double gp = double(g[e]) + wd * w0[e];
        const double b = 0.85 * b0[e] + gp;
        const double expect = w0[e] - l * (gp + 0.85 * b);
        INFO("element " << e << (is_shift[e] ? " (shift)" : ""));
        CHECK(net->params()[e] == Approx(expect).margin(1e-5));
        shifts += is_shift[e];
    }
    CHECK(shifts == 2 * 16);  // two β of 8, each padded to 16 floats
}

TEST_CASE("a fastcifar-like step with a whitening stem and scaled shifts allocates nothing", "[alloc][whitening]") {
    using Net = Network<MiniFast, 8>;
    auto net = std::make_unique<Net>(1, 2);
    correlated_images(net->input(), 8, 9, 9, 5);
    for (int r = 0; r < 8; ++r) net->labels()[r] = r;
    constexpr Recipe<optim::MomentumSgd<optim::WeightDecay::L2>, optim::WarmupLinearDecay> recipe{
        "mini", "test", {0.85, 1e-3, true}, {1.0, 2, 10, 0.2, 0.07}, {0.2}, 1, {}, {}, false, {64.0, 1.0 / 64}};
    g_allocations = 0;
    g_counting = true;
    net->begin_data_init();
    net->observe_for_init(8);
    const bool set = net->finish_data_init();
    for (int s = 0; s < 2; ++s) {
        train_step(*net, recipe, 8, s);
        net->forward(5, false);
    }
    g_counting = false;
    CHECK(set);
    CHECK(g_allocations.load() == 0);
}
