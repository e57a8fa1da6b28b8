// tests/kernels/test_simd_kernels.cpp — every xsimd kernel against its scalar reference,
// on the real cnn4/cnn6 layer shapes and on odd sizes around the vector width (tails,
// single rows, one vector of channels). Sums are compared as the golden tests compare
// tensors, |fast - ref| <= tol * max(max|ref|, 1) (a different summation order moves
// long sums with cancellation by more than their own size allows); element-wise
// kernels must be exact.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "statnn/kernels/conv2d.hpp"
#include "statnn/kernels/dense.hpp"
#include "statnn/kernels/eltwise.hpp"
#include "statnn/kernels/max_norm.hpp"
#include "statnn/kernels/pool.hpp"
#include "statnn/kernels/sgd.hpp"
#include "statnn/statnn.hpp"
#include "support/gradcheck.hpp"

using namespace statnn;
using statnn::test::AlignedFloats;

namespace {

void fill(AlignedFloats& a, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng.uniform(lo, hi);
}

void require_close(const float* fast, const float* ref, std::size_t n, double tol = 1e-5) {
    double scale = 1.0, worst = -1.0;
    std::size_t at = 0;
    for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(double(ref[i])));
    for (std::size_t i = 0; i < n; ++i) {
        const double d = std::fabs(double(fast[i]) - double(ref[i]));
        if (!(d <= worst)) {  // NaN counts as the worst
            worst = d;
            at = i;
            if (std::isnan(d)) break;
        }
    }
    INFO("worst element " << at << ": fast " << fast[at] << ", reference " << ref[at] << ", tensor scale " << scale);
    REQUIRE(worst <= tol * scale);
}

// Element-wise kernels: every float identical (as floats: -0 equals +0).
void require_equal(const float* fast, const float* ref, std::size_t n) {
    std::size_t mismatches = 0, first = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (!(fast[i] == ref[i]) && mismatches++ == 0) first = i;
    INFO(mismatches << " mismatches; first at " << first << ": fast " << fast[first] << ", reference " << ref[first]);
    REQUIRE(mismatches == 0);
}

