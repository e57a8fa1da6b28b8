// statnn/kernels/simd/common.hpp — what every xsimd kernel shares: the batch type, the
// register budget of the build's architecture, and how tiles are sized.
//
// Kernels here are register-blocked: a tile of MR rows (output pixels, batch rows or
// input channels) by NR vectors of output channels is accumulated in registers. The
// budget is the number of vector registers: 32 on AVX-512 and AArch64, 16 on AVX2, SSE
// and ARMv7 NEON. Tile sizes are compile-time functions of the layer shape.
#pragma once

#include <cstddef>

#include "statnn/config.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

using B = FloatBatch;
inline constexpr int L = int(B::size);

#if defined(__AVX512F__) || defined(__aarch64__)
inline constexpr int kVectorRegisters = 32;
#else
inline constexpr int kVectorRegisters = 16;
#endif

// Vectors of output channels per tile: as many as fit a budget, and divide the channels.
constexpr int choose_nr(int channels, int max_nr) {
    for (int nr = max_nr; nr > 1; --nr)
        if (channels % (nr * L) == 0) return nr;
    return 1;
}

// Largest MR such that MR*NR accumulators, NR operand vectors and one broadcast fit.
constexpr int max_mr(int nr) { return (kVectorRegisters - nr - 1) / nr; }

// Splits `extent` into equal-as-possible tiles of at most `cap`: the size of the main
// tile (the last one may be smaller).
constexpr int balanced_tile(int extent, int cap) {
    const int tiles = (extent + cap - 1) / cap;
    return (extent + tiles - 1) / tiles;
}

// Largest divisor of `extent` that is at most `cap`.
constexpr int divisor_tile(int extent, int cap) {
    for (int t = cap < extent ? cap : extent; t > 1; --t)
        if (extent % t == 0) return t;
    return 1;
}

// End of the whole vectors in [0, n): loops run e < vector_end(n) in steps of L, then
// a scalar tail (written this way, GCC sees the trip count cannot wrap).
constexpr std::size_t vector_end(std::size_t n) { return n - n % std::size_t(L); }

inline B load(const float* p) { return B::load_unaligned(p); }
inline void store(float* p, const B& v) { v.store_unaligned(p); }

// Horizontal sum; xsimd 8 calls it hadd, 9+ reduce_add.
inline float reduce_add(const B& v) {
#if XSIMD_VERSION_MAJOR < 9
    return xsimd::hadd(v);
#else
    return xsimd::reduce_add(v);
#endif
}

}  // namespace statnn::kernels::simd

#endif
