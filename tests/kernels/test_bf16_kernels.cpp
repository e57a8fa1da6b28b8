// tests/kernels/test_bf16_kernels.cpp — the bf16 kernels (kernels/simd/conv2d_bf16.hpp)
// against their oracle: the fp32 reference kernels run on bf16-rounded operands.
//
// The bound. Every product of two bf16 is exact in fp32 (8 + 8 significant bits), so the
// kernel and the oracle sum the same n exact terms t_k (a bias counts as one), only in a
// different order. Any order of fp32 additions of n terms is within gamma_n * sum|t_k| of
// the exact sum (gamma_n = n*u / (1 - n*u), u = 2^-24; Higham, Accuracy and Stability of
// Numerical Algorithms, 4.2), so
//     |kernel - oracle| <= 2 * gamma_n * sum_k |t_k|
// element by element, with n the reduction length (K*K*I for the forward pass, K*K*O for
// the input gradient, images x Ho*Wo for the kernel gradient; I, O and the batch's rows
// for the dense kernels; plus one for a bias) and
// sum|t_k| computed in double by the same reference on absolute values. ReLU is
// 1-Lipschitz and keeps it. The bound is loose for random signs, but tight enough to
// fail when an operand is not rounded (a systematic 2^-8 relative error where every term
// is positive) or when one kernel position is dropped: both are checked below.
//
// Without AVX512_BF16 in the build or in the CPU the kernel cases print the skip marker.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <limits>
#include <vector>

#include "catch.hpp"
#include "statnn/cpu_features.hpp"
#include "statnn/kernels/ref/bf16.hpp"
#include "statnn/kernels/ref/conv2d.hpp"
#include "statnn/kernels/ref/dense.hpp"
#include "statnn/kernels/simd/conv2d_bf16.hpp"
#include "statnn/kernels/simd/dense_bf16.hpp"
#include "statnn/rng.hpp"
#include "support/real_cifar10.hpp"

using namespace statnn;
using kernels::ref::Bf16;
using kernels::ref::from_bf16;
using kernels::ref::to_bf16;

TEST_CASE("to_bf16 rounds to nearest even, flushes denormals and keeps NaN quiet", "[kernels][bf16]") {
    CHECK(to_bf16(1.0f) == 0x3f80);
    CHECK(to_bf16(-2.0f) == 0xc000);
    CHECK(to_bf16(1.0f + 0x1p-8f) == 0x3f80);             // half-way, to the even 1.0
    CHECK(to_bf16(1.0f + 3 * 0x1p-8f) == 0x3f82);         // half-way, to the even 1 + 2^-6
    CHECK(to_bf16(1.0f + 0x1p-8f + 0x1p-20f) == 0x3f81);  // past half-way: up
    CHECK(to_bf16(0x1p-130f) == 0x0000);                  // denormal: zero
    CHECK(to_bf16(-0x1p-130f) == 0x8000);
    CHECK(to_bf16(std::numeric_limits<float>::max()) == 0x7f80);  // rounds to infinity
    CHECK(to_bf16(std::numeric_limits<float>::infinity()) == 0x7f80);
    const Bf16 nan = to_bf16(-std::numeric_limits<float>::quiet_NaN());
    CHECK(std::isnan(from_bf16(nan)));
    CHECK((nan & 0x8040) == 0x8040);
    CHECK(from_bf16(to_bf16(0.15625f)) == 0.15625f);  // representable: unchanged
}

#if defined(STATNN_HAS_BF16_KERNELS)

namespace {

std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(lo, hi);
    return v;
}

std::vector<float> rounded(const std::vector<float>& v) {
    std::vector<float> r(v.size());
    kernels::ref::round_to_bf16(v.data(), r.data(), v.size());
    return r;
}

std::vector<double> absolute(const std::vector<float>& v) {
    std::vector<double> a(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) a[i] = std::fabs(double(v[i]));
    return a;
}

// The bound above, for sums of n terms.
double accumulation_bound_factor(std::size_t n) {
    const double u = std::ldexp(1.0, -24), nu = double(n) * u;
    return 2.0 * nu / (1.0 - nu);
}

struct BoundCheck {
    std::size_t violations = 0, worst_at = 0;
    double worst_ratio = 0;  // max |kernel - oracle| / bound
};