template <int H, int W, int I, int K, int O, int P>
void check_conv_layer() {
    INFO("conv " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", pad " << P);
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1, Q = 1;
    constexpr int N = 3;
    AlignedFloats x(static_cast<std::size_t>(N) * H * W * I), xp(static_cast<std::size_t>(N) * Hp * Wp * I), xp_ref(xp.size());
    AlignedFloats w(static_cast<std::size_t>(K) * K * I * O), b(O), out(static_cast<std::size_t>(N) * Ho * Wo * O), out_ref(out.size());
    AlignedFloats g(static_cast<std::size_t>(N) * Ho * Wo * O), mask(g.size());
    constexpr int Gh = Ho + 2 * Q, Gw = Wo + 2 * Q;
    AlignedFloats gp(static_cast<std::size_t>(N) * Gh * Gw * O), gp_ref(gp.size());
    AlignedFloats dw(w.size()), db(O), dw_ref(w.size()), db_ref(O);
    fill(x, 1);
    fill(w, 2, -0.3f, 0.3f);
    fill(b, 3);
    fill(g, 4);
    fill(mask, 5);
    for (int r = 0; r < N; ++r) {
        kernels::pad_image<H, W, I, P>(x.data() + r * H * W * I, xp.data() + r * Hp * Wp * I);
        kernels::ref::pad_image<H, W, I, P>(x.data() + r * H * W * I, xp_ref.data() + r * Hp * Wp * I);
        kernels::conv2d_forward<Hp, Wp, I, K, O>(xp.data() + r * Hp * Wp * I, w.data(), b.data(), out.data() + r * Ho * Wo * O, r == 1);
        kernels::ref::conv2d_forward<Hp, Wp, I, K, O>(xp_ref.data() + r * Hp * Wp * I, w.data(), b.data(),
                                                      out_ref.data() + r * Ho * Wo * O, r == 1);
        kernels::pad_image<Ho, Wo, O, Q>(g.data() + r * Ho * Wo * O, gp.data() + r * Gh * Gw * O, mask.data() + r * Ho * Wo * O);
        kernels::ref::pad_image<Ho, Wo, O, Q>(g.data() + r * Ho * Wo * O, gp_ref.data() + r * Gh * Gw * O,
                                              mask.data() + r * Ho * Wo * O);
    }
    require_equal(xp.data(), xp_ref.data(), xp.size());
    require_equal(gp.data(), gp_ref.data(), gp.size());
    require_close(out.data(), out_ref.data(), out.size());

    // The layers' forward (Winograd where it pays) and input gradient (the same over the
    // padded output gradient with the rotated kernel), prepared task by task.
    auto check_layer_forward = [&](auto forward, const float* x_pad, std::size_t in_size, const float* k, const float* bias,
                                   std::size_t out_size, auto reference) {
        using F = decltype(forward);
        INFO((F::kWinograd ? "Winograd" : "direct") << " forward");
        AlignedFloats prepared(F::kPreparedFloats + 1), y(N * out_size), y_ref(y.size());
        for (int t = F::kPrepareTasks - 1; t >= 0; --t) F::prepare(t, k, prepared.data());
        for (int r = 0; r < N; ++r) {
            F::run(x_pad + r * in_size, F::kernel(k, prepared.data()), bias, y.data() + r * out_size, r == 1);
            reference(x_pad + r * in_size, k, bias, y_ref.data() + r * out_size, r == 1);
        }
        require_close(y.data(), y_ref.data(), y.size());
    };
    check_layer_forward(kernels::Conv2DForward<Hp, Wp, I, K, O>{}, xp.data(), std::size_t(Hp) * Wp * I, w.data(), b.data(),
                        std::size_t(Ho) * Wo * O, [](auto... a) { kernels::ref::conv2d_forward<Hp, Wp, I, K, O>(a...); });
    AlignedFloats rotated(w.size());
    kernels::conv2d_rotate_kernel<I, K, O>(w.data(), rotated.data());
    constexpr int Dh = Gh - K + 1, Dw = Gw - K + 1;
    if constexpr (Dh > 0 && Dw > 0)
        check_layer_forward(kernels::Conv2DForward<Gh, Gw, O, K, I>{}, gp.data(), std::size_t(Gh) * Gw * O, rotated.data(),
                            nullptr, std::size_t(Dh) * Dw * I,
                            [](auto... a) { kernels::ref::conv2d_forward<Gh, Gw, O, K, I>(a...); });

    // Kernel and bias gradients from the padded gradient's interior, all tasks.
    using Grad = kernels::Conv2DParamGrad<Hp, Wp, I, K, O, Gw>;
    const float* interior = gp.data() + (Q * Gw + Q) * O;
    for (int t = Grad::kTasks - 1; t >= 0; --t)  // any order
        Grad::run(t, xp.data(), std::size_t(Hp) * Wp * I, interior, std::size_t(Gh) * Gw * O, N, dw.data(), db.data());
    for (int r = 0; r < N; ++r)
        kernels::ref::conv2d_backward_weights<Hp, Wp, I, K, O, Gw>(xp.data() + r * Hp * Wp * I,
                                                                  interior + r * Gh * Gw * O, dw_ref.data(), db_ref.data());
    require_close(dw.data(), dw_ref.data(), dw.size());
    require_close(db.data(), db_ref.data(), db.size());
}

template <int I, int O>
void check_dense(int n) {
    INFO("dense " << I << " -> " << O << ", rows " << n);
    using D = kernels::Dense<I, O>;
    AlignedFloats scratch(D::kScratchFloats + 1);
    AlignedFloats x(static_cast<std::size_t>(n) * I), k(static_cast<std::size_t>(I) * O), b(O), out(static_cast<std::size_t>(n) * O), out_ref(out.size());
    AlignedFloats g(static_cast<std::size_t>(n) * O), din(x.size()), din_ref(x.size()), dk(k.size()), dk_ref(k.size()), db(O), db_ref(O);
    fill(x, 1);
    fill(k, 2, -0.2f, 0.2f);
    fill(b, 3);
    fill(g, 4);
    for (int t = 0; t < D::kForwardTasks; ++t) D::forward(t, x.data(), n, k.data(), b.data(), out.data(), true, scratch.data());
    kernels::ref::dense_forward<I, O>(x.data(), n, k.data(), b.data(), out_ref.data(), true);
    require_close(out.data(), out_ref.data(), out.size());
    for (int t = D::kInputTasks - 1; t >= 0; --t) D::backward_input(t, g.data(), n, k.data(), din.data(), scratch.data());
    kernels::ref::dense_backward_input<I, O>(g.data(), n, k.data(), din_ref.data());
    require_close(din.data(), din_ref.data(), din.size());
    for (int t = 0; t < D::kWeightTasks; ++t) D::backward_weights(t, x.data(), g.data(), n, dk.data(), db.data(), scratch.data());
    kernels::ref::dense_backward_weights<I, O>(x.data(), g.data(), n, dk_ref.data(), db_ref.data());
    require_close(dk.data(), dk_ref.data(), dk.size());
    require_close(db.data(), db_ref.data(), db.size());
}

