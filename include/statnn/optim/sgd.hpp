// statnn/optim/sgd.hpp — the settings of a Keras 2 SGD recipe (targets/*.hpp).
//
//   lr_t = lr / (1 + decay * t)       t = updates already applied (0 for the first)
//   v = momentum * v - lr_t * g
//   w += v                            (nesterov = false)
//   w += momentum * v - lr_t * g      (nesterov = true)
// then every layer's kernel constraint (max-norm) is applied to the updated weights.
// "decay" is the learning-rate decay, not weight decay. keras_recipe (train/recipe.hpp)
// runs them as the optimizer optim::KerasSgd with the optim::KerasDecay schedule.
#pragma once

namespace statnn {

struct SgdConfig {
    double lr = 0.01;
    double momentum = 0.0;
    double decay = 0.0;
    bool nesterov = false;
};

}  // namespace statnn
