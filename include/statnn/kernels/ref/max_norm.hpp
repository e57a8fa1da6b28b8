// statnn/kernels/ref/max_norm.hpp — Keras max_norm, the kernel constraint of dense layers
// (the test oracle of simd/max_norm.hpp).
//
// On a kernel in [rows][cols] layout, one norm per output unit (column):
//   n_j = ||k[:, j]||,  k[:, j] *= clip(n_j, 0, max) / (eps + n_j)
// applied to every column, as Keras does.
#pragma once

#include <cmath>
#include <cstddef>

namespace statnn::kernels::ref {

// norms[j] = ||k[:, j]|| for the columns [c0, c1), each summed in double.
template <int Rows, int Cols>
void column_norms(const float* k, int c0, int c1, float* norms) {
    for (int j = c0; j < c1; ++j) {
        double s = 0.0;
        for (int i = 0; i < Rows; ++i) s += double(k[std::size_t(i) * Cols + j]) * k[std::size_t(i) * Cols + j];
        norms[j] = float(std::sqrt(s));
    }
}

// norms -> per-column factors clip(n, 0, max) / (eps + n), in place; returns how many
// columns were above max (they are shrunk).
template <int Cols>
int max_norm_factors(float* norms, float max_value, float eps) {
    int clipped = 0;
    for (int j = 0; j < Cols; ++j) {
        const float nj = norms[j];
        clipped += nj > max_value;
        norms[j] = (nj > max_value ? max_value : nj) / (eps + nj);
    }
    return clipped;
}

// k[i][j] *= factors[j] for the rows [r0, r1).
template <int Cols>
void scale_columns(float* k, const float* factors, int r0, int r1) {
    for (int i = r0; i < r1; ++i)
        for (int j = 0; j < Cols; ++j) k[std::size_t(i) * Cols + j] *= factors[j];
}

// The whole constraint; `norms` is scratch of Cols floats. Returns the clipped count.
template <int Rows, int Cols>
int max_norm(float* k, float max_value, float eps, float* norms) {
    column_norms<Rows, Cols>(k, 0, Cols, norms);
    const int clipped = max_norm_factors<Cols>(norms, max_value, eps);
    scale_columns<Cols>(k, norms, 0, Rows);
    return clipped;
}

}  // namespace statnn::kernels::ref
