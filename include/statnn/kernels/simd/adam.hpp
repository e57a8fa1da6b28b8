// statnn/kernels/simd/adam.hpp — the Adam update of ref/adam.hpp with xsimd: the same
// operations in the same order, L elements at a time. Square root and division are
// IEEE-exact on x86 and AArch64; ARMv7 NEON has neither and xsimd refines estimates
// there, so results agree with the reference to a few ulp.
#pragma once

#include <cstddef>

#include "statnn/kernels/ref/adam.hpp"
#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

inline void adam_update(float* w, float* m, float* v, const float* g, std::size_t n, const AdamCoefficients& c) {
    const B beta1(c.beta1), one_minus_beta1(c.one_minus_beta1), beta2(c.beta2), one_minus_beta2(c.one_minus_beta2);
    const B step_size(c.step_size), sqrt_bc2(c.sqrt_bc2), eps(c.eps), keep(c.keep), l2(c.l2);
    std::size_t e = 0;
    for (; e < vector_end(n); e += L) {
        const B we = keep * load(w + e);
        const B ge = load(g + e) + l2 * we;
        const B me = beta1 * load(m + e) + one_minus_beta1 * ge;
        const B ve = beta2 * load(v + e) + one_minus_beta2 * (ge * ge);
        store(m + e, me);
        store(v + e, ve);
        store(w + e, we - step_size * (me / (xsimd::sqrt(ve) / sqrt_bc2 + eps)));
    }
    ref::adam_update(w + e, m + e, v + e, g + e, n - e, c);
}

}  // namespace statnn::kernels::simd

#endif
