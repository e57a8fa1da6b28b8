// statnn/kernels/ref/sgd.hpp — Keras SGD update and max-norm constraint (the test oracle).
#pragma once

#include <cmath>
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

// Keras max_norm on a kernel in [rows][cols] layout, one norm per output unit (column):
//   n_j = ||k[:, j]||,  k[:, j] *= clip(n_j, 0, max) / (eps + n_j)
// Applied to every column, as Keras does. `norms` is scratch of `Cols` floats.
// Returns how many columns were above `max` (they were shrunk).
template <int Rows, int Cols>
int max_norm(float* k, float max_value, float eps, float* norms) {
    for (int j = 0; j < Cols; ++j) {
        double s = 0.0;
        for (int i = 0; i < Rows; ++i) s += double(k[std::size_t(i) * Cols + j]) * k[std::size_t(i) * Cols + j];
        norms[j] = float(std::sqrt(s));
    }
    int clipped = 0;
    for (int j = 0; j < Cols; ++j) {
        const float nj = norms[j];
        clipped += nj > max_value;
        norms[j] = (nj > max_value ? max_value : nj) / (eps + nj);  // now the column's factor
    }
    for (int i = 0; i < Rows; ++i)
        for (int j = 0; j < Cols; ++j) k[std::size_t(i) * Cols + j] *= norms[j];
    return clipped;
}

}  // namespace statnn::kernels::ref
