// statnn/kernels/ref/batchnorm.hpp — scalar reference batch normalisation over channels
// (the test oracle), PyTorch's BatchNorm2d semantics.
//
// A batch of channels-last images is a matrix of rows = n·H·W pixels by C channels;
// each channel is normalised over all its rows:
//   training    y = (x − μ_B) / √(σ²_B + ε) · γ + β     μ_B, σ²_B the batch mean and
//               biased variance; running_mean ← (1 − m) running_mean + m μ_B and
//               running_var ← (1 − m) running_var + m σ²_B · rows / (rows − 1) (unbiased)
//   evaluation  y = (x − running_mean) / √(running_var + ε) · γ + β
// γ (gamma) null means a scale of 1, β (beta) null a shift of 0 (no affine parameters).
//
// The whole operations come first, written to be obviously right (two passes, double
// sums); then the phases kernels/batchnorm.hpp splits into tasks, mirrored in simd/.
#pragma once

#include <cmath>
#include <cstddef>

namespace statnn::kernels::ref {

// ---- whole operations --------------------------------------------------------------

// Also returns the batch mean and 1 / √(σ²_B + ε) per channel, for the backward pass.
template <int C, class T>
void batchnorm_train_forward(const T* x, std::size_t rows, const T* gamma, const T* beta, double eps, double momentum,
                             T* y, T* mean, T* invstd, T* running_mean, T* running_var) {
    for (int c = 0; c < C; ++c) {
        double sum = 0;
        for (std::size_t r = 0; r < rows; ++r) sum += double(x[r * C + c]);
        const double mu = sum / double(rows);
        double sq = 0;
        for (std::size_t r = 0; r < rows; ++r) sq += (double(x[r * C + c]) - mu) * (double(x[r * C + c]) - mu);
        const double var = sq / double(rows);
        const double inv = 1.0 / std::sqrt(var + eps);
        const double g = gamma ? double(gamma[c]) : 1.0, b = beta ? double(beta[c]) : 0.0;
        for (std::size_t r = 0; r < rows; ++r) y[r * C + c] = T((double(x[r * C + c]) - mu) * inv * g + b);
        mean[c] = T(mu);
        invstd[c] = T(inv);
        const double unbiased = rows > 1 ? sq / double(rows - 1) : var;
        running_mean[c] = T((1.0 - momentum) * double(running_mean[c]) + momentum * mu);
        running_var[c] = T((1.0 - momentum) * double(running_var[c]) + momentum * unbiased);
    }
}

template <int C, class T>
void batchnorm_eval_forward(const T* x, std::size_t rows, const T* gamma, const T* beta, double eps,
                            const T* running_mean, const T* running_var, T* y) {
    for (int c = 0; c < C; ++c) {
        const double inv = 1.0 / std::sqrt(double(running_var[c]) + eps);
        const double g = gamma ? double(gamma[c]) : 1.0, b = beta ? double(beta[c]) : 0.0;
        for (std::size_t r = 0; r < rows; ++r)
            y[r * C + c] = T((double(x[r * C + c]) - double(running_mean[c])) * inv * g + b);
    }
}

// With x̂ = (x − μ_B)·invstd and the sums over a channel's rows:
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·invstd·(dy − dβ/rows − x̂·dγ/rows)
// dx, dgamma, dbeta may each be null (not wanted); they are overwritten.
template <int C, class T>
void batchnorm_train_backward(const T* x, const T* dy, std::size_t rows, const T* gamma, const T* mean,
                              const T* invstd, T* dx, T* dgamma, T* dbeta) {
    for (int c = 0; c < C; ++c) {
        const double mu = double(mean[c]), inv = double(invstd[c]), g = gamma ? double(gamma[c]) : 1.0;
        double sum_dy = 0, sum_dy_xhat = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            sum_dy += double(dy[r * C + c]);
            sum_dy_xhat += double(dy[r * C + c]) * (double(x[r * C + c]) - mu) * inv;
        }
        if (dgamma) dgamma[c] = T(sum_dy_xhat);
        if (dbeta) dbeta[c] = T(sum_dy);
        if (dx)
            for (std::size_t r = 0; r < rows; ++r) {
                const double xhat = (double(x[r * C + c]) - mu) * inv;
                dx[r * C + c] = T(g * inv * (double(dy[r * C + c]) - sum_dy / double(rows) - xhat * sum_dy_xhat / double(rows)));
            }
    }
}

// The running statistics are constants here: dx = γ·dy / √(running_var + ε).
template <int C, class T>
void batchnorm_eval_backward(const T* x, const T* dy, std::size_t rows, const T* gamma, double eps,
                             const T* running_mean, const T* running_var, T* dx, T* dgamma, T* dbeta) {
    for (int c = 0; c < C; ++c) {
        const double inv = 1.0 / std::sqrt(double(running_var[c]) + eps), g = gamma ? double(gamma[c]) : 1.0;
        double sum_dy = 0, sum_dy_xhat = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            sum_dy += double(dy[r * C + c]);
            sum_dy_xhat += double(dy[r * C + c]) * (double(x[r * C + c]) - double(running_mean[c])) * inv;
        }
        if (dgamma) dgamma[c] = T(sum_dy_xhat);
        if (dbeta) dbeta[c] = T(sum_dy);
        if (dx)
            for (std::size_t r = 0; r < rows; ++r) dx[r * C + c] = T(g * inv * double(dy[r * C + c]));
    }
}

// ---- phases (one block of rows each; kernels/batchnorm.hpp combines them) ----------

// Per channel, over `rows` rows: sum = Σ (x − shift), sum_sq = Σ (x − shift)². Shifting
// by a value of the channel itself keeps Σ(x − shift)² − (Σ(x − shift))²/rows, the
// variance's numerator, free of the cancellation a large mean would cause.
template <int C, class T>
void batchnorm_sums(const T* x, std::size_t rows, const T* shift, T* sum, T* sum_sq) {
    for (int c = 0; c < C; ++c) {
        double s = 0, q = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const double d = double(x[r * C + c]) - double(shift[c]);
            s += d;
            q += d * d;
        }
        sum[c] = T(s);
        sum_sq[c] = T(q);
    }
}

// Per channel: sum_dy = Σ dy, sum_dy_xc = Σ dy·(x − center).
template <int C, class T>
void batchnorm_grad_sums(const T* x, const T* dy, std::size_t rows, const T* center, T* sum_dy, T* sum_dy_xc) {
    for (int c = 0; c < C; ++c) {
        double s = 0, q = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            s += double(dy[r * C + c]);
            q += double(dy[r * C + c]) * (double(x[r * C + c]) - double(center[c]));
        }
        sum_dy[c] = T(s);
        sum_dy_xc[c] = T(q);
    }
}

// y = (x − center)·scale + shift per channel; in place allowed.
template <int C, class T>
void batchnorm_normalize(const T* x, std::size_t rows, const T* center, const T* scale, const T* shift, T* y) {
    for (std::size_t r = 0; r < rows; ++r)
        for (int c = 0; c < C; ++c) y[r * C + c] = (x[r * C + c] - center[c]) * scale[c] + shift[c];
}

// dx = a·dy + b·(x − center) + d per channel; dx may alias dy.
template <int C, class T>
void batchnorm_input_grad(const T* x, const T* dy, std::size_t rows, const T* center, const T* a, const T* b,
                          const T* d, T* dx) {
    for (std::size_t r = 0; r < rows; ++r)
        for (int c = 0; c < C; ++c)
            dx[r * C + c] = a[c] * dy[r * C + c] + b[c] * (x[r * C + c] - center[c]) + d[c];
}

}  // namespace statnn::kernels::ref
