// statnn/kernels/sgd.hpp — optimizer kernels (see conv2d.hpp), as independent tasks.
#pragma once

#include <cmath>
#include <cstddef>

#include "statnn/kernels/ref/sgd.hpp"
#include "statnn/kernels/simd/eltwise.hpp"

namespace statnn::kernels {

// The SGD update of n parameters in chunks: task t updates [t*kChunk, (t+1)*kChunk).
struct SgdUpdate {
    static constexpr std::size_t kChunk = std::size_t(1) << 14;
    static int tasks(std::size_t n) { return int((n + kChunk - 1) / kChunk); }
    static void run(int task, float* w, float* v, const float* g, std::size_t n, float lr_t, float m, bool nesterov) {
        const std::size_t first = std::size_t(task) * kChunk;
        const std::size_t count = n - first < kChunk ? n - first : kChunk;
#if !defined(STATNN_NO_SIMD)
        simd::sgd_update(w + first, v + first, g + first, count, lr_t, m, nesterov);
#else
        ref::sgd_update(w + first, v + first, g + first, count, lr_t, m, nesterov);
#endif
    }
};

// Keras max-norm of a [Rows][Cols] kernel, one norm per column, in three phases:
// norms (tasks over column groups), factors (serial, returns the clipped count), and
// scaling (tasks over row blocks). `norms` is scratch of Cols floats.
template <int Rows, int Cols>
struct MaxNormConstraint {
#if !defined(STATNN_NO_SIMD)
    static constexpr bool kSimd = Cols % (4 * simd::L) == 0;
    static constexpr int kGroup = kSimd ? 4 * simd::L : Cols;
#else
    static constexpr bool kSimd = false;
    static constexpr int kGroup = Cols;
#endif
    static constexpr int kNormTasks = Cols / kGroup;
    static constexpr int kRowBlock = 64;
    static constexpr int kScaleTasks = (Rows + kRowBlock - 1) / kRowBlock;

    static void norms_task(const float* k, float* norms, int task) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kSimd) return simd::column_norms<Rows, Cols, 4>(k, task * kGroup, norms);
#endif
        for (int j = 0; j < Cols; ++j) {
            double s = 0.0;
            for (int i = 0; i < Rows; ++i) s += double(k[std::size_t(i) * Cols + j]) * k[std::size_t(i) * Cols + j];
            norms[j] = float(std::sqrt(s));
        }
    }

    // norms -> per-column factors clip(n, 0, max) / (eps + n); returns columns above max.
    static int factors(float* norms, float max_value, float eps) {
        int clipped = 0;
        for (int j = 0; j < Cols; ++j) {
            const float nj = norms[j];
            clipped += nj > max_value;
            norms[j] = (nj > max_value ? max_value : nj) / (eps + nj);
        }
        return clipped;
    }

    static void scale_task(float* k, const float* factors, int task) {
        const int r1 = (task + 1) * kRowBlock < Rows ? (task + 1) * kRowBlock : Rows;
        for (int i = task * kRowBlock; i < r1; ++i) {
            float* row = k + std::size_t(i) * Cols;
            int j = 0;
#if !defined(STATNN_NO_SIMD)
            for (; j + simd::L <= Cols; j += simd::L) simd::store(row + j, simd::load(row + j) * simd::load(factors + j));
#endif
            for (; j < Cols; ++j) row[j] *= factors[j];
        }
    }
};

}  // namespace statnn::kernels
