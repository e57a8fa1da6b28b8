// tests/support/gradcheck.hpp — finite-difference gradient checks for one layer.
//
// The layer is bound to a small input shape and driven directly, with its buffers in
// aligned test memory. The scalar loss is L = sum(out * R) for a fixed random R, so
// dL/dout = R. For sampled inputs, kernel and bias entries the central difference
// (L(v+h) - L(v-h)) / 2h is compared with the analytic gradient. All our layers except
// softmax are piecewise linear: where the two one-sided differences disagree, a ReLU or
// max-pool decision flipped inside [v-h, v+h] and the sample is skipped (counted).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <vector>

#include "catch.hpp"
#include "statnn/layers/layer.hpp"
#include "statnn/rng.hpp"
#include "statnn/thread_pool.hpp"

namespace statnn::test {

// 64-byte aligned, zeroed float storage (layers may use aligned vector loads).
class AlignedFloats {
public:
    explicit AlignedFloats(std::size_t n = 0) : n_(n) {
        p_ = static_cast<float*>(::operator new((n ? n : 1) * sizeof(float), std::align_val_t{64}));
        std::fill(p_, p_ + n_, 0.0f);
    }
    ~AlignedFloats() { ::operator delete(p_, std::align_val_t{64}); }
    AlignedFloats(const AlignedFloats&) = delete;
    AlignedFloats& operator=(const AlignedFloats&) = delete;
    float* data() { return p_; }
    std::size_t size() const { return n_; }
    float& operator[](std::size_t i) { return p_[i]; }

private:
    std::size_t n_;
    float* p_;
};

struct GradCheckResult {
    int checked = 0, skipped = 0;
    double worst = 0;  // max |numeric - analytic| / (1 + |analytic|)
};

// L is a bound layer type (Spec::bind<In, Batch>).
template <class L>
class LayerHarness {
public:
    static constexpr std::size_t kIn = L::In::size, kOut = L::Out::size;

    LayerHarness(int n, int threads, std::uint64_t seed)
        : n_(n), pool_(threads), in_(n * kIn), base_in_(n * kIn), out_(L::kInPlace ? 0 : n * kOut),
          r_(n * kOut), dout_(n * kOut), din_(n * kIn), kernel_(L::kKernelSize), bias_(L::kBiasSize),
          dkernel_(L::kKernelSize), dbias_(L::kBiasSize), saved_(L::kSavedBytes / 4 + 16),
          scratch_(L::kScratchBytes / 4 + 16) {
        layer_.kernel = L::kKernelSize ? kernel_.data() : nullptr;
        layer_.bias = L::kBiasSize ? bias_.data() : nullptr;
        layer_.dkernel = L::kKernelSize ? dkernel_.data() : nullptr;
        layer_.dbias = L::kBiasSize ? dbias_.data() : nullptr;
        layer_.saved = reinterpret_cast<std::byte*>(saved_.data());
        layer_.scratch = reinterpret_cast<std::byte*>(scratch_.data());
        layer_.layer_key = 0x1234;
        Rng rng(seed);
        // Inputs spread over [-1, 1] and well apart, so max-pool windows rarely tie.
        for (std::size_t e = 0; e < n * kIn; ++e) base_in_[e] = rng.uniform(-1.0f, 1.0f);
        for (std::size_t e = 0; e < L::kKernelSize; ++e) kernel_[e] = rng.uniform(-0.5f, 0.5f);
        for (std::size_t e = 0; e < L::kBiasSize; ++e) bias_[e] = rng.uniform(-0.1f, 0.1f);
        for (std::size_t e = 0; e < n * kOut; ++e) r_[e] = rng.uniform(-1.0f, 1.0f);
        ctx_.pool = &pool_;
    }

    void set_training(bool t, std::uint64_t key) {
        ctx_.mode = t ? Mode::Train : Mode::Eval;
        ctx_.dropout = t;
        ctx_.dropout_key = key;
    }
    L& layer() { return layer_; }
    float* input() { return base_in_.data(); }
    float* output() { return L::kInPlace ? in_.data() : out_.data(); }

    // Forward from the base input; returns L = sum(out * R) in double.
    double loss() {
        std::copy(base_in_.data(), base_in_.data() + n_ * kIn, in_.data());
        layer_.forward(in_.data(), output(), n_, ctx_);
        double l = 0;
        for (std::size_t e = 0; e < n_ * kOut; ++e) l += double(output()[e]) * double(r_[e]);
        return l;
    }

    // Analytic gradients (din, dkernel, dbias) at the base input and parameters.
    void analytic() {
        loss();
        std::copy(r_.data(), r_.data() + n_ * kOut, dout_.data());
        float* din = L::kInPlace ? dout_.data() : din_.data();
        layer_.template backward<true>(in_.data(), output(), dout_.data(), din, n_, ctx_);
        if (L::kInPlace) std::copy(dout_.data(), dout_.data() + n_ * kIn, din_.data());
    }

    // Checks `samples` entries of v against grad; v is perturbed in place and restored.
    void check(float* v, const float* grad, std::size_t count, int samples, float h, double tol,
               GradCheckResult& res, std::uint64_t seed) {
        Rng pick(seed);
        const double l0 = loss();
        for (int s = 0; s < samples; ++s) {
            const std::size_t e = samples >= int(count) ? std::size_t(s % int(count)) : std::size_t(pick.below(count));
            if (samples >= int(count) && s >= int(count)) break;
            const float keep = v[e];
            v[e] = keep + h;
            const double lp = loss();
            v[e] = keep - h;
            const double lm = loss();
            v[e] = keep;
            const double right = (lp - l0) / h, left = (l0 - lm) / h;
            const double scale = 1.0 + std::fabs(double(grad[e]));
            if (std::fabs(right - left) > tol * scale) {
                ++res.skipped;  // a kink inside [v-h, v+h]
                continue;
            }
            const double numeric = (lp - lm) / (2.0 * h);
            const double err = std::fabs(numeric - double(grad[e])) / scale;
            res.worst = std::max(res.worst, err);
            ++res.checked;
            INFO("entry " << e << ": numeric " << numeric << ", analytic " << grad[e]);
            CHECK(err <= tol);
        }
    }

    // Runs the full check: input, kernel and bias gradients.
    GradCheckResult run(int samples, float h = 1e-2f, double tol = 2e-3) {
        analytic();
        // Keep copies: check() re-runs forward, which may reuse the same buffers.
        std::vector<float> gin(din_.data(), din_.data() + n_ * kIn);
        std::vector<float> gk(dkernel_.data(), dkernel_.data() + L::kKernelSize);
        std::vector<float> gb(dbias_.data(), dbias_.data() + L::kBiasSize);
        GradCheckResult res;
        check(base_in_.data(), gin.data(), n_ * kIn, samples, h, tol, res, 11);
        if (L::kKernelSize) check(kernel_.data(), gk.data(), L::kKernelSize, samples, h, tol, res, 12);
        if (L::kBiasSize) check(bias_.data(), gb.data(), L::kBiasSize, samples, h, tol, res, 13);
        return res;
    }

    const float* input_grad() { return din_.data(); }

private:
    std::size_t n_;
    ThreadPool pool_;
    StepContext ctx_;
    L layer_{};
    AlignedFloats in_, base_in_, out_, r_, dout_, din_, kernel_, bias_, dkernel_, dbias_, saved_, scratch_;
};

}  // namespace statnn::test
