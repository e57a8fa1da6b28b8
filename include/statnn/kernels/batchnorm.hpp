// statnn/kernels/batchnorm.hpp — batch normalisation over channels, as tasks (see
// dispatch.hpp and, for the semantics, ref/batchnorm.hpp).
//
// Statistics need every row of the batch, so each operation has three steps: tasks over
// runs of rows write per-channel partial sums to scratch; the calling thread adds them
// in task order and derives per-channel coefficients, in double; tasks over the same
// runs apply them. A task sums its rows in blocks of about 32 KiB, which stay in cache
// while the vector kernel walks them channel block by channel block, and adds each
// block's float sums to its own double sums. The split depends on the row count only, so
// results are bit-identical for any thread count. `runner` is anything with
// run(tasks, fn): the network's ThreadPool, or SerialRunner.
//
// Pointers that may be null: gamma (scale 1), beta (shift 0), and the gradients not
// wanted (dx, dgamma, dbeta).
#pragma once

#include <cmath>
#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/batchnorm.hpp"
#include "statnn/kernels/simd/batchnorm.hpp"

namespace statnn::kernels {

template <int C>
struct BatchNorm {
    static_assert(C > 0, "BatchNorm: the channel count must be positive");
    static constexpr bool kRunsSimd = use_simd<true>;  // any channel count
    static constexpr std::size_t kRowsPerBlock = C >= 8192 ? 1 : 8192 / C;  // about 32 KiB of input
    static constexpr int kMaxTasks = 32;  // enough to share out; few partials to add up

    static constexpr std::size_t blocks(std::size_t rows) { return (rows + kRowsPerBlock - 1) / kRowsPerBlock; }
    static constexpr int tasks(std::size_t rows) { return blocks(rows) < kMaxTasks ? int(blocks(rows)) : kMaxTasks; }
    static constexpr std::size_t rows_per_task(std::size_t rows) {
        return (blocks(rows) + std::size_t(tasks(rows)) - 1) / std::size_t(tasks(rows)) * kRowsPerBlock;
    }
    // Per task: two double sums per channel (4C floats, first, so they stay 8-byte
    // aligned) and one block's two float sums (2C); then four coefficient vectors.
    static constexpr std::size_t scratch_floats(std::size_t rows) { return 6 * std::size_t(C) * tasks(rows) + 4 * C; }

    // What the training forward pass keeps for the backward pass, kSavedFloats floats:
    //   [0, C)    center: a value of each channel from the batch (its first row)
    //   [C, 2C)   offset: batch mean − center, so the mean is known without the rounding
    //             of a large mean (x − center is exact, then the small offset)
    //   [2C, 3C)  invstd: 1 / √(σ²_B + ε)
    static constexpr std::size_t kSavedFloats = 3 * std::size_t(C);
    static float batch_mean(const float* saved, int c) { return float(double(saved[c]) + double(saved[C + c])); }
    static const float* batch_invstd(const float* saved) { return saved + 2 * C; }

    // y, the batch statistics for backward (saved), and the running statistics moved by
    // `momentum` towards the batch's (PyTorch semantics).
    template <class Runner>
    static void train_forward(Runner& runner, const float* x, std::size_t rows, const float* gamma, const float* beta,
                              float eps, float momentum, float* y, float* saved, float* running_mean,
                              float* running_var, float* scratch) {
        float *center = saved, *offset = saved + C, *invstd = saved + 2 * C;
        float* coef = coefficients(scratch, rows);
        float *scale = coef + C, *shift = coef + 2 * C;
        // Sums of deviations from a value of the channel itself (see ref::batchnorm_sums);
        // the normalisation below starts from the same center.
        for (int c = 0; c < C; ++c) center[c] = x[c];
        sum_tasks(runner, rows, scratch, [&](std::size_t r0, std::size_t n, float* s, float* q) {
            sums(x + r0 * C, n, center, s, q);
        });
        const double* total = reinterpret_cast<const double*>(scratch);
        const double m = double(rows), m_momentum = double(momentum);
        for (int c = 0; c < C; ++c) {
            const double off = total[c] / m;  // batch mean minus center
            const double var = std::fmax(total[C + c] / m - off * off, 0.0);
            const double inv = 1.0 / std::sqrt(var + double(eps));
            const double mu = double(center[c]) + off;
            const double a = (gamma ? double(gamma[c]) : 1.0) * inv;
            offset[c] = float(off);
            invstd[c] = float(inv);
            scale[c] = float(a);
            shift[c] = float((beta ? double(beta[c]) : 0.0) - off * a);
            const double unbiased = rows > 1 ? var * m / (m - 1.0) : var;
            running_mean[c] = float((1.0 - m_momentum) * double(running_mean[c]) + m_momentum * mu);
            running_var[c] = float((1.0 - m_momentum) * double(running_var[c]) + m_momentum * unbiased);
        }
        map_tasks(runner, rows, [&](std::size_t r0, std::size_t n) {
            normalize(x + r0 * C, n, center, scale, shift, y + r0 * C);
        });
    }

