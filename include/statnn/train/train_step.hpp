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

// One step on the first n images of net.input() / net.labels(). R is a Recipe
// (train/recipe.hpp) or anything with its members optimizer, schedule, loss and type
// OptimizerType (a bare-metal program needs no more).
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
    recipe.optimizer.step(net.pool(), parameter_arrays<Net, typename R::OptimizerType>(net), r.lr, t);
    r.clipped = net.apply_constraints();
    return r;
}

}  // namespace statnn
