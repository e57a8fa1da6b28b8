// statnn/layers/patch_whitening.hpp — a frozen first layer that whitens image patches
// (airbench's stem): a P x P convolution, stride 1, no padding, whose 2·D filters
// (D = P·P·C) are the eigenvectors v_k of the training images' patch covariance scaled
// by 1/sqrt(λ_k + eps), once positive and once negated (so a following GELU keeps both
// signs). Its outputs are decorrelated with unit variance; the next layer learns from
// whitened inputs at the first step.
//
//   PatchWhitening<>                    2x2 patches, eps 5e-4 (airbench's)
//   PatchWhitening<MyWhitening>         struct MyWhitening { static constexpr int patch = 3;
//                                                            static constexpr float eps = 1e-3f; };
//
// The filters are state, not parameters: no optimizer moves them and checkpoints keep
// them. The training command sets them from the first kInitImages training images
// before the first step (Network::initialize_from_data); until then they whiten a unit
// covariance (±identity / sqrt(1 + eps)). It must be the network's first layer: nothing
// before it could train through it, and the network skips its backward pass.
//
// It subtracts no mean (it has no bias): feed it inputs normalised to zero mean per
// channel (a recipe's normalisation), or a direction of small variance and non-zero
// mean becomes a large constant channel that a following BatchNorm cannot normalise.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "statnn/layers/layer.hpp"
#include "statnn/rng.hpp"
#include "statnn/symmetric_eigen.hpp"

namespace statnn {

struct PatchWhiteningDefaults {
    static constexpr int patch = 2;
    static constexpr float eps = 5e-4f;
};

template <class In_, int Batch, class Config>
struct PatchWhiteningLayer : LayerDefaults {
    static constexpr int P = Config::patch;
    static_assert(P >= 1, "PatchWhitening: the patch size must be at least 1");
    static_assert(Config::eps > 0.0f, "PatchWhitening: eps must be positive");
    static_assert(In_::H >= P && In_::W >= P, "PatchWhitening: the input is smaller than a patch");
    using In = In_;
    static constexpr int C = In::C, D = P * P * C, F = 2 * D;
    using Out = Shape<F, In::H - P + 1, In::W - P + 1>;

    static constexpr const char* kind = "PatchWhitening";
    static constexpr Operation kOperation = Operation::FrozenConvolution;
    static constexpr const char* prefix = "whiten";
    static constexpr const char* activation = "linear";
    static constexpr std::size_t kStateFloats = std::size_t(D) * F;  // the filters, HWIO
    static constexpr int kStateTensors = 1;
    static constexpr const char* kStateNames[1] = {"kernel"};  // frozen: state, not a parameter
    static constexpr int kKernelDims[4] = {P, P, C, F};  // of the state tensor
    static constexpr bool kHasOwnInit = true;
    static constexpr bool kInitFromData = true;
    static constexpr int kInitImages = 5000;  // airbench's
    static constexpr std::uint64_t kFrozenMacs = std::uint64_t(Out::size) * D;

    float* filters() const { return state; }

    // Patch statistics gathered by observe(); in the layer object, not the arena.
    std::array<double, std::size_t(D)> sum_{};
    std::array<double, std::size_t(D) * D> outer_{};
    double patches_ = 0.0;

    static void describe(char* buf, std::size_t size) {
        std::snprintf(buf, size, " patch=%d eps=%g", P, double(Config::eps));
    }

    // Whitening of a unit covariance: ±identity / sqrt(1 + eps).
    void initialize() {
        const std::array<double, std::size_t(D)* D> unit = identity();
        set_filters(symmetric_eigen<D>(unit));
    }

    void begin_data_init() {
        sum_.fill(0.0);
        outer_.fill(0.0);
        patches_ = 0.0;
    }

