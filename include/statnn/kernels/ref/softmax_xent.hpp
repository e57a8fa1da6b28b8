// statnn/kernels/ref/softmax_xent.hpp — softmax and categorical cross-entropy, fused.
//
// Numerically stable: exponentials of (z - max z). The loss is the mean over the rows of
// -log p[label], with p clipped to [1e-7, 1 - 1e-7] as Keras does; the gradient with
// respect to the logits is (p - onehot) / n, as when Keras differentiates through the
// softmax (the clip only guards the reported value).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace statnn::kernels::ref {

inline constexpr double kKerasEpsilon = 1e-7;

template <int N>
void softmax_forward(const float* logits, int n, float* probs) {
    for (int r = 0; r < n; ++r) {
        const float* z = logits + std::size_t(r) * N;
        float* p = probs + std::size_t(r) * N;
        float m = z[0];
        for (int j = 1; j < N; ++j) m = z[j] > m ? z[j] : m;
        float s = 0.0f;
        for (int j = 0; j < N; ++j) s += (p[j] = std::exp(z[j] - m));
        const float inv = 1.0f / s;
        for (int j = 0; j < N; ++j) p[j] *= inv;
    }
}

// Returns the mean loss over n rows; writes dlogits = (p - onehot) / n.
template <int N>
double softmax_xent_backward(const float* probs, const std::int32_t* labels, int n, float* dlogits) {
    double loss = 0.0;
    const float inv_n = 1.0f / float(n);
    for (int r = 0; r < n; ++r) {
        const float* p = probs + std::size_t(r) * N;
        float* d = dlogits + std::size_t(r) * N;
        for (int j = 0; j < N; ++j) d[j] = (p[j] - (j == labels[r] ? 1.0f : 0.0f)) * inv_n;
        double pl = double(p[labels[r]]);
        pl = pl < kKerasEpsilon ? kKerasEpsilon : (pl > 1.0 - kKerasEpsilon ? 1.0 - kKerasEpsilon : pl);
        loss -= std::log(pl);
    }
    return loss / n;
}

// Mean loss only (evaluation).
template <int N>
double softmax_xent_loss(const float* probs, const std::int32_t* labels, int n) {
    double loss = 0.0;
    for (int r = 0; r < n; ++r) {
        double pl = double(probs[std::size_t(r) * N + labels[r]]);
        pl = pl < kKerasEpsilon ? kKerasEpsilon : (pl > 1.0 - kKerasEpsilon ? 1.0 - kKerasEpsilon : pl);
        loss -= std::log(pl);
    }
    return loss / n;
}

// With label smoothing ε (Keras's label_smoothing, PyTorch's cross_entropy label_smoothing):
// the targets are q = (1 - ε)·onehot + ε/N. Returns the mean over the rows of
// -Σ_j q_j·log(p_j), each p_j clipped as above (so it equals PyTorch's value whenever every
// p_j lies in [1e-7, 1 - 1e-7]); writes dlogits = (p - q) / n, the exact gradient, since
// the targets sum to 1. With ε = 0 the targets are exactly 1 and 0, every other term is a
// zero, and loss and gradient are softmax_xent_backward's bit for bit (tested).
template <int N>
double softmax_xent_smoothed_backward(const float* probs, const std::int32_t* labels, int n, double smoothing,
                                      float* dlogits) {
    const double off = smoothing / N, on = 1.0 - smoothing + off;
    const float off_f = float(off), on_f = float(on);
    const float inv_n = 1.0f / float(n);
    double loss = 0.0;
    for (int r = 0; r < n; ++r) {
        const float* p = probs + std::size_t(r) * N;
        float* d = dlogits + std::size_t(r) * N;
        for (int j = 0; j < N; ++j) d[j] = (p[j] - (j == labels[r] ? on_f : off_f)) * inv_n;
        double log_likelihood = 0.0;
        for (int j = 0; j < N; ++j) {
            double pj = double(p[j]);
            pj = pj < kKerasEpsilon ? kKerasEpsilon : (pj > 1.0 - kKerasEpsilon ? 1.0 - kKerasEpsilon : pj);
            log_likelihood += (j == labels[r] ? on : off) * std::log(pj);
        }
        loss -= log_likelihood;
    }
    return loss / n;
}

// Mean smoothed loss only (evaluation).
template <int N>
double softmax_xent_smoothed_loss(const float* probs, const std::int32_t* labels, int n, double smoothing) {
    const double off = smoothing / N, on = 1.0 - smoothing + off;
    double loss = 0.0;
    for (int r = 0; r < n; ++r) {
        double log_likelihood = 0.0;
        for (int j = 0; j < N; ++j) {
            double pj = double(probs[std::size_t(r) * N + j]);
            pj = pj < kKerasEpsilon ? kKerasEpsilon : (pj > 1.0 - kKerasEpsilon ? 1.0 - kKerasEpsilon : pj);
            log_likelihood += (j == labels[r] ? on : off) * std::log(pj);
        }
        loss -= log_likelihood;
    }
    return loss / n;
}

}  // namespace statnn::kernels::ref
