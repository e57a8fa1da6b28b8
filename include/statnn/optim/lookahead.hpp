// statnn/optim/lookahead.hpp — Lookahead around any optimizer (Zhang et al. 2019, in the
// form airbench uses): a slow average of the weights that the fast ones are pulled back
// to every k steps, with an averaging weight that grows through the run, and the average
// taken as the final weights. An optimizer of the concept in optim/optimizer.hpp.
//
//   Lookahead<MomentumSgd<WeightDecay::L2>> o{{0.85, 1.949e-6, true}, 5, 0.7738, 3.0, 490};
//
// Step t (t steps applied before it, T = total_steps) of parameters w with average a
// (one state slot beside the inner optimizer's):
//   t = 0:                   a = w                     (before the inner step)
//   the inner step
//   s = t + 1; when s % every == 0 or s == T:
//     d = s >= T ? 1 : decay * (s / T)^power          (0 early: a follows w; large late)
//     a = a + (1 - d) * (w - a);   w = a
// So the last step of the run leaves w = a. The run's total steps are set when it starts
// (fit_optimizer_to_run), as the schedules' are.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <tuple>

#include "statnn/optim/optimizer.hpp"

namespace statnn::optim {

namespace detail {

constexpr std::size_t name_length(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

// "<inner kind>+lookahead", at compile time.
template <class Inner>
struct LookaheadKind {
    static constexpr std::size_t kInner = name_length(Inner::kKind);
    static constexpr std::array<char, kInner + 11> value = [] {
        std::array<char, kInner + 11> a{};
        const char* suffix = "+lookahead";
        for (std::size_t i = 0; i < kInner; ++i) a[i] = Inner::kKind[i];
        for (std::size_t i = 0; i < 10; ++i) a[kInner + i] = suffix[i];
        return a;
    }();
};

}  // namespace detail

template <class Inner>
struct Lookahead {
    static_assert(is_optimizer_v<Inner>, "Lookahead: the inner optimizer lacks a member of the optimizer concept");
    Inner inner{};
    double every = 5;            // steps between pulls (a whole number >= 1)
    double decay = 0.77378094;   // the averaging weight at the end of the run: 0.95^5, airbench's
    double power = 3.0;          // how it grows: decay * (s / T)^power
    double total_steps = 1;      // T, set to the run's steps when it starts

    static constexpr int kStateSlots = Inner::kStateSlots + 1;
    static constexpr const char* kKind = detail::LookaheadKind<Inner>::value.data();
    static constexpr const char* state_name(int slot) {
        return slot < Inner::kStateSlots ? Inner::state_name(slot) : "lookahead_average";
    }
    static constexpr std::size_t kChunk = std::size_t(1) << 14;

    struct Coefficients {
        typename Inner::Coefficients inner;
        bool start = false;  // t = 0: the average starts at the weights
        bool pull = false;   // this step ends with a pull
        float keep = 0.0f;   // d
    };

    auto fields() const {
        const auto in = inner.fields();
        std::array<Field, std::tuple_size_v<decltype(in)> + 4> all{};
        for (std::size_t i = 0; i < in.size(); ++i) all[i] = in[i];
        all[in.size()] = {"lookahead_every", every};
        all[in.size() + 1] = {"lookahead_decay", decay};
        all[in.size() + 2] = {"lookahead_power", power};
        all[in.size() + 3] = {"total_steps", total_steps};
        return all;
    }

    bool set_field(std::string_view name, double value) {
        if (name == "lookahead_every") every = value;
        else if (name == "lookahead_decay") decay = value;
        else if (name == "lookahead_power") power = value;
        else if (name == "total_steps") total_steps = value;
        else return inner.set_field(name, value);
        return true;
    }

    const char* invalid() const {
        std::int64_t n = 0;
        if (!step_count_from(every, n) || n < 1) return "lookahead_every must be a whole number of steps >= 1";
        if (!step_count_from(total_steps, n) || n < 1) return "total_steps must be a whole number of steps >= 1";
        if (!(decay >= 0.0 && decay < 1.0)) return "lookahead_decay must be in [0, 1)";
        if (!(power >= 0.0 && std::isfinite(power))) return "lookahead_power must be finite and >= 0";
        return inner.invalid();
    }

    Coefficients coefficients(double lr, std::int64_t t) const {
        Coefficients c;
        c.inner = inner.coefficients(lr, t);
        c.start = t == 0;
        const std::int64_t s = t + 1, k = std::int64_t(every), total = std::int64_t(total_steps);
        c.pull = s % k == 0 || s == total;
        c.keep = s >= total ? 1.0f : float(decay * std::pow(double(s) / double(total), power));
        return c;
    }

    static int tasks(std::size_t count) { return int((count + kChunk - 1) / kChunk); }

    // Task k: the inner step on [k*kChunk, (k+1)*kChunk) (the inner optimizers are
    // elementwise), then the average and the pull there.
    static void run_task(int task, const Coefficients& c, const ParamArrays<kStateSlots>& a) {
        const std::size_t first = std::size_t(task) * kChunk;
        const std::size_t count = a.count - first < kChunk ? a.count - first : kChunk;
        float* w = a.params + first;
        float* average = a.state[std::size_t(kStateSlots - 1)] + first;
        if (c.start) std::memcpy(average, w, count * sizeof(float));
        ParamArrays<Inner::kStateSlots> part;
        part.params = w;
        part.grads = a.grads + first;
        for (int s = 0; s < Inner::kStateSlots; ++s) part.state[std::size_t(s)] = a.state[std::size_t(s)] + first;
        part.count = count;
        for (int k = 0; k < Inner::tasks(count); ++k) Inner::run_task(k, c.inner, part);
        if (c.pull) {
            const float pull = 1.0f - c.keep;
            for (std::size_t e = 0; e < count; ++e) {
                average[e] += pull * (w[e] - average[e]);
                w[e] = average[e];
            }
        }
    }

    void step(ThreadPool& pool, const ParamArrays<kStateSlots>& a, double lr, std::int64_t t) const {
        run_step(pool, *this, a, lr, t);
    }
};

// Sets an optimizer's run length (its "total_steps" field, if it has one) when a run
// starts, as fit_schedule_to_run does for schedules.
template <class O>
void fit_optimizer_to_run(O& o, std::int64_t run_steps) {
    if (run_steps <= 0) return;
    for (const Field& f : o.fields())
        if (std::string_view(f.name) == "total_steps") o.set_field("total_steps", double(run_steps));
}

}  // namespace statnn::optim