template <int H, int W, int C, int P>
void check_pool(bool ties) {
    INFO("pool " << H << "x" << W << "x" << C << " window " << P << (ties ? " with ties" : ""));
    AlignedFloats x(static_cast<std::size_t>(H) * W * C), out(static_cast<std::size_t>(H / P) * (W / P) * C), out_ref(out.size());
    AlignedFloats g(out.size()), din(x.size()), din_ref(x.size());
    fill(x, 7);
    fill(g, 8);
    if (ties)
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::round(x[i] * 2.0f);  // few distinct values
    for (std::size_t i = 0; i < din.size(); ++i) din[i] = 99.0f;  // must be overwritten everywhere
    kernels::maxpool2d_forward<H, W, C, P>(x.data(), out.data());
    kernels::ref::maxpool2d_forward<H, W, C, P>(x.data(), out_ref.data());
    require_equal(out.data(), out_ref.data(), out.size());  // -0 and +0 tie either way
    kernels::maxpool2d_backward<H, W, C, P>(x.data(), g.data(), din.data());
    kernels::ref::maxpool2d_backward<H, W, C, P>(x.data(), g.data(), din_ref.data());
    require_equal(din.data(), din_ref.data(), din.size());
}

}  // namespace

TEST_CASE("fast conv2d kernels match the reference on the real layer shapes", "[kernels][simd][conv2d]") {
    if (!kHasSimd) WARN("this build has no SIMD architecture: the dispatcher uses the reference kernels");
#if !defined(STATNN_NO_SIMD) && !defined(STATNN_NO_WINOGRAD)
    // Every 3x3 layer of cnn4 and cnn6 with a vector of input channels runs Winograd,
    // forward and input gradient; the first layer (3 channels) runs directly.
    static_assert(kernels::Conv2DForward<34, 34, 32, 3, 32>::kWinograd && kernels::Conv2DForward<10, 10, 128, 3, 128>::kWinograd &&
                      kernels::Conv2DForward<15, 15, 64, 3, 64>::kWinograd && kernels::Conv2DForward<17, 17, 64, 3, 32>::kWinograd,
                  "cnn4/cnn6 convolutions run Winograd");
    static_assert(kernels::Conv2DParamGrad<34, 34, 32, 3, 32, 34>::kWinograd && kernels::Conv2DParamGrad<15, 15, 64, 3, 64, 17>::kWinograd,
                  "and so do their kernel gradients");
    static_assert(!kernels::Conv2DForward<34, 34, 3, 3, 32>::kWinograd, "3 input channels run directly");
    static_assert(!kernels::Conv2DForward<5, 5, 256, 3, 256>::kWinograd, "a 3x3 map runs directly");
#endif
    check_conv_layer<32, 32, 3, 3, 32, 1>();    // cnn6/cnn4 conv1
    check_conv_layer<32, 32, 32, 3, 32, 1>();   // cnn6 conv2
    check_conv_layer<16, 16, 32, 3, 64, 1>();   // cnn6 conv3
    check_conv_layer<16, 16, 64, 3, 64, 1>();   // cnn6 conv4
    check_conv_layer<8, 8, 64, 3, 128, 1>();    // cnn6 conv5
    check_conv_layer<8, 8, 128, 3, 128, 1>();   // cnn6 conv6
    check_conv_layer<32, 32, 32, 3, 32, 0>();   // cnn4 conv2 (valid)
    check_conv_layer<15, 15, 32, 3, 64, 1>();   // cnn4 conv3
    check_conv_layer<15, 15, 64, 3, 64, 0>();   // cnn4 conv4 (valid)
}

