// statnn/init.hpp — parameter initialisation: Keras glorot_uniform kernels, zero biases.
#pragma once

#include <cmath>
#include <cstddef>

#include "statnn/rng.hpp"

namespace statnn {

// Uniform in [-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).
// Keras fans: conv kernels k*k*in and k*k*out, dense kernels in and out.
inline void glorot_uniform(float* w, std::size_t n, float fan_in, float fan_out, Rng& rng) {
    const float limit = std::sqrt(6.0f / (fan_in + fan_out));
    for (std::size_t e = 0; e < n; ++e) w[e] = rng.uniform(-limit, limit);
}

}  // namespace statnn
