// statnn/optim/schedule.hpp — learning-rate schedules: the learning rate of step t (t
// steps already applied, 0 for the first) as a pure function of t, so a resumed run, which
// knows only its step count, continues the schedule exactly. Parameters are plain
// aggregates, usable as constexpr values of a target's recipe.
//
//   ConstantLr          lr_t = lr
//   KerasDecay          lr_t = lr / (1 + decay * t)        (Keras 2's per-update decay; equals
//                                                           the Keras SGD oracle's learning rate bit for bit)
//   WarmupLinearDecay   linear from start·peak to peak over the warm-up, then linear to
//                       end·peak at total_steps (airbench's triangular / one-cycle schedule)
//   WarmupCosineDecay   the same warm-up, then half a cosine from peak to end·peak
//
// With W = warmup_steps, T = total_steps, s = start_factor, e = end_factor, the warm-up
// schedules are peak_lr · f(t):
//   t < W:        f = s + (1 - s) · t / W
//   W <= t < T:   f = 1 + (e - 1) · (t - W) / (T - W)                    (linear)
//                 f = e + (1 - e) · (1 + cos(π · (t - W) / (T - W))) / 2  (cosine)
//   t >= T:       f = e   (held: airbench's interpolation would extrapolate the last line
//                          and PyTorch's CosineAnnealingLR would rise again)
//
// A schedule type S provides (checked by is_schedule_v<S>): S::kKind (its name in
// checkpoints and run.json), s.learning_rate(t), s.fields(), s.set_field(name, value) and
// s.invalid(), as optimizers do (optim/optimizer.hpp).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "statnn/optim/field.hpp"

namespace statnn::optim {

struct ConstantLr {
    double lr = 0.01;

    static constexpr const char* kKind = "constant";
    constexpr double learning_rate(std::int64_t /*t*/) const { return lr; }
    std::array<Field, 1> fields() const { return {{{"lr", lr}}}; }
    bool set_field(std::string_view name, double value) {
        if (name != "lr") return false;
        lr = value;
        return true;
    }
    const char* invalid() const { return lr > 0.0 && std::isfinite(lr) ? nullptr : "lr must be finite and > 0"; }
};

struct KerasDecay {
    double lr = 0.01;
    double decay = 0.0;

    static constexpr const char* kKind = "keras-decay";
    // The expression of the Keras SGD oracle's learning rate, operation for operation.
    constexpr double learning_rate(std::int64_t t) const { return lr / (1.0 + decay * double(t)); }
    std::array<Field, 2> fields() const { return {{{"lr", lr}, {"decay", decay}}}; }
    bool set_field(std::string_view name, double value) {
        if (name == "lr") lr = value;
        else if (name == "decay") decay = value;
        else return false;
        return true;
    }
    const char* invalid() const {
        if (!(lr > 0.0 && std::isfinite(lr))) return "lr must be finite and > 0";
        if (!(decay >= 0.0 && std::isfinite(decay))) return "decay must be finite and >= 0";
        return nullptr;
    }
};

// The shape of the decay after a warm-up.
enum class DecayShape { Linear, Cosine };

template <DecayShape Shape>
struct WarmupDecay {
    double peak_lr = 0.1;
    std::int64_t warmup_steps = 0;  // W
    std::int64_t total_steps = 1;   // T
    double start_factor = 0.0;      // s: lr at step 0 is s · peak_lr
    double end_factor = 0.0;        // e: lr at step T and after is e · peak_lr

    static constexpr const char* kKind = Shape == DecayShape::Linear ? "warmup-linear" : "warmup-cosine";

    // constexpr for the linear shape (std::cos is not constexpr in C++17).
    constexpr double learning_rate(std::int64_t t) const {
        if (t < warmup_steps) return peak_lr * (start_factor + (1.0 - start_factor) * double(t) / double(warmup_steps));
        if (t >= total_steps) return peak_lr * end_factor;
        const double progress = double(t - warmup_steps) / double(total_steps - warmup_steps);  // in [0, 1)
        if constexpr (Shape == DecayShape::Linear) {
            return peak_lr * (1.0 + (end_factor - 1.0) * progress);
        } else {
            constexpr double kPi = 3.14159265358979323846;
            return peak_lr * (end_factor + (1.0 - end_factor) * (1.0 + std::cos(kPi * progress)) / 2.0);
        }
    }

    std::array<Field, 5> fields() const {
        return {{{"peak_lr", peak_lr},
                 {"warmup_steps", double(warmup_steps)},
                 {"total_steps", double(total_steps)},
                 {"start_factor", start_factor},
                 {"end_factor", end_factor}}};
    }
    bool set_field(std::string_view name, double value) {
        if (name == "peak_lr") peak_lr = value;
        else if (name == "warmup_steps") return step_count_from(value, warmup_steps);
        else if (name == "total_steps") return step_count_from(value, total_steps);
        else if (name == "start_factor") start_factor = value;
        else if (name == "end_factor") end_factor = value;
        else return false;
        return true;
    }
    const char* invalid() const {
        if (!(peak_lr > 0.0 && std::isfinite(peak_lr))) return "peak_lr must be finite and > 0";
        if (!(warmup_steps >= 0 && warmup_steps < total_steps)) return "warmup_steps must be in [0, total_steps)";
        if (!(start_factor >= 0.0 && start_factor <= 1.0)) return "start_factor must be in [0, 1]";
        if (!(end_factor >= 0.0 && end_factor <= 1.0)) return "end_factor must be in [0, 1]";
        return nullptr;
    }
};

using WarmupLinearDecay = WarmupDecay<DecayShape::Linear>;
using WarmupCosineDecay = WarmupDecay<DecayShape::Cosine>;

// A warm-up schedule written for total_steps is stretched to a run of `run_steps`: the
// warm-up keeps its share of the run. Other schedules do not depend on the run's length.
template <class S>
void fit_schedule_to_run(S& /*schedule*/, std::int64_t /*run_steps*/) {}

template <DecayShape Shape>
void fit_schedule_to_run(WarmupDecay<Shape>& s, std::int64_t run_steps) {
    if (run_steps <= 0 || run_steps == s.total_steps) return;
    const double share = double(s.warmup_steps) / double(s.total_steps);
    s.warmup_steps = std::int64_t(std::llround(share * double(run_steps)));
    if (s.warmup_steps >= run_steps) s.warmup_steps = run_steps - 1;
    s.total_steps = run_steps;
}

namespace detail {

template <class S, class = void>
struct has_schedule_members : std::false_type {};

template <class S>
struct has_schedule_members<
    S, std::void_t<std::enable_if_t<std::is_convertible_v<decltype(S::kKind), const char*>>,
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const S&>().learning_rate(std::int64_t(0))), double>>,
                   decltype(std::declval<const S&>().fields()),
                   std::enable_if_t<std::is_same_v<decltype(std::declval<S&>().set_field(std::string_view(), 0.0)), bool>>,
                   std::enable_if_t<std::is_convertible_v<decltype(std::declval<const S&>().invalid()), const char*>>>>
    : std::true_type {};

}  // namespace detail

// True when S has every member a schedule needs.
template <class S>
inline constexpr bool is_schedule_v = detail::has_schedule_members<S>::value;

static_assert(is_schedule_v<ConstantLr> && is_schedule_v<KerasDecay> && is_schedule_v<WarmupLinearDecay> &&
              is_schedule_v<WarmupCosineDecay>);

}  // namespace statnn::optim
