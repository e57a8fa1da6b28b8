// tests/kernels/test_conv2d_strided_kernels.cpp — convolution with stride and explicit
// padding: the reference against a channels-first xtensor formulation (gradients in
// scatter form), and the kernels layers call (kernels/conv2d_strided.hpp: xsimd for
// strides above 1, the seed's kernels for stride 1) against the reference, on the
// shapes of an airbench-like net and on channel counts around the vector width.
#include <cmath>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xpad.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "catch.hpp"
#include "statnn/kernels/conv2d_strided.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;
namespace ref = statnn::kernels::ref;

namespace {

// Channels-last (H, W, C) -> xtensor (C, H, W)
xt::xtensor<double, 3> to_chw(const std::vector<double>& hwc, int C, int H, int W) {
    auto a = xt::adapt(hwc, std::vector<std::size_t>{std::size_t(H), std::size_t(W), std::size_t(C)});
    return xt::transpose(a, {2, 0, 1});
}

template <int H, int W, int I, int K, int O, int S, int P>
void check_reference() {
    INFO("conv " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", stride " << S << ", pad " << P);
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    const auto in = random_doubles(std::size_t(H) * W * I, 1), w = random_doubles(std::size_t(K) * K * I * O, 2),
               b = random_doubles(O, 3), dout = random_doubles(std::size_t(Ho) * Wo * O, 4);
    auto wk = xt::adapt(w, std::vector<std::size_t>{std::size_t(K), std::size_t(K), std::size_t(I), std::size_t(O)});

    std::vector<double> in_pad(std::size_t(Hp) * Wp * I), out(std::size_t(Ho) * Wo * O), wt(w.size()), din_pad(in_pad.size());
    std::vector<double> dw(w.size(), 0.0), db(O, 0.0);
    ref::pad_image<H, W, I, P>(in.data(), in_pad.data());
    ref::conv2d_strided_forward<Hp, Wp, I, K, O, S>(in_pad.data(), w.data(), b.data(), out.data(), false);
    ref::conv2d_swap_channels<I, K, O>(w.data(), wt.data());
    ref::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(dout.data(), wt.data(), din_pad.data());
    ref::conv2d_strided_backward_weights<Hp, Wp, I, K, O, S>(in_pad.data(), dout.data(), dw.data(), db.data());

    // Independent: channels-first xtensor, strided views, gradients scattered.
    xt::xtensor<double, 3> x = xt::pad(to_chw(in, I, H, W), {{0, 0}, {P, P}, {P, P}});
    xt::xtensor<double, 3> y = xt::zeros<double>({std::size_t(O), std::size_t(Ho), std::size_t(Wo)});
    const xt::xtensor<double, 3> g = to_chw(dout, O, Ho, Wo);
    xt::xtensor<double, 3> gx = xt::zeros<double>({std::size_t(I), std::size_t(Hp), std::size_t(Wp)});
    for (int o = 0; o < O; ++o) {
        xt::view(y, o) += b[o];
        for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
                for (int i = 0; i < I; ++i) {
                    auto window = xt::view(x, i, xt::range(ky, ky + (Ho - 1) * S + 1, S), xt::range(kx, kx + (Wo - 1) * S + 1, S));
                    xt::view(y, o) += wk(ky, kx, i, o) * window;
                    xt::view(gx, i, xt::range(ky, ky + (Ho - 1) * S + 1, S), xt::range(kx, kx + (Wo - 1) * S + 1, S)) +=
                        wk(ky, kx, i, o) * xt::view(g, o);
                    const double expect_dw = xt::sum(window * xt::view(g, o))();
                    REQUIRE(dw[((std::size_t(ky) * K + kx) * I + i) * O + o] == Approx(expect_dw).margin(1e-12));
                }
        REQUIRE(db[o] == Approx(double(xt::sum(xt::view(g, o))())).margin(1e-12));
    }
    REQUIRE(xt::allclose(to_chw(out, O, Ho, Wo), y, 1e-12, 1e-12));
    REQUIRE(xt::allclose(to_chw(din_pad, I, Hp, Wp), gx, 1e-12, 1e-12));

    if constexpr (S == 1) {  // stride 1 is the seed's convolution
        std::vector<double> seed_out(out.size());
        ref::conv2d_forward<Hp, Wp, I, K, O>(in_pad.data(), w.data(), b.data(), seed_out.data(), false);
        require_close_to(seed_out.data(), out.data(), out.size(), 1e-14);
    }
}

// The layer's path through kernels::Conv2DStrided against the reference, n images.
template <int H, int W, int I, int K, int O, int S, int P>
void check_dispatch(int n) {
    INFO("conv " << n << " x " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", stride " << S << ", pad "
                 << P);
    using Conv = kernels::Conv2DStrided<H, W, I, K, O, S, P>;
    constexpr int Hp = Conv::Hp, Wp = Conv::Wp;
    constexpr std::size_t in_size = std::size_t(H) * W * I, pad_size = Conv::kPaddedFloats,
                          out_size = std::size_t(Conv::Ho) * Conv::Wo * O;
    AlignedFloats x(n * in_size), xp(n * pad_size), w(static_cast<std::size_t>(K) * K * I * O), b(O), out(n * out_size),
        out_ref(out.size()), g(out.size());
    AlignedFloats prepared(Conv::kPreparedKernelFloats), wt(w.size()), work(Conv::kInputGradWorkFloats + 1), din(x.size()),
        din_pad_ref(pad_size), din_ref(x.size());
    AlignedFloats dw(w.size()), db(O), dw_ref(w.size()), db_ref(O);
    fill_uniform(x, 1);
    fill_uniform(w, 2, -0.3f, 0.3f);
    fill_uniform(b, 3);
    fill_uniform(g, 4);
    const float* wf = Conv::prepare_forward(w.data(), prepared.data());
    for (int r = 0; r < n; ++r) {
        Conv::pad(x.data() + r * in_size, xp.data() + r * pad_size);
        Conv::forward(xp.data() + r * pad_size, wf, b.data(), out.data() + r * out_size, r == 1);
        ref::conv2d_strided_forward<Hp, Wp, I, K, O, S>(xp.data() + r * pad_size, w.data(), b.data(),
                                                         out_ref.data() + r * out_size, r == 1);
    }
    require_close_to(out.data(), out_ref.data(), out.size(), 1e-5);

    Conv::prepare_input_grad(w.data(), prepared.data());
    ref::conv2d_swap_channels<I, K, O>(w.data(), wt.data());
    for (int r = 0; r < n; ++r) {
        Conv::input_grad(g.data() + r * out_size, prepared.data(), din.data() + r * in_size, work.data());
        ref::conv2d_strided_backward_input<Hp, Wp, I, K, O, S>(g.data() + r * out_size, wt.data(), din_pad_ref.data());
        for (int y = 0; y < H; ++y)
            for (int e = 0; e < W * I; ++e)
                din_ref[r * in_size + std::size_t(y) * W * I + e] = din_pad_ref[(std::size_t(y + P) * Wp + P) * I + e];
    }
    require_close_to(din.data(), din_ref.data(), din.size(), 1e-5);

    using Weights = typename Conv::Weights;
    for (int t = Weights::kTasks - 1; t >= 0; --t)  // any order
        Weights::run(t, xp.data(), pad_size, g.data(), n, dw.data(), db.data());
    for (int r = 0; r < n; ++r)
        ref::conv2d_strided_backward_weights<Hp, Wp, I, K, O, S>(xp.data() + r * pad_size, g.data() + r * out_size,
                                                                  dw_ref.data(), db_ref.data());
    require_close_to(dw.data(), dw_ref.data(), dw.size(), 1e-5);
    require_close_to(db.data(), db_ref.data(), db.size(), 1e-5);
}

template <int H, int W, int I, int K, int O, int S, int P>
void check_dispatch_batches() {
    check_dispatch<H, W, I, K, O, S, P>(1);
    check_dispatch<H, W, I, K, O, S, P>(3);
}

}  // namespace

