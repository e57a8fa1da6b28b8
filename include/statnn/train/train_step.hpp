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
#include <cstring>
#include <type_traits>
#include <utility>

#include "statnn/distributed.hpp"
#include "statnn/optim/optimizer.hpp"
#include "statnn/train/metrics.hpp"

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
namespace detail {
// The update after the gradients are in: none for a non-finite loss (r.loss), else the
// optimizer step at the schedule's rate and every layer's constraint.
template <class Net, class R>
void update_unless_diverged(Net& net, const R& recipe, std::int64_t t, StepResult& r) {
    if (!std::isfinite(r.loss)) {
        r.finite = false;
        return;
    }
    r.lr = recipe.schedule.learning_rate(t);
    optim::GroupScaling shift{};
    if constexpr (has_norm_shift_scaling<R>::value) shift = recipe.norm_shift;
    optimizer_step(net, recipe.optimizer, r.lr, t, shift);
    r.clipped = net.apply_constraints();
}
}  // namespace detail

template <class Net, class R>
StepResult train_step(Net& net, const R& recipe, int n, std::int64_t t) {
    StepResult r;
    net.forward(n, true, std::uint64_t(t));
    r.loss = net.backward(n, std::uint64_t(t), recipe.loss);
    detail::update_unless_diverged(net, recipe, t, r);
    return r;
}

// One data-parallel step (distributed.hpp): this process holds `rows` of a global batch in
// net.input() / net.labels(). Its gradient share is summed over the processes in place
// (one collective over the contiguous gradient arrays), together with the batch's loss,
// correct count and any process's request to stop; then every process applies the same
// update. With one process this is train_step bit for bit. Allocates nothing.
struct ShardStepResult : StepResult {
    long correct = 0;     // over the global batch
    bool stop = false;    // some process asked to stop (its stop_requested was true)
};

template <class Net, class R>
ShardStepResult train_step(Net& net, const R& recipe, const ShardRows& rows, std::int64_t t, Communicator& comm,
                           bool stop_requested = false) {
    ShardStepResult r;
    double totals[3] = {0.0, 0.0, stop_requested ? 1.0 : 0.0};  // loss sum, correct, stop
    double local_loss = 0.0;
    if (rows.rows > 0) {
        net.forward(rows.rows, true, std::uint64_t(t), rows.first);
        const float scale = rows.rows == rows.total ? 1.0f : float(rows.rows) / float(rows.total);
        local_loss = net.backward(rows.rows, std::uint64_t(t), recipe.loss, rows.first, scale);
        totals[0] = local_loss * rows.rows;
        totals[1] = count_correct<Net::kClasses>(net.probabilities(), net.labels(), rows.rows);
    } else {
        std::memset(net.grads(), 0, Net::kParamFloats * sizeof(float));  // no rows: nothing to add
    }
    if (comm.size() > 1) {
        comm.sum(net.grads(), Net::kParamFloats);
        comm.sum(totals, 3);
    }
    r.loss = comm.size() > 1 ? totals[0] / double(rows.total) : local_loss;
    r.correct = long(totals[1]);
    r.stop = totals[2] > 0.0;
    detail::update_unless_diverged(net, recipe, t, r);  // the same verdict everywhere: the loss sum is shared
    return r;
}

}  // namespace statnn
