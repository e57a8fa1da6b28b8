// statnn/optim/optimizer.hpp — what every optimizer is: the concept the training step,
// checkpoints and the command line rely on.
//
// An optimizer updates one flat array of parameters from their gradients. Its own memory
// is a number of state slots, each an array of as many floats as there are parameters
// (zero before the first step), which the caller owns (in the network's arena) and saves
// with the weights. The optimizer object holds only hyperparameters, and a step is a pure
// function of (parameters, gradients, state, learning rate, step number): the learning
// rate comes from a schedule (optim/schedule.hpp) and the step number from the caller, so
// a resumed run repeats every step exactly.
//
// An optimizer type O provides (checked by is_optimizer_v<O>):
//
//   O::kStateSlots                 constexpr int: float arrays of the parameter count it needs
//   O::kKind                       constexpr const char*: its name in checkpoints and run.json
//   O::state_name(int slot)        constexpr const char*: the name of a slot ("exp_avg", ...)
//   o.fields()                     std::array<Field, N>: its hyperparameters, by name
//   o.set_field(name, value)       bool: sets one (a checkpoint read back, a command-line
//                                  override); false for a name it does not have or a value
//                                  the field cannot hold (a flag not 0 or 1)
//   o.invalid()                    const char*: nullptr, or why these settings cannot train
//   o.coefficients(lr, t)          O::Coefficients: the scalars of step t, computed once
//   O::tasks(count)                int: independent tasks of a step over `count` parameters
//   O::run_task(task, c, arrays)   one task of a step (disjoint writes: any thread count
//                                  gives the same bits)
//   o.step(pool, arrays, lr, t)    one whole step on the pool, allocating nothing
//
// t counts the steps already applied: 0 for the first, as the schedules count.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "statnn/optim/field.hpp"
#include "statnn/thread_pool.hpp"

namespace statnn::optim {

// How weight decay λ enters a step.
enum class WeightDecay {
    L2,         // as an L2 penalty: g += λ·w before the moments (PyTorch's weight_decay of SGD and Adam)
    Decoupled,  // from the weights: w *= 1 − lr_t·λ before the update (PyTorch's AdamW); it scales
                // with the schedule's learning rate but not with the gradient's history
};

// The flat arrays one step works on: `count` parameters, their gradients, and Slots
// state arrays of `count` floats each.
template <int Slots>
struct ParamArrays {
    float* params = nullptr;
    const float* grads = nullptr;
    std::array<float*, Slots> state{};
    std::size_t count = 0;
};

// Multipliers of the learning rate and the weight decay for one group of tensors (e.g.
// BatchNorm's shifts: airbench trains them at 64x the learning rate and 1/64 the decay).
struct GroupScaling {
    double lr = 1.0;
    double weight_decay = 1.0;
    constexpr bool identity() const { return lr == 1.0 && weight_decay == 1.0; }
};

// `o` with its weight_decay field (if it has one) multiplied by `scale`.
template <class O>
O with_scaled_weight_decay(O o, double scale) {
    for (const Field& f : o.fields())
        if (std::string_view(f.name) == "weight_decay") o.set_field(f.name, f.value * scale);
    return o;
}

// One step of any optimizer over its tasks on the pool (what O::step does).
template <class O>
void run_step(ThreadPool& pool, const O& optimizer, const ParamArrays<O::kStateSlots>& arrays, double lr, std::int64_t t) {
    const typename O::Coefficients c = optimizer.coefficients(lr, t);
    pool.run(O::tasks(arrays.count), [&](int task) { O::run_task(task, c, arrays); });
}

namespace detail {

template <class O, class = void>
struct has_optimizer_members : std::false_type {};

template <class O>
struct has_optimizer_members<
    O, std::void_t<decltype(std::integral_constant<int, O::kStateSlots>{}),
                   std::enable_if_t<std::is_convertible_v<decltype(O::kKind), const char*>>,
                   std::enable_if_t<std::is_convertible_v<decltype(O::state_name(0)), const char*>>,
                   decltype(std::declval<const O&>().fields()),
                   std::enable_if_t<std::is_same_v<decltype(std::declval<O&>().set_field(std::string_view(), 0.0)), bool>>,
                   std::enable_if_t<std::is_convertible_v<decltype(std::declval<const O&>().invalid()), const char*>>,
                   typename O::Coefficients,
                   std::enable_if_t<std::is_same_v<decltype(std::declval<const O&>().coefficients(0.0, std::int64_t(0))),
                                                   typename O::Coefficients>>,
                   std::enable_if_t<std::is_same_v<decltype(O::tasks(std::size_t(0))), int>>,
                   decltype(O::run_task(0, std::declval<const typename O::Coefficients&>(),
                                        std::declval<const ParamArrays<O::kStateSlots>&>())),
                   decltype(std::declval<const O&>().step(std::declval<ThreadPool&>(),
                                                          std::declval<const ParamArrays<O::kStateSlots>&>(), 0.0,
                                                          std::int64_t(0)))>> : std::true_type {};

}  // namespace detail

// True when O has every member the concept above lists.
template <class O>
inline constexpr bool is_optimizer_v = detail::has_optimizer_members<O>::value;

}  // namespace statnn::optim