TEST_CASE("fast conv2d kernels match the reference around the vector width", "[kernels][simd][conv2d]") {
    constexpr int Lw = int(kFloatLanes);
    check_conv_layer<5, 7, 1, 3, Lw, 1>();          // one vector of outputs, one input channel
    check_conv_layer<3, 29, 5, 3, 3 * Lw, 1>();     // odd widths, three vectors
    check_conv_layer<6, 17, 2 * Lw, 3, Lw, 0>();    // valid, row tail
    check_conv_layer<4, 4, 3, 1, 2 * Lw, 0>();      // 1x1 kernel
    check_conv_layer<5, 5, 2, 3, 5, 1>();           // channels not a multiple: narrow vectors and scalars
    check_conv_layer<7, 9, Lw + 1, 5, 2 * Lw, 2>(); // 5x5 kernel
    check_conv_layer<7, 7, 2 * Lw, 3, 4 * Lw, 1>(); // narrow rows: tiles of several whole rows, a shorter last one
    check_conv_layer<3, 3, Lw, 3, 2 * Lw, 1>();     // 3x3 map: one tile (two on 16 registers)
    check_conv_layer<5, 4, 3, 3, 2 * Lw, 1>();      // rows of 4
    check_conv_layer<9, 3, 5, 3, Lw, 1>();          // rows of 3, nine of them
    check_conv_layer<8, 8, Lw, 3, 8 * Lw, 1>();     // Winograd kernel gradient: one block of input
                                                    // channels, output tiles in two groups
}

// Output channels past the last whole vector run narrower vectors: every shape below runs
// the vector kernels (forward, kernel gradient, and the input gradient, whose outputs are
// the layer's input channels: 1 or 3 here).
TEST_CASE("fast conv2d kernels match the reference with any channel counts", "[kernels][simd][conv2d]") {
    constexpr int Lw = int(kFloatLanes);
    static_assert(!kHasSimd || (kernels::Conv2DForward<30, 30, 1, 3, 32>::kRunsSimd &&
                                kernels::Conv2DForward<30, 30, 32, 3, 1>::kRunsSimd &&
                                kernels::Conv2DForward<29, 29, 32, 3, 24>::kRunsSimd &&
                                kernels::Conv2DParamGrad<29, 29, 32, 3, 24, 29>::kRunsSimd &&
                                kernels::Conv2DForward<7, 7, 3, 3, 10>::kRunsSimd),
                  "odd channel counts run the vector kernels");
    check_conv_layer<28, 28, 1, 3, 32, 1>();        // a grey 28x28 image into 32 filters
    check_conv_layer<27, 27, 32, 3, 24, 1>();       // 24 outputs: a whole vector and a narrower one
    check_conv_layer<6, 7, 3, 3, 10, 1>();          // 10 outputs from 3 inputs
    check_conv_layer<5, 6, 3, 3, 1, 0>();           // one output channel
    check_conv_layer<6, 5, 1, 3, 3, 1>();           // 1 -> 3
    check_conv_layer<7, 5, 5, 3, Lw + 1, 1>();      // a whole vector and one channel
    check_conv_layer<4, 9, 3, 3, 17, 0>();
    check_conv_layer<5, 5, Lw + 3, 3, 100, 1>();    // several whole vectors and a tail
    check_conv_layer<7, 7, 2 * Lw, 3, 3 * Lw + 5, 1>();  // narrow rows (tiles of several rows) with a tail
}

TEST_CASE("fast conv2d kernels match the reference on fastcifar's small maps", "[kernels][simd][conv2d]") {
#if !defined(STATNN_NO_SIMD)
    // 14 pixels a tile with AVX-512's 2 vectors of 16 floats: two rows of 7; 6 elsewhere.
    static_assert(kernels::simd::L < 16 || kernels::simd::Conv2DForwardPlan<9, 9, 256, 3, 256>::RR > 1,
                  "the 7x7 map takes tiles of several rows");
    static_assert(kernels::simd::Conv2DForwardPlan<5, 5, 256, 3, 256>::RR > 1, "the 3x3 map takes tiles of several rows");
#endif
    check_conv_layer<7, 7, 256, 3, 256, 1>();
    check_conv_layer<3, 3, 256, 3, 256, 1>();
}

