// bench/memory_peak.hpp — one core's copy bandwidth over a given working set: the limit
// the memory-bound benchmarks (pooling, activations, dropout, padding, optimizers) are
// measured against (counter bandwidth_fraction).
//
// A copy reads half the working set and writes the other half, the traffic of an
// element-wise kernel; bytes are counted both ways, as the kernels count theirs. The
// working set decides which level serves it (one image of activations stays in L2, a
// parameter set of megabytes does not), so each kernel is held to a copy of its own size.
#pragma once

#include <cstddef>
#include <map>

#include "fma_peak.hpp"
#include "statnn/arena.hpp"
#include "statnn/config.hpp"
#include "statnn/kernels/simd/common.hpp"

namespace statnn::bench {

// noipa: the compiler must not drop or merge the repeated copies.
[[gnu::noipa]] inline void copy_floats(const float* src, float* dst, std::size_t n) {
    std::size_t i = 0;
#if !defined(STATNN_NO_SIMD)
    using kernels::simd::B;
    constexpr std::size_t L = kernels::simd::L;
    for (; i + 4 * L <= n; i += 4 * L) {
        const B a = B::load_aligned(src + i), b = B::load_aligned(src + i + L), c = B::load_aligned(src + i + 2 * L),
                d = B::load_aligned(src + i + 3 * L);
        a.store_aligned(dst + i);
        b.store_aligned(dst + i + L);
        c.store_aligned(dst + i + 2 * L);
        d.store_aligned(dst + i + 3 * L);
    }
#endif
    for (; i < n; ++i) dst[i] = src[i];
}

// Bytes per second (read + written) of one thread copying `working_set` / 2 bytes; measured
// once per size and process (best_rate_of_runs).
inline double one_thread_copy_bandwidth(std::size_t working_set) {
    static std::map<std::size_t, double> measured;
    const auto known = measured.find(working_set);
    if (known != measured.end()) return known->second;
    const std::size_t half = (working_set / 2 + 63) / 64 * 64, n = half / sizeof(float);
    std::byte* src = allocate_block(half);
    std::byte* dst = allocate_block(half);
    auto* s = reinterpret_cast<float*>(src);
    auto* d = reinterpret_cast<float*>(dst);
    for (std::size_t i = 0; i < n; ++i) s[i] = float(i % 1000), d[i] = 0.0f;
    const double bandwidth = best_rate_of_runs(2.0 * double(half), [&] { copy_floats(s, d, n); });
    free_block(src, half);
    free_block(dst, half);
    measured[working_set] = bandwidth;
    return bandwidth;
}

}  // namespace statnn::bench