    // y with the running statistics; nothing is updated.
    template <class Runner>
    static void eval_forward(Runner& runner, const float* x, std::size_t rows, const float* gamma, const float* beta,
                             float eps, const float* running_mean, const float* running_var, float* y, float* scratch) {
        float* coef = coefficients(scratch, rows);
        float *scale = coef + C, *shift = coef + 2 * C;
        for (int c = 0; c < C; ++c) {
            scale[c] = float((gamma ? double(gamma[c]) : 1.0) / std::sqrt(double(running_var[c]) + double(eps)));
            shift[c] = beta ? beta[c] : 0.0f;
        }
        map_tasks(runner, rows, [&](std::size_t r0, std::size_t n) {
            normalize(x + r0 * C, n, running_mean, scale, shift, y + r0 * C);
        });
    }

    // After train_forward (its saved statistics): dgamma = Σ dy·x̂, dbeta = Σ dy, and
    // dx = γ·invstd·(dy − dβ/rows − x̂·dγ/rows), written as a·dy + b·(x − center) + d.
    template <class Runner>
    static void train_backward(Runner& runner, const float* x, const float* dy, std::size_t rows, const float* gamma,
                               const float* saved, float* dx, float* dgamma, float* dbeta, float* scratch) {
        const float *center = saved, *offset = saved + C, *invstd = saved + 2 * C;
        float* coef = coefficients(scratch, rows);
        float *a = coef + C, *b = coef + 2 * C, *d = coef + 3 * C;
        sum_tasks(runner, rows, scratch, [&](std::size_t r0, std::size_t n, float* s, float* q) {
            grad_sums(x + r0 * C, dy + r0 * C, n, center, s, q);
        });
        const double* total = reinterpret_cast<const double*>(scratch);
        const double m = double(rows);
        for (int c = 0; c < C; ++c) {
            const double s = total[c], off = double(offset[c]);
            const double q = total[C + c] - off * s;  // Σ dy·(x − μ) from Σ dy·(x − center)
            const double inv = double(invstd[c]), g = gamma ? double(gamma[c]) : 1.0;
            if (dgamma) dgamma[c] = float(q * inv);
            if (dbeta) dbeta[c] = float(s);
            const double bc = -g * inv * inv * inv * q / m;
            a[c] = float(g * inv);
            b[c] = float(bc);
            d[c] = float(-g * inv * s / m - bc * off);  // (x − μ) = (x − center) − offset
        }
        if (dx)
            map_tasks(runner, rows, [&](std::size_t r0, std::size_t n) {
                input_grad(x + r0 * C, dy + r0 * C, n, center, a, b, d, dx + r0 * C);
            });
    }

