// statnn/loss/softmax_cross_entropy.hpp — the loss as its own type: softmax over the
// classes, then categorical cross-entropy, optionally against label-smoothed targets.
//
//   p    = softmax(z)                          per row, from z - max z
//   q    = (1 - ε)·onehot(label) + ε/K         ε = smoothing, K classes
//   loss = mean over rows of -Σ_j q_j·log(clip(p_j, 1e-7, 1 - 1e-7))
//   dL/dz = (p - q) / n
//
// The clip is Keras's and guards only the reported value; the gradient is exact. With
// smoothing 0 this is today's loss and gradient (kernels/ref/softmax_xent.hpp) bit for bit.
// Smoothing 0.2 is airbench's. The object holds only ε, so it can be a constexpr part of a
// target's recipe and be overridden from the command line (fields / set_field).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "statnn/kernels/softmax_xent.hpp"
#include "statnn/optim/field.hpp"

namespace statnn::loss {

struct SoftmaxCrossEntropy {
    double smoothing = 0.0;  // ε in [0, 1)

    static constexpr const char* kKind = "softmax-cross-entropy";

    // probs = softmax(logits), n rows of Classes.
    template <int Classes>
    void probabilities(const float* logits, int n, float* probs) const {
        kernels::softmax_forward<Classes>(logits, n, probs);
    }

    // The mean loss over n rows; writes d loss / d logits.
    template <int Classes>
    double backward(const float* probs, const std::int32_t* labels, int n, float* dlogits) const {
        return kernels::softmax_xent_smoothed_backward<Classes>(probs, labels, n, smoothing, dlogits);
    }

    // The mean loss only (evaluation).
    template <int Classes>
    double loss(const float* probs, const std::int32_t* labels, int n) const {
        return kernels::softmax_xent_smoothed_loss<Classes>(probs, labels, n, smoothing);
    }

    std::array<optim::Field, 1> fields() const { return {{{"label_smoothing", smoothing}}}; }
    bool set_field(std::string_view name, double value) {
        if (name != "label_smoothing") return false;
        smoothing = value;
        return true;
    }
    const char* invalid() const {
        return smoothing >= 0.0 && smoothing < 1.0 ? nullptr : "label_smoothing must be in [0, 1)";
    }
};

}  // namespace statnn::loss
