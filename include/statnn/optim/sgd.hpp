// statnn/optim/sgd.hpp — stochastic gradient descent with Keras 2 semantics.
//
//   lr_t = lr / (1 + decay * t)       t = updates already applied (0 for the first)
//   v = momentum * v - lr_t * g
//   w += v                            (nesterov = false)
//   w += momentum * v - lr_t * g      (nesterov = true)
// then every layer's kernel constraint (max-norm) is applied to the updated weights.
// "decay" is the learning-rate decay, not weight decay.
#pragma once

#include <cstdint>

#include "statnn/kernels/sgd.hpp"

namespace statnn {

struct SgdConfig {
    double lr = 0.01;
    double momentum = 0.0;
    double decay = 0.0;
    bool nesterov = false;
};

class Sgd {
public:
    explicit Sgd(const SgdConfig& config = {}) : config_(config) {}

    // The learning rate the next step will use.
    double learning_rate() const { return config_.lr / (1.0 + config_.decay * double(iterations_)); }

    // One update of every parameter of `net` from its grads(); returns the number of
    // output units whose kernel column the constraints shrank.
    template <class Net>
    int step(Net& net) {
        const float lr_t = float(learning_rate()), m = float(config_.momentum);
        const bool nesterov = config_.nesterov;
        float *w = net.params(), *v = net.velocity();
        const float* g = net.grads();
        net.pool().run(kernels::SgdUpdate::tasks(Net::kParamFloats), [&](int task) {
            kernels::SgdUpdate::run(task, w, v, g, Net::kParamFloats, lr_t, m, nesterov);
        });
        const int clipped = net.apply_constraints();
        ++iterations_;
        return clipped;
    }

    const SgdConfig& config() const { return config_; }
    std::int64_t iterations() const { return iterations_; }
    void set_iterations(std::int64_t t) { iterations_ = t; }

private:
    SgdConfig config_;
    std::int64_t iterations_ = 0;
};

}  // namespace statnn
