// tests/kernels/test_ref_kernels.cpp — the scalar reference kernels, checked against
// independent formulations (xtensor views in channels-first layout, scatter forms of
// the gradients) and against hand-computed values.
#include <cmath>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xpad.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "catch.hpp"
#include "statnn/kernels/ref/conv2d.hpp"
#include "statnn/kernels/ref/dense.hpp"
#include "statnn/kernels/ref/eltwise.hpp"
#include "statnn/kernels/ref/max_norm.hpp"
#include "statnn/kernels/ref/pool.hpp"
#include "statnn/kernels/ref/sgd.hpp"
#include "statnn/kernels/ref/softmax_xent.hpp"
#include "statnn/rng.hpp"

using namespace statnn;
namespace ref = statnn::kernels::ref;

namespace {

std::vector<double> random_vector(std::size_t n, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<double> v(n);
    for (auto& x : v) x = rng.uniform(-1.0f, 1.0f);
    return v;
}

// Channels-last (H, W, C) -> xtensor (C, H, W)
xt::xtensor<double, 3> to_chw(const std::vector<double>& hwc, int C, int H, int W) {
    auto a = xt::adapt(hwc, std::vector<std::size_t>{std::size_t(H), std::size_t(W), std::size_t(C)});
    return xt::transpose(a, {2, 0, 1});
}

template <int H, int W, int I, int K, int O, int P>
void check_conv() {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1;
    auto in = random_vector(std::size_t(H) * W * I, 1);
    auto w = random_vector(std::size_t(K) * K * I * O, 2);
    auto b = random_vector(O, 3);
    auto dout = random_vector(std::size_t(Ho) * Wo * O, 4);
    auto wk = xt::adapt(w, std::vector<std::size_t>{std::size_t(K), std::size_t(K), std::size_t(I), std::size_t(O)});

    // statnn: pad, convolve, gradients.
    std::vector<double> in_pad(std::size_t(Hp) * Wp * I), out(std::size_t(Ho) * Wo * O);
    ref::pad_image<H, W, I, P>(in.data(), in_pad.data());
    ref::conv2d_forward<Hp, Wp, I, K, O>(in_pad.data(), w.data(), b.data(), out.data(), false);
    std::vector<double> dw(w.size(), 0.0), db(O, 0.0);
    ref::conv2d_backward_weights<Hp, Wp, I, K, O>(in_pad.data(), dout.data(), dw.data(), db.data());
    constexpr int Q = K - 1 - P;
    std::vector<double> dout_pad(std::size_t(Ho + 2 * Q) * (Wo + 2 * Q) * O), wr(w.size()), din(in.size());
    ref::pad_image<Ho, Wo, O, Q>(dout.data(), dout_pad.data());
    ref::conv2d_rotate_kernel<I, K, O>(w.data(), wr.data());
    ref::conv2d_forward<Ho + 2 * Q, Wo + 2 * Q, O, K, I>(dout_pad.data(), wr.data(), static_cast<const double*>(nullptr), din.data(), false);

    // Independent: channels-first xtensor views, gradients in scatter form.
    xt::xtensor<double, 3> x = xt::pad(to_chw(in, I, H, W), {{0, 0}, {P, P}, {P, P}});
    xt::xtensor<double, 3> y = xt::zeros<double>({std::size_t(O), std::size_t(Ho), std::size_t(Wo)});
    xt::xtensor<double, 3> g = to_chw(dout, O, Ho, Wo);
    xt::xtensor<double, 3> gx = xt::zeros<double>({std::size_t(I), std::size_t(Hp), std::size_t(Wp)});
    for (int o = 0; o < O; ++o) {
        xt::view(y, o) += b[o];
        for (int ky = 0; ky < K; ++ky)
            for (int kx = 0; kx < K; ++kx)
                for (int i = 0; i < I; ++i) {
                    auto window = xt::view(x, i, xt::range(ky, ky + Ho), xt::range(kx, kx + Wo));
                    xt::view(y, o) += wk(ky, kx, i, o) * window;
                    xt::view(gx, i, xt::range(ky, ky + Ho), xt::range(kx, kx + Wo)) += wk(ky, kx, i, o) * xt::view(g, o);
                    const double expect_dw = xt::sum(window * xt::view(g, o))();
                    REQUIRE(dw[((std::size_t(ky) * K + kx) * I + i) * O + o] == Approx(expect_dw).margin(1e-12));
                }
        REQUIRE(db[o] == Approx(double(xt::sum(xt::view(g, o))())).margin(1e-12));
    }
    const auto ours = to_chw(out, O, Ho, Wo);
    REQUIRE(xt::allclose(ours, y, 1e-12, 1e-12));
    const auto gin = xt::view(gx, xt::all(), xt::range(P, P + H), xt::range(P, P + W));
    REQUIRE(xt::allclose(to_chw(din, I, H, W), gin, 1e-12, 1e-12));
}

}  // namespace

TEST_CASE("reference conv2d: forward and both gradients match channels-first formulations", "[kernels][conv2d]") {
    check_conv<5, 6, 3, 3, 4, 1>();  // same
    check_conv<7, 5, 2, 3, 3, 0>();  // valid
    check_conv<4, 4, 3, 1, 2, 0>();  // 1x1
    check_conv<6, 6, 2, 5, 3, 2>();  // 5x5 same
}

TEST_CASE("reference pad_image applies the ReLU mask", "[kernels][conv2d]") {
    const float src[4] = {1, -2, 3, 4}, mask[4] = {1, 1, 0, 2};
    float dst[16];
    ref::pad_image<2, 2, 1, 1>(src, dst, mask);
    const float expected[16] = {0, 0, 0, 0, 0, 1, -2, 0, 0, 0, 4, 0, 0, 0, 0, 0};
    for (int e = 0; e < 16; ++e) CHECK(dst[e] == expected[e]);
}

