// statnn/kernels/ref/adam.hpp — the Adam update as PyTorch defines it, with weight decay
// added to the gradient (Adam's L2) or taken from the weights (AdamW); the test oracle of
// simd/adam.hpp.
//
// Per element, with the step's coefficients (AdamCoefficients, t = steps already taken):
//   w  = keep * w                        keep = 1 - lr*λ for AdamW, 1 otherwise
//   g' = g + l2 * w                      l2 = λ for Adam's L2 decay, 0 otherwise
//   m  = β1 * m + (1 - β1) * g'
//   v  = β2 * v + (1 - β2) * g'^2
//   w  = w - step_size * m / (sqrt(v) / sqrt_bc2 + eps)
// with step_size = lr / (1 - β1^(t+1)) and sqrt_bc2 = sqrt(1 - β2^(t+1)): eps is added
// after the second moment's bias correction, where PyTorch adds it, so it weighs the same
// at every step.
#pragma once

#include <cmath>
#include <cstddef>

namespace statnn::kernels {

// The scalars of one step, computed once per step in double and rounded to float. At most
// one of keep and l2 differs from its neutral value (1, 0): AdamW or Adam.
struct AdamCoefficients {
    float beta1 = 0.9f, one_minus_beta1 = 0.1f;
    float beta2 = 0.999f, one_minus_beta2 = 0.001f;
    float step_size = 0.0f;  // lr / (1 - β1^(t+1))
    float sqrt_bc2 = 1.0f;   // sqrt(1 - β2^(t+1))
    float eps = 1e-8f;
    float keep = 1.0f;  // 1 - lr*λ (AdamW)
    float l2 = 0.0f;    // λ (Adam)
};

namespace ref {

inline void adam_update(float* w, float* m, float* v, const float* g, std::size_t n, const AdamCoefficients& c) {
    for (std::size_t e = 0; e < n; ++e) {
        const float we = c.keep * w[e];
        const float ge = g[e] + c.l2 * we;
        const float me = c.beta1 * m[e] + c.one_minus_beta1 * ge;
        const float ve = c.beta2 * v[e] + c.one_minus_beta2 * (ge * ge);
        m[e] = me;
        v[e] = ve;
        w[e] = we - c.step_size * (me / (std::sqrt(ve) / c.sqrt_bc2 + c.eps));
    }
}

}  // namespace ref
}  // namespace statnn::kernels