TEST_CASE("fast dense kernels match the reference", "[kernels][simd][dense]") {
    constexpr int Lw = int(kFloatLanes);
    static_assert(!kHasSimd || (kernels::Dense<13, 10>::kRunsSimd && kernels::Dense<100, 3>::kRunsSimd &&
                                kernels::Dense<3, 1>::kRunsSimd),
                  "any width runs the vector kernels");
    for (int n : {32, 1, 5, 7, 13, 100}) {  // 100: the kernel gradient takes the batch in chunks of 64
        check_dense<2048, 1024>(n);  // cnn6 dense1
        check_dense<1024, 10>(n);    // cnn6 dense2 (narrow: 10 columns)
        check_dense<512, 10>(n);     // cnn4 dense2
        check_dense<13, 10>(n);      // narrow and odd inputs: narrower vectors and scalars
        check_dense<256, 10>(n);     // a grey 28x28 network's heads
        check_dense<128, 10>(n);
        check_dense<100, 3>(n);
        check_dense<1, 10>(n);
        check_dense<3, 1>(n);
        check_dense<2 * Lw + 3, 17>(n);
        check_dense<Lw, 100>(n);
        check_dense<100, 100>(n);
        check_dense<2304, 512>(n);   // cnn4 dense1
        check_dense<7, Lw>(n);
        check_dense<13, 3 * Lw>(n);
        check_dense<3, 4 * Lw>(n);
    }
}

TEST_CASE("fast pooling matches the reference, ties and floor included", "[kernels][simd][pool]") {
    constexpr int Lw = int(kFloatLanes);
    for (bool ties : {false, true}) {
        check_pool<32, 32, 32, 2>(ties);
        check_pool<30, 30, 32, 2>(ties);
        check_pool<13, 13, 64, 2>(ties);
        check_pool<7, 5, Lw, 3>(ties);
        check_pool<5, 5, 3, 2>(ties);  // narrower vectors and scalars
        check_pool<4, 4, 1, 2>(ties);
        check_pool<6, 7, 5, 2>(ties);
        check_pool<9, 7, 24, 3>(ties);
        check_pool<8, 6, Lw + 1, 2>(ties);
        check_pool<5, 4, 3 * Lw + 5, 2>(ties);
    }
}

TEST_CASE("fast element-wise kernels are bit-identical to the reference", "[kernels][simd][eltwise]") {
    for (std::size_t n : {std::size_t(1), std::size_t(15), std::size_t(17), std::size_t(1000), std::size_t(32768)}) {
        INFO("n = " << n);
        AlignedFloats x(n), a(n), b(n), g(n);
        fill(x, 1);
        fill(g, 2);
        kernels::relu_forward(x.data(), a.data(), n);
        kernels::ref::relu_forward(x.data(), b.data(), n);
        require_equal(a.data(), b.data(), n);
        kernels::relu_backward(x.data(), g.data(), a.data(), n);
        kernels::ref::relu_backward(x.data(), g.data(), b.data(), n);
        require_equal(a.data(), b.data(), n);
        for (float rate : {0.2f, 0.25f, 0.5f}) {
            kernels::dropout_apply(x.data(), a.data(), n, rate, 0x1234567890ABCDEFull, 77);
            kernels::ref::dropout_apply(x.data(), b.data(), n, rate, 0x1234567890ABCDEFull, 77);
            require_equal(a.data(), b.data(), n);
        }
    }
}

namespace {

template <int Rows, int Cols>
void check_max_norm(int every, float boost) {
    INFO("max-norm " << Rows << " x " << Cols);
    using MaxNorm = kernels::MaxNormConstraint<Rows, Cols>;
    static_assert(!kHasSimd || MaxNorm::kRunsSimd, "any width runs the vector kernels");
    AlignedFloats k(static_cast<std::size_t>(Rows) * Cols), k2(k.size()), norms(Cols), norms2(Cols);
    fill(k, 4, -0.1f, 0.1f);
    for (int i = 0; i < Rows; ++i)
        for (int j = 0; j < Cols; j += every) k[std::size_t(i) * Cols + j] *= boost;
    std::memcpy(k2.data(), k.data(), k.size() * 4);
    for (int t = 0; t < MaxNorm::kNormTasks; ++t) MaxNorm::norms_task(k.data(), norms.data(), t);
    const int clipped = MaxNorm::factors(norms.data(), 3.0f, 1e-7f);
    for (int t = 0; t < MaxNorm::kScaleTasks; ++t) MaxNorm::scale_task(k.data(), norms.data(), t);
    const int clipped_ref = kernels::ref::max_norm<Rows, Cols>(k2.data(), 3.0f, 1e-7f, norms2.data());
    CHECK(clipped > 0);
    CHECK(clipped == clipped_ref);
    require_close(k.data(), k2.data(), k.size(), 1e-6);
}

}  // namespace

