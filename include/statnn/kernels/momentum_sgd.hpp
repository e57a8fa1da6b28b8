// statnn/kernels/momentum_sgd.hpp — the momentum SGD update (ref/momentum_sgd.hpp) as
// independent tasks over chunks of the flat parameter array (see dispatch.hpp).
#pragma once

#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/momentum_sgd.hpp"
#include "statnn/kernels/simd/momentum_sgd.hpp"

namespace statnn::kernels {

// Task t updates [t*kChunk, (t+1)*kChunk): disjoint writes, so any thread count gives the
// same bits.
struct MomentumSgdUpdate {
    static constexpr std::size_t kChunk = std::size_t(1) << 14;
    static int tasks(std::size_t n) { return int((n + kChunk - 1) / kChunk); }
    static void run(int task, float* w, float* b, const float* g, std::size_t n, const MomentumSgdCoefficients& c) {
        const std::size_t first = std::size_t(task) * kChunk;
        const std::size_t count = n - first < kChunk ? n - first : kChunk;
        if constexpr (use_simd<true>) simd::momentum_sgd_update(w + first, b + first, g + first, count, c);
        else ref::momentum_sgd_update(w + first, b + first, g + first, count, c);
    }
};

}  // namespace statnn::kernels
