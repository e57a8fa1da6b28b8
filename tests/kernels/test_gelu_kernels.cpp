// tests/kernels/test_gelu_kernels.cpp — GELU kernels: the reference against its defining
// formulas (x·Φ(x) with erf, the tanh approximation with tanh) and finite differences in
// double, and the xsimd kernel against the reference.
#include <cmath>
#include <vector>

#include "catch.hpp"
#include "statnn/kernels/gelu.hpp"
#include "support/gradcheck.hpp"
#include "support/kernel_checks.hpp"

using namespace statnn;
using namespace statnn::test;
using statnn::kernels::GeluForm;
namespace ref = statnn::kernels::ref;

namespace {

// The textbook forms, with 1 + erf and 1 + tanh (fine in double away from the far tail).
double gelu_erf_textbook(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
double gelu_tanh_textbook(double x) {
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

template <GeluForm Form>
void check_simd_against_reference(std::size_t n) {
    INFO("n = " << n << (Form == GeluForm::Erf ? ", erf" : ", tanh"));
    AlignedFloats x(n), dy(n), y(n), y_ref(n), dx(n), dx_ref(n);
    fill_uniform(x, 1, -7.0f, 7.0f);
    fill_uniform(dy, 2);
    if (n > 3) x[0] = 0.0f, x[1] = -30.0f, x[2] = 30.0f;
    // Both sides round: libm's erfc/exp against xsimd's, each a few ulps, and about ten
    // float operations after them. 4e-6 of the tensor's scale is some 30 ulps.
    constexpr double tol = 4e-6;
    kernels::gelu_forward<Form>(x.data(), y.data(), n);
    ref::gelu_forward<Form>(x.data(), y_ref.data(), n);
    require_close_to(y.data(), y_ref.data(), n, tol);
    kernels::gelu_backward<Form>(x.data(), dy.data(), dx.data(), n);
    ref::gelu_backward<Form>(x.data(), dy.data(), dx_ref.data(), n);
    require_close_to(dx.data(), dx_ref.data(), n, tol);
    for (std::size_t e = 0; e < n; ++e) REQUIRE((std::isfinite(y[e]) && std::isfinite(dx[e])));
    // In place, as the fused activations use it.
    kernels::gelu_backward<Form>(x.data(), dy.data(), dy.data(), n);
    require_same_floats(dy.data(), dx.data(), n);
}

}  // namespace

TEST_CASE("reference GELU: erf and tanh forms against their textbook formulas", "[kernels][gelu]") {
    for (double x = -6.0; x <= 6.0; x += 0.125) {
        CHECK(ref::gelu<GeluForm::Erf>(x) == Approx(gelu_erf_textbook(x)).margin(1e-15));
        CHECK(ref::gelu<GeluForm::Tanh>(x) == Approx(gelu_tanh_textbook(x)).margin(1e-15));
    }
    CHECK(ref::gelu<GeluForm::Erf>(1.0) == Approx(0.8413447460685429));  // Φ(1)
    CHECK(ref::gelu<GeluForm::Erf>(0.0) == 0.0);
    // Far left, the product form keeps its digits where 1 + erf(x/√2) has none left.
    CHECK(ref::gelu<GeluForm::Erf>(-10.0f) == Approx(-10.0 * 0.5 * std::erfc(10.0 / std::sqrt(2.0))).epsilon(1e-5));
    CHECK(ref::gelu<GeluForm::Erf>(-10.0f) < 0.0f);
    CHECK(ref::gelu<GeluForm::Tanh>(-10.0f) < 0.0f);
}

TEST_CASE("reference GELU derivatives match finite differences in double", "[kernels][gelu][gradients]") {
    for (GeluForm form : {GeluForm::Erf, GeluForm::Tanh}) {
        std::vector<double> x = random_doubles(200, 3, -6.0, 6.0), r = random_doubles(200, 4), dx(200);
        x[0] = 0.0;
        if (form == GeluForm::Erf) ref::gelu_backward<GeluForm::Erf>(x.data(), r.data(), dx.data(), x.size());
        else ref::gelu_backward<GeluForm::Tanh>(x.data(), r.data(), dx.data(), x.size());
        auto loss = [&] {
            std::vector<double> y(x.size());
            if (form == GeluForm::Erf) ref::gelu_forward<GeluForm::Erf>(x.data(), y.data(), y.size());
            else ref::gelu_forward<GeluForm::Tanh>(x.data(), y.data(), y.size());
            return dot(y, r);
        };
        check_gradient_fd(x, dx, loss, 1e-8);
    }
}

TEST_CASE("fast GELU kernels match the reference, tails included", "[kernels][simd][gelu]") {
    for (std::size_t n : {std::size_t(1), std::size_t(3), std::size_t(15), std::size_t(17), std::size_t(1000),
                          std::size_t(32 * 32 * 24), std::size_t(27 * 27 * 5)}) {
        check_simd_against_reference<GeluForm::Erf>(n);
        check_simd_against_reference<GeluForm::Tanh>(n);
    }
}
