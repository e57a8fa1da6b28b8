// statnn/kernels/max_norm.hpp — the max-norm constraint of a dense kernel (ref/max_norm.hpp)
// as tasks (see dispatch.hpp).
#pragma once

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/max_norm.hpp"
#include "statnn/kernels/simd/max_norm.hpp"

namespace statnn::kernels {

// Keras max-norm of a [Rows][Cols] kernel, one norm per column, in three phases:
// norms (tasks over column groups), factors (serial, returns the clipped count), and
// scaling (tasks over row blocks). `norms` is scratch of Cols floats.
template <int Rows, int Cols>
struct MaxNormConstraint {
    // A task of the vector kernel takes four vectors of columns (the last task what is left).
    static constexpr bool kSimd = use_simd<true>;
    static constexpr bool kRunsSimd = kSimd;
    static constexpr int kGroup = kSimd ? 4 * int(kFloatLanes) : Cols;
    static constexpr int kNormTasks = (Cols + kGroup - 1) / kGroup;
    static constexpr int kRowBlock = 64;
    static constexpr int kScaleTasks = (Rows + kRowBlock - 1) / kRowBlock;

    static void norms_task(const float* k, float* norms, int task) {
        const int c1 = (task + 1) * kGroup < Cols ? (task + 1) * kGroup : Cols;
        if constexpr (kSimd) simd::column_norms<Rows, Cols>(k, task * kGroup, c1, norms);
        else ref::column_norms<Rows, Cols>(k, task * kGroup, c1, norms);
    }

    // norms -> per-column factors clip(n, 0, max) / (eps + n); returns columns above max.
    static int factors(float* norms, float max_value, float eps) {
        return ref::max_norm_factors<Cols>(norms, max_value, eps);
    }

    static void scale_task(float* k, const float* factors, int task) {
        const int r1 = (task + 1) * kRowBlock < Rows ? (task + 1) * kRowBlock : Rows;
        if constexpr (use_simd<true>) simd::scale_columns<Cols>(k, factors, task * kRowBlock, r1);
        else ref::scale_columns<Cols>(k, factors, task * kRowBlock, r1);
    }
};

}  // namespace statnn::kernels
