// statnn/kernels/sgd.hpp — the Keras SGD update (ref/sgd.hpp) as independent tasks over
// chunks of the flat parameter array (see dispatch.hpp).
#pragma once

#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/sgd.hpp"
#include "statnn/kernels/simd/sgd.hpp"

namespace statnn::kernels {

// Task t updates [t*kChunk, (t+1)*kChunk): disjoint writes, so any thread count gives the
// same bits.
struct SgdUpdate {
    static constexpr std::size_t kChunk = std::size_t(1) << 14;
    static int tasks(std::size_t n) { return int((n + kChunk - 1) / kChunk); }
    static void run(int task, float* w, float* v, const float* g, std::size_t n, float lr_t, float m, bool nesterov) {
        const std::size_t first = std::size_t(task) * kChunk;
        const std::size_t count = n - first < kChunk ? n - first : kChunk;
        if constexpr (use_simd<true>) simd::sgd_update(w + first, v + first, g + first, count, lr_t, m, nesterov);
        else ref::sgd_update(w + first, v + first, g + first, count, lr_t, m, nesterov);
    }
};

}  // namespace statnn::kernels
