// statnn/kernels/ref/momentum_sgd.hpp — SGD with momentum as PyTorch defines it, with
// weight decay added to the gradient (L2) or taken from the weights (decoupled); the test
// oracle of simd/momentum_sgd.hpp.
//
// Per element, with the step's coefficients (MomentumSgdCoefficients):
//   w  = keep * w            keep = 1 - lr*λ for decoupled decay, 1 otherwise
//   g' = g + l2 * w          l2 = λ for L2 decay, 0 otherwise
//   b  = m * b + g'          the buffer sums raw gradients: lr enters only below, so a
//                            schedule changes the step at once (Keras's velocity holds lr*g)
//   w  = w - lr * (g' + m*b) with Nesterov momentum
//   w  = w - lr * b          without
// A zero buffer before the first step gives b = g', as PyTorch's first step does.
#pragma once

#include <cstddef>

namespace statnn::kernels {

// The scalars of one step, computed once per step in double and rounded to float. At most
// one of keep and l2 differs from its neutral value (1, 0): the decay is one form or the other.
struct MomentumSgdCoefficients {
    float lr = 0.0f;        // the learning rate of this step
    float momentum = 0.0f;  // m
    float keep = 1.0f;      // 1 - lr*λ (decoupled weight decay)
    float l2 = 0.0f;        // λ (weight decay as an L2 term of the gradient)
    bool nesterov = true;
};

namespace ref {

inline void momentum_sgd_update(float* w, float* b, const float* g, std::size_t n, const MomentumSgdCoefficients& c) {
    for (std::size_t e = 0; e < n; ++e) {
        const float we = c.keep * w[e];
        const float ge = g[e] + c.l2 * we;
        const float be = c.momentum * b[e] + ge;
        b[e] = be;
        w[e] = we - c.lr * (c.nesterov ? ge + c.momentum * be : be);
    }
}

}  // namespace ref
}  // namespace statnn::kernels
