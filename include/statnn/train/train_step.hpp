// statnn/train/train_step.hpp — one training step, the same for every caller (the train
// command, bench, tests, bare-metal training):
//
//   forward in training mode -> loss and gradients -> optimizer step at the schedule's
//   learning rate -> every layer's constraint (max-norm)
//
// t counts the steps already applied (0 for the first): the schedule's learning rate and
// the dropout masks are functions of it, so a resumed run repeats every step exactly.
// The step allocates nothing.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "statnn/optim/optimizer.hpp"

namespace statnn {

struct StepResult {
    double loss = 0.0;   // mean over the batch, as the recipe's loss defines it
    double lr = 0.0;     // the learning rate the step used
    int clipped = 0;     // output units whose kernel column a max-norm constraint shrank
    bool finite = true;  // false: the loss was NaN or infinite and no update was applied
};

// The optimizer's flat arrays over all of `net`'s parameters.
template <class Net, class Optimizer>
optim::ParamArrays<Optimizer::kStateSlots> parameter_arrays(Net& net) {
    static_assert(Optimizer::kStateSlots <= Net::kOptimizerSlots,
                  "train_step: the network keeps fewer optimizer arrays than the optimizer needs "
                  "(Network<Arch, Batch, Optimizer::kStateSlots>)");
    optim::ParamArrays<Optimizer::kStateSlots> a;
    a.params = net.params();
    a.grads = net.grads();
    for (int s = 0; s < Optimizer::kStateSlots; ++s) a.state[std::size_t(s)] = net.optimizer_state(s);
    a.count = Net::kParamFloats;
    return a;
}

namespace detail {
template <class R, class = void>
struct has_norm_shift_scaling : std::false_type {};
template <class R>
struct has_norm_shift_scaling<R, std::void_t<decltype(std::declval<const R&>().norm_shift.identity())>> : std::true_type {};
}  // namespace detail

// The optimizer step at learning rate lr, with BatchNorm shifts scaled by `shift`: the
// parameter arrays run segment by segment (Net::kParamSegments), each with its own
// learning rate and weight decay. Identity scaling is one step over all arrays.
template <class Net, class Optimizer>
void optimizer_step(Net& net, const Optimizer& optimizer, double lr, std::int64_t t, const optim::GroupScaling& shift) {
    const optim::ParamArrays<Optimizer::kStateSlots> all = parameter_arrays<Net, Optimizer>(net);
    if (shift.identity()) {
        optimizer.step(net.pool(), all, lr, t);
        return;
    }
    const Optimizer shift_optimizer = optim::with_scaled_weight_decay(optimizer, shift.weight_decay);
    for (int s = 0; s < Net::kParamSegments.count; ++s) {
        const auto& seg = Net::kParamSegments.segment[std::size_t(s)];
        optim::ParamArrays<Optimizer::kStateSlots> part = all;
        part.params += seg.begin;
        part.grads += seg.begin;
        for (float*& state : part.state) state += seg.begin;
        part.count = seg.count;
        if (seg.norm_shift) shift_optimizer.step(net.pool(), part, lr * shift.lr, t);
        else optimizer.step(net.pool(), part, lr, t);
    }
}

// One step on the first n images of net.input() / net.labels(). R is a Recipe
// (train/recipe.hpp) or anything with its members optimizer, schedule, loss and type
// OptimizerType (a bare-metal program needs no more); a member norm_shift
// (optim::GroupScaling) scales BatchNorm shifts' learning rate and decay.
template <class Net, class R>
StepResult train_step(Net& net, const R& recipe, int n, std::int64_t t) {
    StepResult r;
    net.forward(n, true, std::uint64_t(t));
    r.loss = net.backward(n, std::uint64_t(t), recipe.loss);
    if (!std::isfinite(r.loss)) {
        r.finite = false;
        return r;
    }
    r.lr = recipe.schedule.learning_rate(t);
    optim::GroupScaling shift{};
    if constexpr (detail::has_norm_shift_scaling<R>::value) shift = recipe.norm_shift;
    optimizer_step(net, recipe.optimizer, r.lr, t, shift);
    r.clipped = net.apply_constraints();
    return r;
}

}  // namespace statnn
