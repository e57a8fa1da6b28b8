// statnn/init.hpp — parameter initialisation: Keras glorot_uniform kernels and zero biases
// (the seed models'), PyTorch's default, and airbench's partial identity.
//
// A convolution chooses its initialisation with a policy type:
//   KerasInit            glorot_uniform kernel, zero bias (Keras; the default)
//   TorchInit            uniform in ±1/sqrt(fan_in) for kernel and bias (PyTorch's Conv2d/Linear:
//                        kaiming_uniform with a = sqrt(5))
//   PartialIdentityInit  TorchInit, then the first min(C, F) filters an identity (PyTorch's
//                        dirac_ on w[:C], as airbench does): a deep stack starts close to
//                        passing its input through
#pragma once

#include <cmath>
#include <cstddef>

#include "statnn/rng.hpp"

namespace statnn {

struct KerasInit {
    static constexpr const char* name = "glorot_uniform";
};
struct TorchInit {
    static constexpr const char* name = "torch_uniform";
};
struct PartialIdentityInit {
    static constexpr const char* name = "partial_identity";
};

// Uniform in [-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
// Keras fans: conv kernels k*k*in and k*k*out, dense kernels in and out.
inline void glorot_uniform(float* w, std::size_t n, float fan_in, float fan_out, Rng& rng) {
    const float limit = std::sqrt(6.0f / (fan_in + fan_out));
    for (std::size_t e = 0; e < n; ++e) w[e] = rng.uniform(-limit, limit);
}

// Uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for weights and biases.
inline void torch_uniform(float* w, std::size_t n, float fan_in, Rng& rng) {
    const float limit = 1.0f / std::sqrt(fan_in);
    for (std::size_t e = 0; e < n; ++e) w[e] = rng.uniform(-limit, limit);
}

// Filters f < min(C, F) of a K x K x C x F kernel (HWIO) become the identity: 1 at the
// centre tap (K / 2, K / 2) of channel f, 0 elsewhere.
inline void partial_identity(float* w, int K, int C, int F) {
    const int identities = C < F ? C : F;
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx)
            for (int c = 0; c < C; ++c)
                for (int f = 0; f < identities; ++f)
                    w[((std::size_t(ky) * K + kx) * C + c) * F + f] = (ky == K / 2 && kx == K / 2 && c == f) ? 1.0f : 0.0f;
}

}  // namespace statnn
