// tests/support/kernel_checks.hpp — what the kernel tests of the newer layer families
// share: random fills, the comparisons of test_simd_kernels.cpp (sums within a tolerance
// of the tensor's scale, element-wise maps bit for bit) and central finite differences
// in double for the reference kernels.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include "catch.hpp"
#include "statnn/rng.hpp"

namespace statnn::test {

template <class Buffer>
void fill_uniform(Buffer& a, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = rng.uniform(lo, hi);
}

inline std::vector<double> random_doubles(std::size_t n, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
    Rng rng(seed);
    std::vector<double> v(n);
    for (auto& x : v) x = lo + (hi - lo) * double(rng.uniform01());
    return v;
}

// max|fast − ref| <= tol · max(max|ref|, 1)  (summation order moves long sums).
template <class A, class B>
void require_close_to(const A* fast, const B* ref, std::size_t n, double tol) {
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
    INFO("worst element " << at << " of " << n << ": " << double(fast[at]) << " against " << double(ref[at])
                          << ", tensor scale " << scale);
    REQUIRE(worst <= tol * scale);
}

// Every float identical (as floats: -0 equals +0).
inline void require_same_floats(const float* fast, const float* ref, std::size_t n) {
    std::size_t mismatches = 0, first = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (!(fast[i] == ref[i]) && mismatches++ == 0) first = i;
    INFO(mismatches << " mismatches of " << n << "; first at " << first << ": " << fast[first] << " against " << ref[first]);
    REQUIRE(mismatches == 0);
}

// Checks d loss / d v[e] = grad[e] for every e (or `samples` of them) by central
// differences of loss(), which reads v. Returns the worst error |numeric − analytic| /
// (1 + |analytic|).
inline double check_gradient_fd(std::vector<double>& v, const std::vector<double>& grad,
                                const std::function<double()>& loss, double tol, double h = 1e-6, int samples = 0) {
    REQUIRE(v.size() == grad.size());
    Rng pick(99);
    const std::size_t count = samples > 0 ? std::min<std::size_t>(std::size_t(samples), v.size()) : v.size();
    double worst = 0;
    for (std::size_t s = 0; s < count; ++s) {
        const std::size_t e = count == v.size() ? s : std::size_t(pick.below(v.size()));
        const double keep = v[e];
        v[e] = keep + h;
        const double lp = loss();
        v[e] = keep - h;
        const double lm = loss();
        v[e] = keep;
        const double numeric = (lp - lm) / (2 * h);
        const double err = std::fabs(numeric - grad[e]) / (1.0 + std::fabs(grad[e]));
        worst = std::max(worst, err);
        INFO("element " << e << ": numeric " << numeric << ", analytic " << grad[e]);
        REQUIRE(err <= tol);
    }
    return worst;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

}  // namespace statnn::test
