// tests/layers/test_batchnorm_layer.cpp — the BatchNorm layer struct: gradients against
// finite differences in both modes and every affine option, and the train/eval
// semantics a network will rely on (running statistics, frozen scale, no affine).
#include <array>
#include <cstdio>
#include <vector>

#include "catch.hpp"
#include "statnn/kernels/ref/batchnorm.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;

namespace {

struct Frozen : BatchNormDefaults {
    static constexpr float momentum = 0.6f, eps = 1e-12f;
    static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale;
};
struct Plain : BatchNormDefaults {
    static constexpr float eps = 1e-3f;
    static constexpr BatchNormAffine affine = BatchNormAffine::None;
};

// The layer in a fixed mode, with its running statistics in the struct: the interface
// LayerHarness drives. A frozen scale is hidden from the harness (it would check γ's
// gradient, which is zero by design): γ is then 1, and its use is tested separately.
template <class In, int N, class Config, Mode M>
struct BatchNormInMode : BatchNormLayer<In, N, Config> {
    using Base = BatchNormLayer<In, N, Config>;
    static constexpr std::size_t kKernelSize = Base::kTrainsScale ? Base::kKernelSize : 0;
    std::array<float, 2 * In::C> stats{};  // running mean, then running variance
    BatchNormInMode() {
        this->state = stats.data();
        for (int c = 0; c < In::C; ++c) stats[c] = 0.1f * float(c % 3) - 0.1f, stats[In::C + c] = 0.5f + 0.25f * float(c % 4);
    }
    void forward(const float* in, float* out, int n, const StepContext& ctx) { Base::forward(in, out, n, ctx, M); }
    template <bool NeedInputGrad>
    void backward(const float* in, const float* out, float* dout, float* din, int n, const StepContext& ctx) {
        Base::template backward<NeedInputGrad>(in, out, dout, din, n, ctx, M);
    }
};

template <class In, class Config, Mode M, int N = 3>
void check_gradients(const char* what) {
    using L = BatchNormInMode<In, N, Config, M>;
    LayerHarness<L> h(N, 2, 42);
    // Smooth but curved (normalising by the batch's spread): a step of 1e-3 keeps the
    // one-sided slopes within the harness's kink test.
    const GradCheckResult r = h.run(60, 1e-3f);
    std::printf("  %-52s checked %3d, skipped %2d, worst error %.2e\n", what, r.checked, r.skipped, r.worst);
    CHECK(r.skipped <= r.checked / 20);
    CHECK(r.checked >= 45);
}

struct Arrays {
    explicit Arrays(std::size_t in, std::size_t c, std::size_t saved, std::size_t scratch)
        : x(in), y(in), dy(in), dx(in), gamma(c), beta(c), dgamma(c), dbeta(c), stats(2 * c), saved_(saved / 4 + 1),
          scratch_(scratch / 4 + 1), mean(stats.data()), var(stats.data() + c) {}
    AlignedFloats x, y, dy, dx, gamma, beta, dgamma, dbeta, stats, saved_, scratch_;
    float *mean, *var;  // the layer's state: running mean, then running variance
    template <class L>
    void bind(L& l) {
        l.kernel = L::kKernelSize ? gamma.data() : nullptr;
        l.bias = L::kBiasSize ? beta.data() : nullptr;
        l.dkernel = L::kKernelSize ? dgamma.data() : nullptr;
        l.dbias = L::kBiasSize ? dbeta.data() : nullptr;
        l.state = stats.data();
        l.saved = reinterpret_cast<std::byte*>(saved_.data());
        l.scratch = reinterpret_cast<std::byte*>(scratch_.data());
    }
};

}  // namespace

TEST_CASE("BatchNorm layer gradients in training and evaluation, every affine option", "[layers][batchnorm]") {
    check_gradients<Shape<5, 3, 4>, BatchNormDefaults, Mode::Train>("BatchNorm (scale and shift) training on 5x3x4");
    check_gradients<Shape<5, 3, 4>, BatchNormDefaults, Mode::Eval>("BatchNorm (scale and shift) evaluation on 5x3x4");
    check_gradients<Shape<24, 2, 3>, Frozen, Mode::Train>("BatchNorm (frozen scale) training on 24x2x3");
    check_gradients<Shape<3, 4, 4>, Plain, Mode::Train>("BatchNorm (no affine) training on 3x4x4");
    check_gradients<Shape<3, 4, 4>, Plain, Mode::Eval>("BatchNorm (no affine) evaluation on 3x4x4");
    check_gradients<Shape<17, 2, 2>, BatchNormDefaults, Mode::Train, 1>("BatchNorm training, batch of 1, 17x2x2");
}