TEST_CASE("reference strided conv2d: forward and both gradients match channels-first formulations",
          "[kernels][conv2d_strided]") {
    check_reference<8, 8, 3, 2, 5, 2, 0>();   // 2x2 stride-2 patches
    check_reference<9, 7, 2, 3, 4, 2, 1>();   // 3x3 stride 2, padded, odd sizes (floor)
    check_reference<7, 7, 3, 1, 2, 2, 0>();   // 1x1 stride 2: rows and columns skipped
    check_reference<10, 9, 2, 3, 3, 3, 2>();  // stride 3, padding 2
    check_reference<6, 5, 3, 3, 2, 1, 1>();   // stride 1: the seed's convolution
    check_reference<5, 6, 2, 3, 2, 1, 2>();   // stride 1, padding 2 (larger than 'same')
}

TEST_CASE("strided conv2d kernels match the reference on airbench-like shapes", "[kernels][simd][conv2d_strided]") {
    check_dispatch<32, 32, 3, 2, 24, 2, 0>(2);    // the 2x2 patch conv 3 -> 24
    check_dispatch<32, 32, 64, 3, 128, 2, 1>(1);  // a 3x3 stride-2 down-sampling conv
    check_dispatch<16, 16, 64, 1, 128, 2, 0>(2);  // a 1x1 stride-2 shortcut
    check_dispatch<16, 16, 64, 3, 64, 1, 1>(2);   // stride 1 through the seed's kernels
}

