// statnn/kernels/ref/sgd.hpp — the Keras SGD update (the test oracle of simd/sgd.hpp).
#pragma once

#include <cstddef>

namespace statnn::kernels::ref {

// One Keras-2 SGD update of n parameters with learning rate lr_t (already decayed):
//   v = m*v - lr_t*g;  w += v            (nesterov = false)
//   v = m*v - lr_t*g;  w += m*v - lr_t*g (nesterov = true)
// With m = 0 both forms are w -= lr_t*g, and v is left untouched.
inline void sgd_update(float* w, float* v, const float* g, std::size_t n, float lr_t, float m, bool nesterov) {
    if (m == 0.0f) {
        for (std::size_t e = 0; e < n; ++e) w[e] -= lr_t * g[e];
        return;
    }
    for (std::size_t e = 0; e < n; ++e) {
        const float ve = m * v[e] - lr_t * g[e];
        v[e] = ve;
        w[e] += nesterov ? m * ve - lr_t * g[e] : ve;
    }
}

}  // namespace statnn::kernels::ref