TEST_CASE("BatchNorm layer: training moves the running statistics, evaluation reads them", "[layers][batchnorm]") {
    using In = Shape<6, 4, 5>;
    constexpr int N = 4, C = 6;
    using L = BatchNormLayer<In, N, BatchNormDefaults>;
    static_assert(L::kKernelSize == C && L::kBiasSize == C && L::kStateFloats == 2 * C && !L::kInPlace);
    Arrays a(N * In::size, C, L::kSavedBytes, L::kScratchBytes);
    L layer{};
    a.bind(layer);
    layer.initialize();
    for (int c = 0; c < C; ++c) CHECK((a.gamma[c] == 1.0f && a.beta[c] == 0.0f && a.mean[c] == 0.0f && a.var[c] == 1.0f));
    fill_uniform(a.x, 1, -1.0f, 3.0f);
    fill_uniform(a.gamma, 2, 0.5f, 2.0f);
    fill_uniform(a.beta, 3);
    ThreadPool pool(2);
    StepContext ctx;
    ctx.pool = &pool;

    // Training on 3 of the 4 images: statistics of those 3 only.
    const std::size_t rows = 3 * In::H * In::W;
    std::vector<float> y_ref(rows * C), mean_ref(C), invstd_ref(C), rm_ref(C, 0.0f), rv_ref(C, 1.0f);
    kernels::ref::batchnorm_train_forward<C>(a.x.data(), rows, a.gamma.data(), a.beta.data(), 1e-5, 0.1, y_ref.data(),
                                             mean_ref.data(), invstd_ref.data(), rm_ref.data(), rv_ref.data());
    layer.forward(a.x.data(), a.y.data(), 3, ctx, Mode::Train);
    require_close_to(a.y.data(), y_ref.data(), rows * C, 2e-6);
    require_close_to(a.mean, rm_ref.data(), C, 1e-6);
    require_close_to(a.var, rv_ref.data(), C, 1e-6);

    // Evaluation: the running statistics, which stay as they are.
    const std::vector<float> rm(a.mean, a.mean + C), rv(a.var, a.var + C);
    kernels::ref::batchnorm_eval_forward<C>(a.x.data(), rows, a.gamma.data(), a.beta.data(), 1e-5, rm.data(), rv.data(),
                                            y_ref.data());
    layer.forward(a.x.data(), a.y.data(), 3, ctx, Mode::Eval);
    require_close_to(a.y.data(), y_ref.data(), rows * C, 2e-6);
    require_same_floats(a.mean, rm.data(), C);
    require_same_floats(a.var, rv.data(), C);

    // A second training step moves them again, by momentum 0.1 towards this batch.
    for (std::size_t e = 0; e < a.x.size(); ++e) a.x[e] = 2.0f * a.x[e] + 1.0f;
    layer.forward(a.x.data(), a.y.data(), 3, ctx, Mode::Train);
    std::vector<float> m2(C), inv2(C), rm2 = rm, rv2 = rv;
    kernels::ref::batchnorm_train_forward<C>(a.x.data(), rows, a.gamma.data(), a.beta.data(), 1e-5, 0.1, y_ref.data(),
                                             m2.data(), inv2.data(), rm2.data(), rv2.data());
    require_close_to(a.mean, rm2.data(), C, 1e-6);
    require_close_to(a.var, rv2.data(), C, 1e-6);
}

TEST_CASE("BatchNorm layer: a frozen scale is used but gets no gradient, and no affine has no parameters",
          "[layers][batchnorm]") {
    using In = Shape<24, 3, 3>;
    constexpr int N = 2, C = 24;
    using F = BatchNormLayer<In, N, Frozen>;
    using P = BatchNormLayer<In, N, Plain>;
    static_assert(F::kKernelSize == C && F::kBiasSize == C && !F::kTrainsScale);
    static_assert(P::kKernelSize == 0 && P::kBiasSize == 0 && P::kKernelRank == 0);
    ThreadPool pool(1);
    StepContext ctx;
    ctx.pool = &pool;

    Arrays a(N * In::size, C, F::kSavedBytes, F::kScratchBytes);
    F frozen{};
    a.bind(frozen);
    frozen.initialize();
    fill_uniform(a.x, 4);
    fill_uniform(a.dy, 5);
    for (int c = 0; c < C; ++c) a.gamma[c] = 2.0f, a.dgamma[c] = 123.0f;
    frozen.forward(a.x.data(), a.y.data(), N, ctx, Mode::Train);
    frozen.backward<true>(a.x.data(), a.y.data(), a.dy.data(), a.dx.data(), N, ctx, Mode::Train);
    for (int c = 0; c < C; ++c) CHECK(a.dgamma[c] == 0.0f);
    double sum_sq = 0;  // γ = 2 doubles the normalised output: Σ y² ≈ 4 · rows per channel
    for (std::size_t e = 0; e < a.y.size(); ++e) sum_sq += double(a.y[e]) * a.y[e];
    CHECK(sum_sq == Approx(4.0 * double(a.y.size())).epsilon(1e-4));
    for (int c = 0; c < C; ++c) {
        double s = 0;
        for (int r = 0; r < N * 9; ++r) s += a.dy[r * C + c];
        CHECK(a.dbeta[c] == Approx(s).margin(1e-5));
    }

    Arrays b(N * In::size, C, P::kSavedBytes, P::kScratchBytes);
    P plain{};
    b.bind(plain);
    plain.initialize();
    fill_uniform(b.x, 6, 2.0f, 3.0f);
    plain.forward(b.x.data(), b.y.data(), N, ctx, Mode::Train);
    double mean = 0;
    for (std::size_t e = 0; e < b.y.size(); ++e) mean += b.y[e];
    CHECK(mean / double(b.y.size()) == Approx(0.0).margin(1e-6));
}