    // n images (H x W x C, as the network's input) into the patch statistics.
    void observe(const float* images, int n) {
        std::array<double, std::size_t(D)> x{};
        for (int r = 0; r < n; ++r) {
            const float* image = images + std::size_t(r) * In::size;
            for (int y = 0; y < Out::H; ++y)
                for (int xo = 0; xo < Out::W; ++xo) {
                    gather(image, y, xo, x.data());
                    for (int i = 0; i < D; ++i) {
                        sum_[std::size_t(i)] += x[std::size_t(i)];
                        for (int j = i; j < D; ++j) outer_[std::size_t(i) * D + j] += x[std::size_t(i)] * x[std::size_t(j)];
                    }
                    patches_ += 1.0;
                }
        }
    }

    // The filters from the statistics (unbiased covariance, as torch.cov); false when
    // fewer than two patches were seen (the filters stay as they are).
    bool finish_data_init() {
        if (patches_ < 2.0) return false;
        std::array<double, std::size_t(D) * D> cov{};
        for (int i = 0; i < D; ++i)
            for (int j = i; j < D; ++j) {
                const double c = (outer_[std::size_t(i) * D + j] - sum_[std::size_t(i)] * sum_[std::size_t(j)] / patches_) /
                                 (patches_ - 1.0);
                cov[std::size_t(i) * D + j] = cov[std::size_t(j) * D + i] = c;
            }
        set_filters(symmetric_eigen<D>(cov));
        return true;
    }

    void forward(const float* in, float* out, int n, const StepContext& ctx) {
        const float* w = filters();
        for_each_image(ctx, n, [&](int r) { whiten_image(in + std::size_t(r) * In::size, w, out + std::size_t(r) * Out::size); });
    }

    // Never trained and always first: the network runs no backward pass for it.
    template <bool NeedInputGrad>
    void backward(const float*, const float*, float*, float*, int, const StepContext&) {
        static_assert(!NeedInputGrad, "PatchWhitening: must be the network's first layer");
    }

    // One image: out[y][x][f] = Σ_d patch(y, x)[d] · w[d][f]; a patch is P rows of P·C
    // contiguous floats, the filters' rows in the same order.
    static void whiten_image(const float* in, const float* w, float* out) {
        for (int y = 0; y < Out::H; ++y)
            for (int x = 0; x < Out::W; ++x) {
                float acc[F] = {};
                for (int dy = 0; dy < P; ++dy) {
                    const float* row = in + (std::size_t(y + dy) * In::W + x) * C;
                    const float* wrow = w + std::size_t(dy) * P * C * F;
                    for (int j = 0; j < P * C; ++j) {
                        const float a = row[j];
                        for (int f = 0; f < F; ++f) acc[f] += a * wrow[std::size_t(j) * F + f];
                    }
                }
                float* o = out + (std::size_t(y) * Out::W + x) * F;
                for (int f = 0; f < F; ++f) o[f] = acc[f];
            }
    }

private:
    static std::array<double, std::size_t(D) * D> identity() {
        std::array<double, std::size_t(D) * D> a{};
        for (int i = 0; i < D; ++i) a[std::size_t(i) * D + i] = 1.0;
        return a;
    }

    static void gather(const float* image, int y, int x, double* patch) {
        for (int dy = 0; dy < P; ++dy) {
            const float* row = image + (std::size_t(y + dy) * In::W + x) * C;
            for (int j = 0; j < P * C; ++j) patch[dy * P * C + j] = double(row[j]);
        }
    }

    // Filter k: v_k / sqrt(λ_k + eps); filter D + k: its negative (λ clamped at 0: a
    // covariance's eigenvalues are >= 0 up to rounding).
    void set_filters(const SymmetricEigen<D>& e) {
        float* w = filters();
        for (int k = 0; k < D; ++k) {
            const double lambda = e.value[std::size_t(k)] > 0.0 ? e.value[std::size_t(k)] : 0.0;
            const double s = 1.0 / std::sqrt(lambda + double(Config::eps));
            for (int d = 0; d < D; ++d) {
                const float v = float(e.vector[std::size_t(d) * D + k] * s);
                w[std::size_t(d) * F + k] = v;
                w[std::size_t(d) * F + D + k] = -v;
            }
        }
    }
};

template <class Config = PatchWhiteningDefaults>
struct PatchWhitening {
    template <class In, int Batch>
    using bind = PatchWhiteningLayer<In, Batch, Config>;
};

}  // namespace statnn