TEST_CASE("fast max-norm matches the reference for any number of columns", "[kernels][simd][sgd]") {
    constexpr int Lw = int(kFloatLanes);
    check_max_norm<2048, 10>(3, 20.0f);   // norms about 2.6, boosted columns far above 3
    check_max_norm<300, 1>(1, 20.0f);
    check_max_norm<1000, 17>(2, 3.0f);
    check_max_norm<900, 4 * Lw + 2 * Lw + 7>(3, 3.0f);  // a group of four vectors, two single ones, a tail
}

TEST_CASE("fast SGD and max-norm match the reference", "[kernels][simd][sgd]") {
    const std::size_t n = 3 * kernels::SgdUpdate::kChunk + 37;
    for (float m : {0.0f, 0.9f})
        for (bool nesterov : {false, true}) {
            AlignedFloats w(n), v(n), g(n), w2(n), v2(n);
            fill(w, 1);
            fill(v, 2);
            fill(g, 3);
            std::memcpy(w2.data(), w.data(), n * 4);
            std::memcpy(v2.data(), v.data(), n * 4);
            for (int t = 0; t < kernels::SgdUpdate::tasks(n); ++t)
                kernels::SgdUpdate::run(t, w.data(), v.data(), g.data(), n, 0.01f, m, nesterov);
            kernels::ref::sgd_update(w2.data(), v2.data(), g.data(), n, 0.01f, m, nesterov);
            require_close(w.data(), w2.data(), n, 1e-6);
            require_close(v.data(), v2.data(), n, 1e-6);
        }
    using MaxNorm = kernels::MaxNormConstraint<2048, 1024>;
    AlignedFloats k(2048 * 1024), k2(k.size()), norms(1024), norms2(1024);
    fill(k, 4, -0.1f, 0.1f);  // column norms about 2.6: some above 3 after scaling below
    for (int i = 0; i < 2048; ++i)
        for (int j = 0; j < 1024; j += 3) k[std::size_t(i) * 1024 + j] *= 1.3f;
    std::memcpy(k2.data(), k.data(), k.size() * 4);
    for (int t = 0; t < MaxNorm::kNormTasks; ++t) MaxNorm::norms_task(k.data(), norms.data(), t);
    const int clipped = MaxNorm::factors(norms.data(), 3.0f, 1e-7f);
    for (int t = 0; t < MaxNorm::kScaleTasks; ++t) MaxNorm::scale_task(k.data(), norms.data(), t);
    const int clipped_ref = kernels::ref::max_norm<2048, 1024>(k2.data(), 3.0f, 1e-7f, norms2.data());
    CHECK(clipped > 100);
    CHECK(clipped == clipped_ref);
    require_close(k.data(), k2.data(), k.size(), 1e-6);
}

TEST_CASE("the summary says which layers run a reference kernel: none, for odd widths", "[kernels][simd][summary]") {
    using Odd = Sequential<Input<1, 28, 28>, Conv2D<24, 3, Same, ReLU>, MaxPooling2D<2>, Conv2D<10, 3>, BatchNorm<>,
                           GELU, AveragePooling2D<2>, Flatten, Dense<3, ReLU, MaxNorm<2>>, Dense<10>, Softmax>;
    using Net = Network<Odd, 4>;
    static_assert(!kHasSimd || detail::layer_runs_simd<Net, 0>(), "Conv2D 1 -> 24 runs vectors");
    static_assert(!kHasSimd || detail::layer_runs_simd<Net, 2>(), "Conv2D 24 -> 10 and its input gradient run vectors");
    auto net = std::make_unique<Net>(1, 1);
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    print_memory_plan(f, *net);
    std::rewind(f);
    std::string text;
    for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) text += char(c);
    std::fclose(f);
    INFO(text);
    const char* expected = kHasSimd ? "Kernels: every layer runs a SIMD kernel\n"
                                    : "Kernels: the scalar references everywhere (a build without SIMD)\n";
    CHECK(text.find(expected) != std::string::npos);
}
