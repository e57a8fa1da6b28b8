// statnn/kernels/simd/sgd.hpp — the Keras SGD update of ref/sgd.hpp with xsimd, L
// elements at a time.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

inline void sgd_update(float* w, float* v, const float* g, std::size_t n, float lr_t, float mom, bool nesterov) {
    const B lr(lr_t), m(mom);
    std::size_t e = 0;
    if (mom == 0.0f) {
        for (; e < vector_end(n); e += L) store(w + e, xsimd::fnma(lr, load(g + e), load(w + e)));
        for (; e < n; ++e) w[e] -= lr_t * g[e];
        return;
    }
    for (; e < vector_end(n); e += L) {
        const B ge = load(g + e);
        const B ve = m * load(v + e) - lr * ge;
        store(v + e, ve);
        store(w + e, load(w + e) + (nesterov ? m * ve - lr * ge : ve));
    }
    for (; e < n; ++e) {
        const float ve = mom * v[e] - lr_t * g[e];
        v[e] = ve;
        w[e] += nesterov ? mom * ve - lr_t * g[e] : ve;
    }
}

}  // namespace statnn::kernels::simd

#endif
