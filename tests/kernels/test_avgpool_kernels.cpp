// tests/kernels/test_avgpool_kernels.cpp — average pooling kernels: the reference against
// an xtensor formulation and the adjoint identity of its backward pass, and the xsimd
// kernels against the reference (forward bit for bit: same sums in the same order).
#include <cmath>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "catch.hpp"
#include "statnn/kernels/avgpool.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;
namespace ref = statnn::kernels::ref;

namespace {

template <int H, int W, int C, int K, int S>
void check_reference() {
    INFO("avgpool " << H << "x" << W << "x" << C << ", window " << K << ", stride " << S);
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    const auto x = random_doubles(std::size_t(H) * W * C, 1), g = random_doubles(std::size_t(Ho) * Wo * C, 2);
    std::vector<double> y(g.size()), dx(x.size());
    ref::avgpool2d_forward<H, W, C, K, S>(x.data(), y.data());
    ref::avgpool2d_backward<H, W, C, K, S>(g.data(), dx.data());
    const auto X = xt::adapt(x, std::vector<std::size_t>{std::size_t(H), std::size_t(W), std::size_t(C)});
    for (int oy = 0; oy < Ho; ++oy)
        for (int ox = 0; ox < Wo; ++ox) {
            const xt::xtensor<double, 1> m =
                xt::mean(xt::view(X, xt::range(oy * S, oy * S + K), xt::range(ox * S, ox * S + K), xt::all()), {0, 1});
            for (int c = 0; c < C; ++c) REQUIRE(y[(std::size_t(oy) * Wo + ox) * C + c] == Approx(m(c)).margin(1e-14));
        }
    // The backward pass is the forward's adjoint: <forward(x), g> = <x, backward(g)>.
    CHECK(dot(y, g) == Approx(dot(x, dx)).epsilon(1e-12));
}

template <int H, int W, int C, int K, int S>
void check_simd(int images) {
    INFO("avgpool " << images << " x " << H << "x" << W << "x" << C << ", window " << K << ", stride " << S);
    constexpr std::size_t in_size = std::size_t(H) * W * C, out_size = std::size_t((H - K) / S + 1) * ((W - K) / S + 1) * C;
    AlignedFloats x(images * in_size), g(images * out_size), y(images * out_size), y_ref(y.size()), dx(x.size()),
        dx_ref(x.size());
    fill_uniform(x, 3);
    fill_uniform(g, 4);
    for (std::size_t e = 0; e < dx.size(); ++e) dx[e] = 99.0f;  // must be overwritten everywhere
    for (int r = 0; r < images; ++r) {
        kernels::avgpool2d_forward<H, W, C, K, S>(x.data() + r * in_size, y.data() + r * out_size);
        ref::avgpool2d_forward<H, W, C, K, S>(x.data() + r * in_size, y_ref.data() + r * out_size);
        kernels::avgpool2d_backward<H, W, C, K, S>(g.data() + r * out_size, dx.data() + r * in_size);
        ref::avgpool2d_backward<H, W, C, K, S>(g.data() + r * out_size, dx_ref.data() + r * in_size);
    }
    require_same_floats(y.data(), y_ref.data(), y.size());
    // Overlapping windows add share = dout / K² into din: the compiler may fuse the
    // reference's multiply and add (GCC contracts them on armv7's VFPv4, not on x86-64 or
    // aarch64 here) where the vector kernel rounds the product first, so the gradients
    // agree to rounding, not bit for bit.
    require_close_to(dx.data(), dx_ref.data(), dx.size(), 1e-6);
}

template <int H, int W, int C>
void check_global(int images) {
    INFO("global avgpool " << images << " x " << H << "x" << W << "x" << C);
    constexpr std::size_t in_size = std::size_t(H) * W * C;
    AlignedFloats x(images * in_size), g(images * C), y(images * C), y_ref(y.size()), dx(x.size()), dx_ref(x.size());
    fill_uniform(x, 5);
    fill_uniform(g, 6);
    for (int r = 0; r < images; ++r) {
        kernels::global_avgpool_forward<H, W, C>(x.data() + r * in_size, y.data() + r * C);
        ref::global_avgpool_forward<H, W, C>(x.data() + r * in_size, y_ref.data() + r * C);
        kernels::global_avgpool_backward<H, W, C>(g.data() + r * C, dx.data() + r * in_size);
        ref::global_avgpool_backward<H, W, C>(g.data() + r * C, dx_ref.data() + r * in_size);
    }
    require_close_to(y.data(), y_ref.data(), y.size(), 1e-6);  // float row sums against a double sum
    require_same_floats(dx.data(), dx_ref.data(), dx.size());
}

}  // namespace

TEST_CASE("reference average pooling: windows' means, floor, overlaps, adjoint backward", "[kernels][avgpool]") {
    check_reference<6, 6, 3, 2, 2>();
    check_reference<7, 5, 2, 2, 2>();  // floor: a row and a column outside every window
    check_reference<9, 8, 4, 3, 2>();  // overlapping windows
    check_reference<5, 6, 2, 3, 1>();
    check_reference<7, 7, 1, 2, 3>();  // gaps between windows
    // Global: the mean of each channel; backward spreads dout evenly.
    const auto x = random_doubles(4 * 5 * 3, 7);
    std::vector<double> y(3), dx(x.size());
    ref::global_avgpool_forward<4, 5, 3>(x.data(), y.data());
    for (int c = 0; c < 3; ++c) {
        double s = 0;
        for (int p = 0; p < 20; ++p) s += x[p * 3 + c];
        CHECK(y[c] == Approx(s / 20).epsilon(1e-14));
    }
    const double g[3] = {1, -2, 4};
    ref::global_avgpool_backward<4, 5, 3>(g, dx.data());
    CHECK(dx[0] == Approx(0.05));
    CHECK(dx[59] == Approx(0.2));
}

TEST_CASE("fast average pooling equals the reference: forward bit for bit, backward to rounding (odd channels, batches of 1 and 3)",
          "[kernels][simd][avgpool]") {
    constexpr int Lw = int(kFloatLanes);
    for (int images : {1, 3}) {
        check_simd<32, 32, 64, 2, 2>(images);
        check_simd<8, 8, 24, 2, 2>(images);
        check_simd<7, 9, Lw + 3, 3, 2>(images);
        check_simd<6, 5, 2 * Lw + 1, 3, 1>(images);
        check_simd<5, 5, 3, 2, 2>(images);
        check_simd<6, 6, 5, 2, 2>(images);
        check_simd<5, 7, 1, 2, 2>(images);
        check_simd<9, 9, Lw, 2, 3>(images);
    }
}

TEST_CASE("fast global average pooling matches the reference", "[kernels][simd][avgpool]") {
    constexpr int Lw = int(kFloatLanes);
    for (int images : {1, 3}) {
        check_global<8, 8, 256>(images);
        check_global<32, 32, 24>(images);
        check_global<3, 5, Lw + 5>(images);
        check_global<1, 1, 7>(images);
    }
}
