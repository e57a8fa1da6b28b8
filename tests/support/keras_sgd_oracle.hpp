// tests/support/keras_sgd_oracle.hpp — Keras 2 SGD as one object (settings, iteration count,
// step over a whole network), written straight from the formulas of optim/sgd.hpp: the
// oracle that optim::KerasSgd with optim::KerasDecay must match bit for bit.
#pragma once

#include <cstdint>

#include "statnn/kernels/sgd.hpp"
#include "statnn/optim/sgd.hpp"

namespace statnn::test {

class KerasSgdOracle {
public:
    explicit KerasSgdOracle(const SgdConfig& config = {}) : config_(config) {}

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

}  // namespace statnn::test
