// statnn/kernels/simd/max_norm.hpp — the column norms and scaling of ref/max_norm.hpp with
// xsimd. The norms sum in float, in blocks of rows so rounding stays small, where the
// reference sums in double.
#pragma once

#include <cstddef>

#include "statnn/kernels/simd/channel_blocks.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

namespace detail {

// Column norms of rows [0, Rows) for the columns [c0, c0 + VL*NV) of a [Rows][Cols]
// kernel, VL = Wd::lanes.
template <int Rows, int Cols, int NV, class Wd = Width<L>>
void column_norm_vectors(const float* k, int c0, float* norms) {
    using V = typename Wd::V;
    constexpr int kBlock = 64, VL = Wd::lanes;
    V total[NV];
    for (int v = 0; v < NV; ++v) total[v] = V(0.0f);
    for (int r0 = 0; r0 < Rows; r0 += kBlock) {
        V part[NV];
        for (int v = 0; v < NV; ++v) part[v] = V(0.0f);
        const int r1 = r0 + kBlock < Rows ? r0 + kBlock : Rows;
        for (int r = r0; r < r1; ++r)
            for (int v = 0; v < NV; ++v) {
                const V x = Wd::load(k + std::size_t(r) * Cols + c0 + v * VL);
                part[v] = Wd::fma(x, x, part[v]);
            }
        for (int v = 0; v < NV; ++v) total[v] = total[v] + part[v];
    }
    for (int v = 0; v < NV; ++v) Wd::store(norms + c0 + v * VL, Wd::sqrt(total[v]));
}

}  // namespace detail

// Columns in groups of this many vectors, one register each.
inline constexpr int kNormVectors = 4;

// norms[j] = ||k[:, j]|| for the columns [c0, c1): groups of kNormVectors vectors, then
// single ones; when c1 is the last column, the columns past the last whole vector in
// narrower vectors.
template <int Rows, int Cols>
void column_norms(const float* k, int c0, int c1, float* norms) {
    int c = c0;
    for (; c + kNormVectors * L <= c1; c += kNormVectors * L)
        detail::column_norm_vectors<Rows, Cols, kNormVectors>(k, c, norms);
    for (; c + L <= c1; c += L) detail::column_norm_vectors<Rows, Cols, 1>(k, c, norms);
    if (c1 == Cols)
        for_each_tail_block<Cols>([&](int t0, auto width) {
            detail::column_norm_vectors<Rows, Cols, 1, decltype(width)>(k, t0, norms);
        });
}

// k[i][j] *= factors[j] for the rows [r0, r1).
template <int Cols>
void scale_columns(float* k, const float* factors, int r0, int r1) {
    for (int i = r0; i < r1; ++i) {
        float* row = k + std::size_t(i) * Cols;
        int j = 0;
        for (; j + L <= Cols; j += L) store(row + j, load(row + j) * load(factors + j));
        for (; j < Cols; ++j) row[j] *= factors[j];
    }
}

}  // namespace statnn::kernels::simd

#endif
