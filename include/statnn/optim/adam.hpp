// statnn/optim/adam.hpp — Adam and AdamW as PyTorch defines them (torch.optim.Adam and
// AdamW, amsgrad off): bias-corrected moments, eps added after the bias correction of the
// second moment. An optimizer of the concept in optim/optimizer.hpp.
//
// One step t (t steps already applied) with learning rate lr_t, per parameter w with
// gradient g and moments m, v (two state slots, zero before the first step):
//   AdamW:  w = (1 - lr_t*λ) * w;   g' = g          (decoupled decay, scaled by lr_t)
//   Adam:                           g' = g + λ*w    (L2 decay, through the moments)
//   m = β1*m + (1-β1)*g'
//   v = β2*v + (1-β2)*g'^2
//   w = w - lr_t / (1 - β1^(t+1)) * m / (sqrt(v) / sqrt(1 - β2^(t+1)) + eps)
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "statnn/kernels/adam.hpp"
#include "statnn/optim/optimizer.hpp"

namespace statnn::optim {

template <WeightDecay Decay>
struct BasicAdam {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = Decay == WeightDecay::Decoupled ? 1e-2 : 0.0;  // λ; PyTorch's defaults

    static constexpr int kStateSlots = 2;
    static constexpr const char* kKind = Decay == WeightDecay::Decoupled ? "adamw" : "adam";
    static constexpr const char* state_name(int slot) { return slot == 0 ? "exp_avg" : "exp_avg_sq"; }
    using Coefficients = kernels::AdamCoefficients;

    std::array<Field, 4> fields() const {
        return {{{"beta1", beta1}, {"beta2", beta2}, {"eps", eps}, {"weight_decay", weight_decay}}};
    }

    bool set_field(std::string_view name, double value) {
        if (name == "beta1") beta1 = value;
        else if (name == "beta2") beta2 = value;
        else if (name == "eps") eps = value;
        else if (name == "weight_decay") weight_decay = value;
        else return false;
        return true;
    }

    const char* invalid() const {
        if (!(beta1 >= 0.0 && beta1 < 1.0)) return "beta1 must be in [0, 1)";
        if (!(beta2 >= 0.0 && beta2 < 1.0)) return "beta2 must be in [0, 1)";
        if (!(eps > 0.0 && std::isfinite(eps))) return "eps must be finite and > 0";
        if (!(weight_decay >= 0.0 && std::isfinite(weight_decay))) return "weight_decay must be finite and >= 0";
        return nullptr;
    }

    // The bias corrections of step t in double, once per step.
    Coefficients coefficients(double lr, std::int64_t t) const {
        const double steps = double(t + 1);
        Coefficients c;
        c.beta1 = float(beta1);
        c.one_minus_beta1 = float(1.0 - beta1);
        c.beta2 = float(beta2);
        c.one_minus_beta2 = float(1.0 - beta2);
        c.step_size = float(lr / (1.0 - std::pow(beta1, steps)));
        c.sqrt_bc2 = float(std::sqrt(1.0 - std::pow(beta2, steps)));
        c.eps = float(eps);
        if constexpr (Decay == WeightDecay::Decoupled) c.keep = float(1.0 - lr * weight_decay);
        else c.l2 = float(weight_decay);
        return c;
    }

    static int tasks(std::size_t count) { return kernels::AdamUpdate::tasks(count); }
    static void run_task(int task, const Coefficients& c, const ParamArrays<kStateSlots>& a) {
        kernels::AdamUpdate::run(task, a.params, a.state[0], a.state[1], a.grads, a.count, c);
    }
    void step(ThreadPool& pool, const ParamArrays<kStateSlots>& a, double lr, std::int64_t t) const {
        run_step(pool, *this, a, lr, t);
    }
};

using Adam = BasicAdam<WeightDecay::L2>;
using AdamW = BasicAdam<WeightDecay::Decoupled>;

static_assert(is_optimizer_v<Adam> && is_optimizer_v<AdamW>);

}  // namespace statnn::optim
