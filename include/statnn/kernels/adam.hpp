// statnn/kernels/adam.hpp — the Adam update (ref/adam.hpp) as independent tasks over
// chunks of the flat parameter array (see dispatch.hpp).
#pragma once

#include <cstddef>

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/adam.hpp"
#include "statnn/kernels/simd/adam.hpp"

namespace statnn::kernels {

// Task t updates [t*kChunk, (t+1)*kChunk): disjoint writes, so any thread count gives the
// same bits.
struct AdamUpdate {
    static constexpr std::size_t kChunk = std::size_t(1) << 14;
    static int tasks(std::size_t n) { return int((n + kChunk - 1) / kChunk); }
    static void run(int task, float* w, float* m, float* v, const float* g, std::size_t n, const AdamCoefficients& c) {
        const std::size_t first = std::size_t(task) * kChunk;
        const std::size_t count = n - first < kChunk ? n - first : kChunk;
        if constexpr (use_simd<true>) simd::adam_update(w + first, m + first, v + first, g + first, count, c);
        else ref::adam_update(w + first, m + first, v + first, g + first, count, c);
    }
};

}  // namespace statnn::kernels