BoundCheck compare_within_bound(const float* kernel, const float* oracle, const double* abs_sum, std::size_t count,
                                std::size_t n) {
    BoundCheck check;
    const double factor = accumulation_bound_factor(n);
    for (std::size_t e = 0; e < count; ++e) {
        const double err = std::fabs(double(kernel[e]) - double(oracle[e]));
        const double bound = factor * abs_sum[e];
        const double ratio = bound > 0 ? err / bound : (err > 0 ? std::numeric_limits<double>::infinity() : 0);
        if (!(err <= bound)) ++check.violations;  // NaN too
        if (!(ratio <= check.worst_ratio)) check.worst_ratio = ratio, check.worst_at = e;
    }
    return check;
}

void require_within_bound(const std::vector<float>& kernel, const std::vector<float>& oracle,
                          const std::vector<double>& abs_sum, std::size_t n) {
    const BoundCheck check = compare_within_bound(kernel.data(), oracle.data(), abs_sum.data(), kernel.size(), n);
    INFO("reduction length " << n << ", worst element " << check.worst_at << ": kernel " << kernel[check.worst_at]
                             << ", oracle " << oracle[check.worst_at] << ", error / bound " << check.worst_ratio);
    REQUIRE(check.violations == 0);
}

bool bf16_kernels_run_here() {
    if (!kernels::simd::kHasBf16Kernels) {
        std::printf("%sthis build has no bf16 kernels (its -march lacks AVX512_BF16)\n", test::kSkipMarker);
        return false;
    }
    if (!cpu_has_avx512_bf16()) {
        std::printf("%sthis CPU has no AVX512_BF16\n", test::kSkipMarker);
        return false;
    }
    return true;
}

using namespace kernels::simd;

// Forward pass of one image: the kernel against the oracle; `drop_position` >= 0 zeroes
// that kernel position in the oracle, `skip_rounding` gives it the unrounded operands.
template <int H, int W, int I, int K, int O, int P>
BoundCheck forward_against_oracle(const std::vector<float>& x, const std::vector<float>& w, const std::vector<float>& b,
                                  bool relu, int drop_position = -1, bool skip_rounding = false) {
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1;
    using Plan = Conv2DForwardBf16Plan<Hp, Wp, I, K, O>;
    std::vector<Bf16> in(Plan::kInputBf16), packed(kConv2DPackedBf16<I, K, O>);
    pad_image_bf16<H, W, I, P>(x.data(), in.data());
    pack_conv2d_kernel_bf16<I, K, O>(w.data(), packed.data());
    std::vector<float> out(std::size_t(Ho) * Wo * O);
    conv2d_forward_bf16<Hp, Wp, I, K, O>(in.data(), packed.data(), b.data(), out.data(), relu);

    auto xr = skip_rounding ? x : rounded(x), wr = skip_rounding ? w : rounded(w);
    if (drop_position >= 0)
        for (std::size_t e = std::size_t(drop_position) * I * O; e < std::size_t(drop_position + 1) * I * O; ++e) wr[e] = 0;
    std::vector<float> xp(std::size_t(Hp) * Wp * I), oracle(out.size());
    kernels::ref::pad_image<H, W, I, P>(xr.data(), xp.data());
    kernels::ref::conv2d_forward<Hp, Wp, I, K, O>(xp.data(), wr.data(), b.data(), oracle.data(), relu);

    const auto xa = absolute(rounded(x)), wa = absolute(rounded(w)), ba = absolute(b);
    std::vector<double> xpa(xp.size()), abs_sum(out.size());
    kernels::ref::pad_image<H, W, I, P>(xa.data(), xpa.data());
    kernels::ref::conv2d_forward<Hp, Wp, I, K, O>(xpa.data(), wa.data(), ba.data(), abs_sum.data(), false);
    return compare_within_bound(out.data(), oracle.data(), abs_sum.data(), out.size(), std::size_t(K) * K * I + 1);
}

template <int H, int W, int I, int K, int O, int P>
void check_forward(std::uint64_t seed) {
    INFO("forward " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", pad " << P);
    const auto x = random_floats(std::size_t(H) * W * I, seed), w = random_floats(std::size_t(K) * K * I * O, seed + 1, -0.3f, 0.3f);
    const auto b = random_floats(O, seed + 2);
    for (bool relu : {false, true}) {
        const BoundCheck check = forward_against_oracle<H, W, I, K, O, P>(x, w, b, relu);
        INFO("relu " << relu << ", worst error / bound " << check.worst_ratio << " at " << check.worst_at);
        REQUIRE(check.violations == 0);
    }
}