    // Evaluation mode: the statistics are constants, dx = γ·dy / √(running_var + ε).
    template <class Runner>
    static void eval_backward(Runner& runner, const float* x, const float* dy, std::size_t rows, const float* gamma,
                              float eps, const float* running_mean, const float* running_var, float* dx, float* dgamma,
                              float* dbeta, float* scratch) {
        float* coef = coefficients(scratch, rows);
        float *a = coef + C, *zero = coef + 2 * C;
        if (dgamma || dbeta)
            sum_tasks(runner, rows, scratch, [&](std::size_t r0, std::size_t n, float* s, float* q) {
                grad_sums(x + r0 * C, dy + r0 * C, n, running_mean, s, q);
            });
        const double* total = reinterpret_cast<const double*>(scratch);
        for (int c = 0; c < C; ++c) {
            const double inv = 1.0 / std::sqrt(double(running_var[c]) + double(eps));
            if (dgamma) dgamma[c] = float(total[C + c] * inv);
            if (dbeta) dbeta[c] = float(total[c]);
            a[c] = float((gamma ? double(gamma[c]) : 1.0) * inv);
            zero[c] = 0.0f;
        }
        if (dx)
            map_tasks(runner, rows, [&](std::size_t r0, std::size_t n) {
                input_grad(x + r0 * C, dy + r0 * C, n, running_mean, a, zero, zero, dx + r0 * C);
            });
    }

private:
    static float* coefficients(float* scratch, std::size_t rows) { return scratch + 6 * std::size_t(C) * tasks(rows); }

    // fn(first row, rows) for every task's rows.
    template <class Runner, class Fn>
    static void map_tasks(Runner& runner, std::size_t rows, Fn&& fn) {
        const std::size_t per_task = rows_per_task(rows);
        runner.run(tasks(rows), [&](int t) {
            const std::size_t r0 = std::size_t(t) * per_task;
            if (r0 < rows) fn(r0, rows - r0 < per_task ? rows - r0 : per_task);
        });
    }

    // Two sums per channel over all rows: block(first row, rows, s, q) writes a block's
    // float sums; each task adds its blocks' into its doubles, then task 0's doubles
    // receive the others', in task order. The totals are the first 2C doubles of scratch.
    template <class Runner, class Block>
    static void sum_tasks(Runner& runner, std::size_t rows, float* scratch, Block&& block) {
        const int n_tasks = tasks(rows);
        map_tasks(runner, rows, [&](std::size_t r0, std::size_t n) {
            const int t = int(r0 / rows_per_task(rows));
            double* acc = reinterpret_cast<double*>(scratch + 4 * std::size_t(C) * t);
            float* part = scratch + 4 * std::size_t(C) * n_tasks + 2 * std::size_t(C) * t;
            for (int c = 0; c < 2 * C; ++c) acc[c] = 0.0;
            for (std::size_t b0 = 0; b0 < n; b0 += kRowsPerBlock) {
                block(r0 + b0, n - b0 < kRowsPerBlock ? n - b0 : kRowsPerBlock, part, part + C);
                for (int c = 0; c < 2 * C; ++c) acc[c] += double(part[c]);
            }
        });
        double* total = reinterpret_cast<double*>(scratch);
        for (int t = 1; t < n_tasks; ++t) {
            const double* acc = reinterpret_cast<const double*>(scratch + 4 * std::size_t(C) * t);
            if (std::size_t(t) * rows_per_task(rows) < rows)
                for (int c = 0; c < 2 * C; ++c) total[c] += acc[c];
        }
    }

    // The phases, from the vector kernels when the build has them (any C suits them).
    static void sums(const float* x, std::size_t rows, const float* shift, float* s, float* q) {
        if constexpr (use_simd<true>) simd::batchnorm_sums<C>(x, rows, shift, s, q);
        else ref::batchnorm_sums<C>(x, rows, shift, s, q);
    }
    static void grad_sums(const float* x, const float* dy, std::size_t rows, const float* center, float* s, float* q) {
        if constexpr (use_simd<true>) simd::batchnorm_grad_sums<C>(x, dy, rows, center, s, q);
        else ref::batchnorm_grad_sums<C>(x, dy, rows, center, s, q);
    }
    static void normalize(const float* x, std::size_t rows, const float* center, const float* scale, const float* shift,
                          float* y) {
        if constexpr (use_simd<true>) simd::batchnorm_normalize<C>(x, rows, center, scale, shift, y);
        else ref::batchnorm_normalize<C>(x, rows, center, scale, shift, y);
    }
    static void input_grad(const float* x, const float* dy, std::size_t rows, const float* center, const float* a,
                           const float* b, const float* d, float* dx) {
        if constexpr (use_simd<true>) simd::batchnorm_input_grad<C>(x, dy, rows, center, a, b, d, dx);
        else ref::batchnorm_input_grad<C>(x, dy, rows, center, a, b, d, dx);
    }
};

}  // namespace statnn::kernels
