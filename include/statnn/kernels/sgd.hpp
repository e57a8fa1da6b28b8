// statnn/kernels/sgd.hpp — optimizer kernels (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/sgd.hpp"

namespace statnn::kernels {

inline void sgd_update(float* w, float* v, const float* g, std::size_t n, float lr_t, float m, bool nesterov) {
    ref::sgd_update(w, v, g, n, lr_t, m, nesterov);
}

template <int Rows, int Cols>
int max_norm(float* k, float max_value, float eps, float* norms) {
    return ref::max_norm<Rows, Cols>(k, max_value, eps, norms);
}

}  // namespace statnn::kernels
