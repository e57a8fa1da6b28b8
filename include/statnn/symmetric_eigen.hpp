// statnn/symmetric_eigen.hpp — eigenvalues and eigenvectors of a small symmetric matrix
// (cyclic Jacobi rotations, in double), for initialisations computed from data such as
// PatchWhitening's. N is known at compile time; nothing allocates.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>

namespace statnn {

template <int N>
struct SymmetricEigen {
    std::array<double, N> value{};           // descending
    std::array<double, std::size_t(N) * N> vector{};  // vector[i * N + k]: component i of eigenvector k
};

// a: N x N, symmetric (row-major). Converges to machine precision in a few sweeps for
// the sizes it is used at (N <= 48).
template <int N>
SymmetricEigen<N> symmetric_eigen(std::array<double, std::size_t(N) * N> a) {
    SymmetricEigen<N> e;
    auto A = [&](int i, int j) -> double& { return a[std::size_t(i) * N + j]; };
    auto V = [&](int i, int j) -> double& { return e.vector[std::size_t(i) * N + j]; };
    for (int i = 0; i < N; ++i) V(i, i) = 1.0;
    for (int sweep = 0; sweep < 64; ++sweep) {
        double off = 0.0, scale = 0.0;
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) (i == j ? scale : off) += A(i, j) * A(i, j);
        if (off <= 1e-30 * scale || off == 0.0) break;
        for (int p = 0; p < N - 1; ++p)
            for (int q = p + 1; q < N; ++q) {
                if (A(p, q) == 0.0) continue;
                // The rotation that zeroes A(p, q): tan(2θ) = 2 A(p,q) / (A(q,q) − A(p,p)).
                const double theta = (A(q, q) - A(p, p)) / (2.0 * A(p, q));
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (int k = 0; k < N; ++k) {  // columns p and q
                    const double akp = A(k, p), akq = A(k, q);
                    A(k, p) = c * akp - s * akq;
                    A(k, q) = s * akp + c * akq;
                }
                for (int k = 0; k < N; ++k) {  // rows p and q
                    const double apk = A(p, k), aqk = A(q, k);
                    A(p, k) = c * apk - s * aqk;
                    A(q, k) = s * apk + c * aqk;
                }
                for (int k = 0; k < N; ++k) {
                    const double vkp = V(k, p), vkq = V(k, q);
                    V(k, p) = c * vkp - s * vkq;
                    V(k, q) = s * vkp + c * vkq;
                }
            }
    }
    for (int k = 0; k < N; ++k) e.value[std::size_t(k)] = A(k, k);
    // Descending order (selection sort: N is small), columns moving with their values.
    for (int k = 0; k < N; ++k) {
        int best = k;
        for (int j = k + 1; j < N; ++j)
            if (e.value[std::size_t(j)] > e.value[std::size_t(best)]) best = j;
        if (best == k) continue;
        std::swap(e.value[std::size_t(k)], e.value[std::size_t(best)]);
        for (int i = 0; i < N; ++i) std::swap(V(i, k), V(i, best));
    }
    return e;
}

}  // namespace statnn