// Input gradient of one image: din = conv(pad(g, K-1-P) masked, rotated kernel).
template <int H, int W, int I, int K, int O, int P>
void check_input_gradient(std::uint64_t seed) {
    INFO("input gradient " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", pad " << P);
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1, Q = K - 1 - P;
    constexpr int Hq = Ho + 2 * Q, Wq = Wo + 2 * Q;
    const auto g = random_floats(std::size_t(Ho) * Wo * O, seed), mask = random_floats(g.size(), seed + 1);
    const auto w = random_floats(std::size_t(K) * K * I * O, seed + 2, -0.3f, 0.3f);
    using Plan = Conv2DForwardBf16Plan<Hq, Wq, O, K, I>;
    std::vector<Bf16> gp(Plan::kInputBf16), packed(kConv2DPackedBf16<O, K, I>);
    pad_image_bf16<Ho, Wo, O, Q>(g.data(), gp.data(), mask.data());
    pack_conv2d_rotated_kernel_bf16<I, K, O>(w.data(), packed.data());
    std::vector<float> din(static_cast<std::size_t>(H) * W * I);
    conv2d_forward_bf16<Hq, Wq, O, K, I>(gp.data(), packed.data(), nullptr, din.data(), false);

    const auto gr = rounded(g), wr = rounded(w);
    std::vector<float> gq(std::size_t(Hq) * Wq * O), wrot(w.size()), oracle(din.size());
    kernels::ref::pad_image<Ho, Wo, O, Q>(gr.data(), gq.data(), mask.data());
    kernels::ref::conv2d_rotate_kernel<I, K, O>(wr.data(), wrot.data());
    kernels::ref::conv2d_forward<Hq, Wq, O, K, I, float>(gq.data(), wrot.data(), nullptr, oracle.data(), false);

    const auto ga = absolute(gr), wa = absolute(wrot);
    std::vector<double> gqa(gq.size()), abs_sum(din.size());
    const auto mask_d = std::vector<double>(mask.begin(), mask.end());
    kernels::ref::pad_image<Ho, Wo, O, Q>(ga.data(), gqa.data(), mask_d.data());
    kernels::ref::conv2d_forward<Hq, Wq, O, K, I, double>(gqa.data(), wa.data(), nullptr, abs_sum.data(), false);
    require_within_bound(din, oracle, abs_sum, std::size_t(K) * K * O);
}

// Kernel gradient summed over `images` images, every tile run.
template <int H, int W, int I, int K, int O, int P>
void check_kernel_gradient(std::uint64_t seed, int images = 2) {
    INFO("kernel gradient " << H << "x" << W << "x" << I << " -> " << O << ", k " << K << ", pad " << P);
    constexpr int Hp = H + 2 * P, Wp = W + 2 * P, Ho = Hp - K + 1, Wo = Wp - K + 1;
    using Plan = Conv2DWeightsBf16Plan<Hp, Wp, I, K, O>;
    using Forward = Conv2DForwardBf16Plan<Hp, Wp, I, K, O>;
    const std::size_t image = std::size_t(H) * W * I, grad = std::size_t(Ho) * Wo * O, kernel = std::size_t(K) * K * I * O;
    const auto x = random_floats(image * images, seed), g = random_floats(grad * images, seed + 1);
    std::vector<Bf16> in(Forward::kInputBf16), in_pairs(Plan::kInputPairsBf16), g_pairs(Plan::kGradientPairsBf16);
    std::vector<float> dw(kernel, 0.0f), oracle(kernel, 0.0f), db(O, 0.0f);
    std::vector<double> abs_sum(kernel, 0.0), dba(O, 0.0);
    const auto xr = rounded(x), gr = rounded(g);
    const auto xa = absolute(xr), ga = absolute(gr);
    std::vector<float> xp(std::size_t(Hp) * Wp * I);
    std::vector<double> xpa(xp.size());
    for (int r = 0; r < images; ++r) {
        pad_image_bf16<H, W, I, P>(x.data() + r * image, in.data());
        pair_pixels_bf16<Hp, Wp, Forward::Ie>(in.data(), in_pairs.data());
        pair_gradient_bf16<Ho, Wo, O, Wo>(g.data() + r * grad, g_pairs.data());
        for (int t = 0; t < Plan::kTiles; ++t)
            conv2d_backward_weights_bf16_tile_image<Hp, Wp, I, K, O>(in_pairs.data(), g_pairs.data(), dw.data(), t);
        kernels::ref::pad_image<H, W, I, P>(xr.data() + r * image, xp.data());
        kernels::ref::conv2d_backward_weights<Hp, Wp, I, K, O>(xp.data(), gr.data() + r * grad, oracle.data(), db.data());
        kernels::ref::pad_image<H, W, I, P>(xa.data() + r * image, xpa.data());
        kernels::ref::conv2d_backward_weights<Hp, Wp, I, K, O>(xpa.data(), ga.data() + r * grad, abs_sum.data(), dba.data());
    }
    require_within_bound(dw, oracle, abs_sum, std::size_t(images) * Ho * Wo);
}