TEST_CASE("strided conv2d kernels match the reference around the vector width (batches of 1 and 3)",
          "[kernels][simd][conv2d_strided]") {
    constexpr int Lw = int(kFloatLanes);
    check_dispatch_batches<8, 8, 3, 2, 24, 2, 0>();
    check_dispatch_batches<9, 7, 5, 3, 7, 2, 1>();            // few channels: narrow vectors and scalars
    check_dispatch_batches<7, 7, Lw + 1, 1, 2 * Lw + 3, 2, 0>();
    check_dispatch_batches<11, 10, 2 * Lw, 3, Lw, 2, 1>();
    check_dispatch_batches<10, 9, 3 * Lw + 2, 3, Lw + Lw / 2, 3, 2>();
    check_dispatch_batches<6, 6, 1, 4, Lw, 2, 1>();            // one input channel, even kernel
    check_dispatch_batches<5, 7, 6, 1, 4 * Lw, 1, 0>();        // 1x1 stride 1 (seed kernels)
    check_dispatch_batches<6, 5, 3, 3, 5, 1, 2>();             // stride 1, padding 2: the seed's kernels, tails
    check_dispatch_batches<9, 9, 1, 3, 24, 1, 1>();            // stride 1, one input channel, 24 outputs
    check_dispatch_batches<8, 7, 10, 3, 3, 1, 1>();            // stride 1, 10 -> 3
    check_dispatch_batches<9, 8, 24, 3, 10, 2, 1>();           // stride 2, 24 -> 10
}

TEST_CASE("strided conv2d runs vector kernels for any channel counts", "[kernels][simd][conv2d_strided]") {
    using Seed = kernels::Conv2DStrided<9, 9, 1, 3, 24, 1, 1>;
    using Strided = kernels::Conv2DStrided<9, 8, 24, 3, 10, 2, 1>;
    CHECK(Seed::kForwardRunsSimd == kHasSimd);
    CHECK(Seed::kInputGradRunsSimd == kHasSimd);
    CHECK(Seed::Weights::kRunsSimd == kHasSimd);
    CHECK(Strided::kForwardRunsSimd == kHasSimd);
    CHECK(Strided::Weights::kRunsSimd == kHasSimd);
}