TEST_CASE("reference dense: forward and both gradients", "[kernels][dense]") {
    constexpr int I = 5, O = 3, N = 2;
    auto in = random_vector(N * I, 5), k = random_vector(I * O, 6), b = random_vector(O, 7), dout = random_vector(N * O, 8);
    std::vector<double> out(N * O), din(N * I), dk(I * O), db(O);
    ref::dense_forward<I, O>(in.data(), N, k.data(), b.data(), out.data(), true);
    ref::dense_backward_input<I, O>(dout.data(), N, k.data(), din.data());
    ref::dense_backward_weights<I, O>(in.data(), dout.data(), N, dk.data(), db.data());
    auto X = xt::adapt(in, std::vector<std::size_t>{N, I});
    auto Kt = xt::adapt(k, std::vector<std::size_t>{I, O});
    auto G = xt::adapt(dout, std::vector<std::size_t>{N, O});
    for (int r = 0; r < N; ++r)
        for (int o = 0; o < O; ++o) {
            const double z = b[o] + xt::sum(xt::view(X, r) * xt::view(Kt, xt::all(), o))();
            CHECK(out[r * O + o] == Approx(z > 0 ? z : 0.0).margin(1e-12));
        }
    for (int r = 0; r < N; ++r)
        for (int i = 0; i < I; ++i) CHECK(din[r * I + i] == Approx(double(xt::sum(xt::view(G, r) * xt::view(Kt, i))())));
    for (int i = 0; i < I; ++i)
        for (int o = 0; o < O; ++o)
            CHECK(dk[i * O + o] == Approx(double(xt::sum(xt::view(X, xt::all(), i) * xt::view(G, xt::all(), o))())));
    for (int o = 0; o < O; ++o) CHECK(db[o] == Approx(double(xt::sum(xt::view(G, xt::all(), o))())));
}

TEST_CASE("reference max pooling: floor, and ties go to the first maximum", "[kernels][pool]") {
    // 3x3 single channel, 2x2 window: only the top-left window exists.
    const float in[9] = {5, 5, 1, 2, 5, 9, 9, 9, 9};
    float out[1], din[9];
    const float dout[1] = {2.5f};
    ref::maxpool2d_forward<3, 3, 1, 2>(in, out);
    CHECK(out[0] == 5);
    ref::maxpool2d_backward<3, 3, 1, 2>(in, dout, din);
    const float expected[9] = {2.5f, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int e = 0; e < 9; ++e) CHECK(din[e] == expected[e]);
}

TEST_CASE("reference softmax + cross-entropy: stable, normalised, Keras clipping", "[kernels][softmax]") {
    const float logits[6] = {1000.0f, 1001.0f, 999.0f, -3.0f, 0.0f, 2.0f};
    float probs[6], d[6];
    ref::softmax_forward<3>(logits, 2, probs);
    for (int r = 0; r < 2; ++r) CHECK(probs[3 * r] + probs[3 * r + 1] + probs[3 * r + 2] == Approx(1.0f));
    CHECK(probs[1] == Approx(std::exp(1.0) / (std::exp(0.0) + std::exp(1.0) + std::exp(-1.0))));
    const std::int32_t labels[2] = {1, 0};
    const double loss = ref::softmax_xent_backward<3>(probs, labels, 2, d);
    const double l1 = -std::log(double(probs[1])), l2 = -std::log(double(probs[3]));
    CHECK(loss == Approx((l1 + l2) / 2));
    CHECK(d[1] == Approx((probs[1] - 1.0f) / 2));
    CHECK(d[5] == Approx(probs[5] / 2));
    // A probability of 0 is clipped to 1e-7: the loss is finite.
    const float certain[3] = {1.0f, 0.0f, 0.0f};
    const std::int32_t wrong[1] = {2};
    CHECK(ref::softmax_xent_loss<3>(certain, wrong, 1) == Approx(-std::log(1e-7)));
}

TEST_CASE("reference SGD: Keras momentum, nesterov and plain updates", "[kernels][sgd]") {
    float w[2] = {1.0f, -2.0f}, v[2] = {0.5f, 0.0f};
    const float g[2] = {0.25f, -1.0f};
    ref::sgd_update(w, v, g, 2, 0.1f, 0.9f, false);
    CHECK(v[0] == Approx(0.9f * 0.5f - 0.1f * 0.25f));
    CHECK(w[0] == Approx(1.0f + v[0]));
    float w2[1] = {1.0f}, v2[1] = {0.5f};
    ref::sgd_update(w2, v2, g, 1, 0.1f, 0.9f, true);
    CHECK(w2[0] == Approx(1.0f + 0.9f * v2[0] - 0.1f * 0.25f));
    float w3[1] = {1.0f}, v3[1] = {7.0f};
    ref::sgd_update(w3, v3, g, 1, 0.1f, 0.0f, true);
    CHECK(w3[0] == Approx(1.0f - 0.025f));
    CHECK(v3[0] == 7.0f);
}

TEST_CASE("reference max-norm: per output column, applied to every column", "[kernels][sgd]") {
    // 2 rows x 3 columns; column norms 5, 1, 3.
    float k[6] = {3, 1, 0, 4, 0, 3}, norms[3];
    const int clipped = ref::max_norm<2, 3>(k, 3.0f, 1e-7f, norms);
    CHECK(clipped == 1);
    CHECK(std::hypot(k[0], k[3]) == Approx(3.0f));
    CHECK(k[1] == Approx(1.0f / (1.0f + 1e-7f)));
    CHECK(k[1] < 1.0f);  // even columns under the limit are scaled by n / (eps + n)
    CHECK(k[5] == Approx(3.0f));
}