// The three dense kernels on a batch of `rows`, each against its oracle.
template <int I, int O>
void check_dense(int rows, std::uint64_t seed) {
    INFO("dense " << I << " -> " << O << ", " << rows << " rows");
    using Plan = DenseWeightsBf16Plan<I, O>;
    const auto x = random_floats(std::size_t(rows) * I, seed), k = random_floats(std::size_t(I) * O, seed + 1, -0.3f, 0.3f);
    const auto b = random_floats(O, seed + 2), g = random_floats(std::size_t(rows) * O, seed + 3);
    const auto xr = rounded(x), kr = rounded(k), gr = rounded(g);
    const auto xa = absolute(xr), ka = absolute(kr), ga = absolute(gr), ba = absolute(b);

    std::vector<Bf16> xb(std::size_t(rows) * bf16_pair_channels(I)), gb(std::size_t(rows) * bf16_pair_channels(O));
    std::vector<Bf16> packed(kDensePackedBf16<I, O>), packed_t(kDensePackedBf16<O, I>);
    convert_rows_to_bf16<I>(x.data(), rows, xb.data());
    convert_rows_to_bf16<O>(g.data(), rows, gb.data());
    pack_dense_kernel_bf16<I, O>(k.data(), packed.data());
    pack_dense_transposed_kernel_bf16<I, O>(k.data(), packed_t.data());

    std::vector<float> out(std::size_t(rows) * O), oracle(out.size());
    std::vector<double> abs_sum(out.size());
    dense_forward_bf16<I, O>(xb.data(), rows, packed.data(), b.data(), out.data(), true);
    kernels::ref::dense_forward<I, O>(xr.data(), rows, kr.data(), b.data(), oracle.data(), true);
    kernels::ref::dense_forward<I, O>(xa.data(), rows, ka.data(), ba.data(), abs_sum.data(), false);
    require_within_bound(out, oracle, abs_sum, std::size_t(I) + 1);

    std::vector<float> din(std::size_t(rows) * I), din_oracle(din.size());
    std::vector<double> din_abs(din.size());
    dense_forward_bf16<O, I>(gb.data(), rows, packed_t.data(), nullptr, din.data(), false);
    kernels::ref::dense_backward_input<I, O>(gr.data(), rows, kr.data(), din_oracle.data());
    kernels::ref::dense_backward_input<I, O>(ga.data(), rows, ka.data(), din_abs.data());
    require_within_bound(din, din_oracle, din_abs, std::size_t(O));

    std::vector<Bf16> x_pairs(Plan::input_pairs(rows)), g_pairs(Plan::gradient_pairs(rows));
    pair_items_bf16<I>(x.data(), rows, x_pairs.data());
    pair_items_bf16<O>(g.data(), rows, g_pairs.data());
    std::vector<float> dk(static_cast<std::size_t>(I) * O, 1e30f), dk_oracle(dk.size()), db(O);
    std::vector<double> dk_abs(dk.size()), dba(O);
    for (int t = 0; t < Plan::kTiles; ++t)
        dense_backward_weights_bf16_tile_task<I, O>(x_pairs.data(), g_pairs.data(), rows, dk.data(), t);
    kernels::ref::dense_backward_weights<I, O>(xr.data(), gr.data(), rows, dk_oracle.data(), db.data());
    kernels::ref::dense_backward_weights<I, O>(xa.data(), ga.data(), rows, dk_abs.data(), dba.data());
    require_within_bound(dk, dk_oracle, dk_abs, std::size_t(rows));
}

}  // namespace

TEST_CASE("vector bf16 conversion gives to_bf16's bits, ties, denormals and tails included", "[kernels][bf16]") {
    if (!bf16_kernels_run_here()) return;
    auto v = random_floats(203, 7, -4.0f, 4.0f);
    const float specials[] = {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 0x1p-130f, -0x1p-140f, 0.0f, -0.0f,
                              std::numeric_limits<float>::max(), -std::numeric_limits<float>::infinity(), 0x1p-126f};
    for (std::size_t k = 0; k < std::size(specials); ++k) v[5 * k + 1] = specials[k];
    const auto mask = random_floats(v.size(), 8);
    for (bool masked : {false, true}) {
        std::vector<Bf16> fast(v.size());
        convert_to_bf16(v.data(), fast.data(), v.size(), masked ? mask.data() : nullptr);
        for (std::size_t e = 0; e < v.size(); ++e) {
            INFO("element " << e << " = " << v[e] << ", masked " << masked);
            REQUIRE(fast[e] == (masked && !(mask[e] > 0) ? Bf16(0) : to_bf16(v[e])));
        }
    }
}

