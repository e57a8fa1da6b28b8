// statnn/optim/momentum_sgd.hpp — SGD with momentum as PyTorch defines it (torch.optim.SGD,
// dampening 0), Nesterov by default, and weight decay either decoupled (SgdW) or as an L2
// term (PyTorch's weight_decay). An optimizer of the concept in optim/optimizer.hpp.
//
// One step t with learning rate lr_t (from a schedule), per parameter w with gradient g
// and momentum buffer b (one state slot, zero before the first step):
//   SgdW:                     w = (1 - lr_t*λ) * w;   g' = g
//   MomentumSgd<WeightDecay::L2>:                     g' = g + λ*w
//   b = m*b + g'
//   w = w - lr_t * (g' + m*b)        nesterov (default)
//   w = w - lr_t * b                 otherwise
//
// Decoupled decay is multiplied by the step's learning rate, as PyTorch's AdamW does, so
// it follows the schedule (warm-up, decay) and is independent of the gradients' history.
// airbench's recipe reaches the same per-step decay lr_t*λ through PyTorch's L2 term with
// λ = wd/lr; there the decay also flows through the momentum buffer (about 1/(1-m) times
// stronger at steady state), which MomentumSgd<WeightDecay::L2> reproduces exactly.
//
// Unlike Keras's SGD (optim/sgd.hpp, whose velocity holds lr*g), the buffer sums raw
// gradients, so a change of learning rate takes effect on the whole step at once.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "statnn/kernels/momentum_sgd.hpp"
#include "statnn/optim/optimizer.hpp"

namespace statnn::optim {

template <WeightDecay Decay>
struct MomentumSgd {
    double momentum = 0.9;
    double weight_decay = 0.0;  // λ
    bool nesterov = true;

    static constexpr int kStateSlots = 1;
    static constexpr const char* kKind = Decay == WeightDecay::Decoupled ? "sgdw" : "sgd";
    static constexpr const char* state_name(int /*slot*/) { return "momentum_buffer"; }
    using Coefficients = kernels::MomentumSgdCoefficients;

    std::array<Field, 3> fields() const {
        return {{{"momentum", momentum}, {"weight_decay", weight_decay}, {"nesterov", nesterov ? 1.0 : 0.0}}};
    }

    bool set_field(std::string_view name, double value) {
        if (name == "momentum") momentum = value;
        else if (name == "weight_decay") weight_decay = value;
        else if (name == "nesterov" && is_flag(value)) nesterov = value != 0.0;
        else return false;
        return true;
    }

    const char* invalid() const {
        if (!(momentum >= 0.0 && momentum < 1.0)) return "momentum must be in [0, 1)";
        if (!(weight_decay >= 0.0 && std::isfinite(weight_decay))) return "weight_decay must be finite and >= 0";
        if (nesterov && momentum == 0.0) return "Nesterov momentum needs a momentum above 0";
        return nullptr;
    }

    Coefficients coefficients(double lr, std::int64_t /*t*/) const {
        Coefficients c;
        c.lr = float(lr);
        c.momentum = float(momentum);
        c.nesterov = nesterov;
        if constexpr (Decay == WeightDecay::Decoupled) c.keep = float(1.0 - lr * weight_decay);
        else c.l2 = float(weight_decay);
        return c;
    }

    static int tasks(std::size_t count) { return kernels::MomentumSgdUpdate::tasks(count); }
    static void run_task(int task, const Coefficients& c, const ParamArrays<kStateSlots>& a) {
        kernels::MomentumSgdUpdate::run(task, a.params, a.state[0], a.grads, a.count, c);
    }
    void step(ThreadPool& pool, const ParamArrays<kStateSlots>& a, double lr, std::int64_t t) const {
        run_step(pool, *this, a, lr, t);
    }
};

// SGD with (Nesterov) momentum and decoupled weight decay.
using SgdW = MomentumSgd<WeightDecay::Decoupled>;

static_assert(is_optimizer_v<SgdW> && is_optimizer_v<MomentumSgd<WeightDecay::L2>>);

}  // namespace statnn::optim
