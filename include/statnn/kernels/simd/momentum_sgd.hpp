// statnn/kernels/simd/momentum_sgd.hpp — the momentum SGD update of ref/momentum_sgd.hpp
// with xsimd: the same operations in the same order, L elements at a time (the compiler
// may fuse a multiply and an add differently in the two, so results agree to a few ulp).
#pragma once

#include <cstddef>

#include "statnn/kernels/ref/momentum_sgd.hpp"
#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

namespace detail {

// Nesterov or not is fixed per step: one loop each, no per-element choice.
template <bool Nesterov>
void momentum_sgd_loop(float* w, float* b, const float* g, std::size_t n, const MomentumSgdCoefficients& c) {
    const B lr(c.lr), mom(c.momentum), keep(c.keep), l2(c.l2);
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) {
        const B we = keep * load(w + e);
        const B ge = load(g + e) + l2 * we;
        const B be = mom * load(b + e) + ge;
        store(b + e, be);
        store(w + e, we - lr * (Nesterov ? ge + mom * be : be));
    }
    ref::momentum_sgd_update(w + e, b + e, g + e, n - e, c);
}

}  // namespace detail

inline void momentum_sgd_update(float* w, float* b, const float* g, std::size_t n, const MomentumSgdCoefficients& c) {
    if (c.nesterov)
        detail::momentum_sgd_loop<true>(w, b, g, n, c);
    else
        detail::momentum_sgd_loop<false>(w, b, g, n, c);
}

}  // namespace statnn::kernels::simd

#endif