TEST_CASE("bf16 forward convolution is within the fp32 accumulation bound of the oracle", "[kernels][bf16][conv2d]") {
    if (!bf16_kernels_run_here()) return;
    check_forward<31, 31, 24, 3, 64, 1>(10);   // fastcifar's first convolution
    check_forward<15, 15, 64, 3, 256, 1>(11);  // fastcifar's block 2
    check_forward<7, 7, 256, 3, 256, 1>(12);   // block 3, two rows per tile
    check_forward<3, 3, 256, 3, 256, 1>(13);   // the whole map in one tile
    check_forward<9, 11, 3, 3, 24, 1>(14);     // odd input channels, a masked last vector
    check_forward<6, 5, 17, 3, 40, 0>(15);     // no padding, 2 + a half vector
    check_forward<5, 20, 32, 1, 16, 0>(16);    // 1x1, rows longer than a tile
}

TEST_CASE("bf16 input gradient is within the fp32 accumulation bound of the oracle", "[kernels][bf16][conv2d]") {
    if (!bf16_kernels_run_here()) return;
    check_input_gradient<15, 15, 64, 3, 64, 1>(20);
    check_input_gradient<7, 7, 256, 3, 256, 1>(21);
    check_input_gradient<9, 11, 24, 3, 3, 1>(22);  // 3 input channels: a masked vector of 3
    check_input_gradient<6, 5, 40, 3, 17, 0>(23);  // odd output channels: a zero channel pairs the last
}

TEST_CASE("bf16 kernel gradient is within the fp32 accumulation bound of the oracle", "[kernels][bf16][conv2d]") {
    if (!bf16_kernels_run_here()) return;
    check_kernel_gradient<31, 31, 24, 3, 64, 1>(30);  // odd rows: a zero pixel ends each
    check_kernel_gradient<15, 15, 64, 3, 256, 1>(31);
    check_kernel_gradient<7, 7, 256, 3, 256, 1>(32, 3);
    check_kernel_gradient<4, 6, 5, 3, 24, 1>(33);  // even rows, short tiles, a masked vector
    check_kernel_gradient<6, 5, 17, 3, 40, 0>(34);
}

TEST_CASE("the bound catches an operand left unrounded and a dropped kernel position", "[kernels][bf16][conv2d]") {
    if (!bf16_kernels_run_here()) return;
    // Every input 1 + 3 * 2^-10, which bf16 holds as 1, and positive weights: the unrounded
    // oracle is 0.3% above the kernel's sums, the bound 2 * 577 * 2^-24 = 0.007%.
    const std::vector<float> ones(std::size_t(15) * 15 * 64, 1.0f + 3 * 0x1p-10f);
    const auto w = random_floats(std::size_t(9) * 64 * 64, 40, 0.0f, 0.3f), b = random_floats(64, 41, 0.0f, 1.0f);
    CHECK(forward_against_oracle<15, 15, 64, 3, 64, 1>(ones, w, b, false).violations == 0);
    CHECK(forward_against_oracle<15, 15, 64, 3, 64, 1>(ones, w, b, false, -1, true).violations > 0);
    // A dropped kernel position (the centre, which no padding hides), on signed data.
    const auto x = random_floats(std::size_t(15) * 15 * 64, 42), ws = random_floats(w.size(), 43, -0.3f, 0.3f);
    CHECK(forward_against_oracle<15, 15, 64, 3, 64, 1>(x, ws, b, false).violations == 0);
    CHECK(forward_against_oracle<15, 15, 64, 3, 64, 1>(x, ws, b, false, 4).violations > 0);
}

TEST_CASE("bf16 dense kernels are within the fp32 accumulation bound of the oracle", "[kernels][bf16][dense]") {
    if (!bf16_kernels_run_here()) return;
    check_dense<256, 10>(1024, 50);  // fastcifar's classifier at its batch
    check_dense<2048, 512>(32, 51);  // a cnn-sized hidden layer
    check_dense<37, 45>(29, 52);     // odd everything: zero channel, masked vector, odd rows, short tiles
    check_dense<64, 64>(1, 53);      // one row
}

#else

TEST_CASE("bf16 convolution kernels", "[kernels][bf16][conv2d]") {
    std::printf("%sthis build has no bf16 kernels (its -march lacks AVX512_BF16)\n", test::kSkipMarker);
}

#endif
