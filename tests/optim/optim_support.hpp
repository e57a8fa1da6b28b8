// tests/optim/optim_support.hpp — what the optimizer, schedule and loss tests share: the
// optimizer golden set's folder, optimizers and schedules by their kind name, each
// optimizer's scalar reference step, and the tensor metric of the golden tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <sys/stat.h>

#include "statnn/kernels/ref/adam.hpp"
#include "statnn/kernels/ref/momentum_sgd.hpp"
#include "statnn/kernels/ref/sgd.hpp"
#include "statnn/optim/adam.hpp"
#include "statnn/optim/keras_sgd.hpp"
#include "statnn/optim/lookahead.hpp"
#include "statnn/optim/momentum_sgd.hpp"
#include "statnn/optim/schedule.hpp"
#include "statnn/rng.hpp"
#include "support/golden.hpp"
#include "support/gradcheck.hpp"

#ifndef STATNN_SOURCE_DIR
#define STATNN_SOURCE_DIR "."
#endif

namespace statnn::test {

inline bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The optimizer set committed with the sources.
inline std::string committed_optim_golden_dir() { return std::string(STATNN_SOURCE_DIR) + "/tests/golden/reference/optim"; }

// $STATNN_GOLDEN_DIR/optim when that set has one (sets of the first format hold only cnn4
// and cnn6), else the committed tests/golden/reference/optim.
inline std::string optim_golden_dir() {
    const std::string candidate = golden_dir() + "/optim";
    if (is_directory(candidate)) return candidate;
    return committed_optim_golden_dir();
}

// Calls fn(optimizer) with a default optimizer of the given kind (its kKind).
template <class Fn>
void with_optimizer(const std::string& kind, Fn&& fn) {
    using namespace statnn::optim;
    if (kind == SgdW::kKind) fn(SgdW{});
    else if (kind == MomentumSgd<WeightDecay::L2>::kKind) fn(MomentumSgd<WeightDecay::L2>{});
    else if (kind == Adam::kKind) fn(Adam{});
    else if (kind == AdamW::kKind) fn(AdamW{});
    else if (kind == KerasSgd::kKind) fn(KerasSgd{});
    else if (kind == Lookahead<MomentumSgd<WeightDecay::L2>>::kKind) fn(Lookahead<MomentumSgd<WeightDecay::L2>>{});
    else throw std::runtime_error("unknown optimizer kind '" + kind + "'");
}

// Calls fn(schedule) with a default schedule of the given kind.
template <class Fn>
void with_schedule(const std::string& kind, Fn&& fn) {
    using namespace statnn::optim;
    if (kind == ConstantLr::kKind) fn(ConstantLr{});
    else if (kind == KerasDecay::kKind) fn(KerasDecay{});
    else if (kind == WarmupLinearDecay::kKind) fn(WarmupLinearDecay{});
    else if (kind == WarmupCosineDecay::kKind) fn(WarmupCosineDecay{});
    else throw std::runtime_error("unknown schedule kind '" + kind + "'");
}

// One step through the scalar reference kernel, with the coefficients the optimizer
// computes for it: the oracle of O::step.
template <optim::WeightDecay D>
void reference_step(const optim::MomentumSgd<D>& o, const optim::ParamArrays<1>& a, double lr, std::int64_t t) {
    kernels::ref::momentum_sgd_update(a.params, a.state[0], a.grads, a.count, o.coefficients(lr, t));
}
template <optim::WeightDecay D>
void reference_step(const optim::BasicAdam<D>& o, const optim::ParamArrays<2>& a, double lr, std::int64_t t) {
    kernels::ref::adam_update(a.params, a.state[0], a.state[1], a.grads, a.count, o.coefficients(lr, t));
}
inline void reference_step(const optim::KerasSgd& o, const optim::ParamArrays<1>& a, double lr, std::int64_t t) {
    const auto c = o.coefficients(lr, t);
    kernels::ref::sgd_update(a.params, a.state[0], a.grads, a.count, c.lr, c.momentum, c.nesterov);
}

// Lookahead: the inner optimizer's reference step on its own slots, then the average
// (the last slot) started, moved towards the weights and copied back, element by element.
template <class Inner>
void reference_step(const optim::Lookahead<Inner>& o, const optim::ParamArrays<Inner::kStateSlots + 1>& a, double lr,
                    std::int64_t t) {
    const auto c = o.coefficients(lr, t);
    float* average = a.state[std::size_t(Inner::kStateSlots)];
    if (c.start) std::copy(a.params, a.params + a.count, average);
    optim::ParamArrays<Inner::kStateSlots> inner;
    inner.params = a.params;
    inner.grads = a.grads;
    for (int s = 0; s < Inner::kStateSlots; ++s) inner.state[std::size_t(s)] = a.state[std::size_t(s)];
    inner.count = a.count;
    reference_step(o.inner, inner, lr, t);
    if (!c.pull) return;
    for (std::size_t e = 0; e < a.count; ++e) {
        average[e] += (1.0f - c.keep) * (a.params[e] - average[e]);
        a.params[e] = average[e];
    }
}

inline void fill_uniform(float* p, std::size_t n, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
    Rng rng(seed);
    for (std::size_t i = 0; i < n; ++i) p[i] = rng.uniform(lo, hi);
}

// max|a - ref| / max|ref| (NaN anywhere: infinity), the golden sets' metric.
inline double relative_error(const float* a, const float* ref, std::size_t n) {
    return compare(a, ref, n).relative;
}

}  // namespace statnn::test
