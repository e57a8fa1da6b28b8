// statnn/optim/keras_sgd.hpp — Keras 2 SGD (settings in optim/sgd.hpp) as an optimizer of
// the concept in optim/optimizer.hpp, so one training step can drive every optimizer.
// With the KerasDecay schedule (optim/schedule.hpp) it updates weights and velocity bit
// for bit as the tests' step-by-step Keras SGD oracle does; max-norm stays with the
// constraints, applied after the step.
//
//   v = m*v - lr_t*g;  w += v                 (nesterov = false)
//   v = m*v - lr_t*g;  w += m*v - lr_t*g      (nesterov = true)
// With m = 0 both are w -= lr_t*g and the velocity is left untouched.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "statnn/kernels/sgd.hpp"
#include "statnn/optim/optimizer.hpp"

namespace statnn::optim {

struct KerasSgd {
    double momentum = 0.0;
    bool nesterov = false;

    static constexpr int kStateSlots = 1;
    static constexpr const char* kKind = "keras-sgd";
    static constexpr const char* state_name(int /*slot*/) { return "velocity"; }  // the checkpoint's name

    struct Coefficients {
        float lr = 0.0f, momentum = 0.0f;
        bool nesterov = false;
    };

    std::array<Field, 2> fields() const { return {{{"momentum", momentum}, {"nesterov", nesterov ? 1.0 : 0.0}}}; }

    bool set_field(std::string_view name, double value) {
        if (name == "momentum") momentum = value;
        else if (name == "nesterov" && is_flag(value)) nesterov = value != 0.0;
        else return false;
        return true;
    }

    const char* invalid() const { return momentum >= 0.0 && momentum < 1.0 ? nullptr : "momentum must be in [0, 1)"; }

    Coefficients coefficients(double lr, std::int64_t /*t*/) const { return {float(lr), float(momentum), nesterov}; }

    static int tasks(std::size_t count) { return kernels::SgdUpdate::tasks(count); }
    static void run_task(int task, const Coefficients& c, const ParamArrays<kStateSlots>& a) {
        kernels::SgdUpdate::run(task, a.params, a.state[0], a.grads, a.count, c.lr, c.momentum, c.nesterov);
    }
    void step(ThreadPool& pool, const ParamArrays<kStateSlots>& a, double lr, std::int64_t t) const {
        run_step(pool, *this, a, lr, t);
    }
};

static_assert(is_optimizer_v<KerasSgd>);

}  // namespace statnn::optim
