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

// The budget of output-channel vectors per tile of the convolutions' pixel-tiled kernels
// (forward, input gradient). With 32 registers: 2 vectors of 16 floats (AVX-512) or 4 of 4
// (AArch64), beside up to 14 or 6 pixels. With 16 registers: 2 vectors beside 6 pixels, 12
// accumulators to cover the FMA latency — 4 vectors leave room for 2 pixels only (8
// accumulators, 6 loads or broadcasts per 8 FMAs: 53-56% of the AVX2 peak on cnn6's convs,
// against 79-89% with 2). A first layer with fewer input channels than a vector keeps 4
// (its short inner loop favours the longer output run: 77% against 58%).
constexpr int conv_output_vectors(int input_channels) {
    if (kVectorRegisters >= 32) return L >= 16 ? 2 : 4;
    return input_channels < L ? 4 : 2;
}

inline constexpr int kFloatsPerLine = 16;  // 64-byte cache lines, for prefetching

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

// Keeps a loaded vector in a register. GCC 12 otherwise folds a load reused by several
// FMAs back into each of them as a memory operand, when it judges that free: the dense
// input gradient's 4 x 4 tile on AVX-512 then issued two loads per FMA and ran at 45% of
// the peak.
inline void keep_in_register(B& v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    typename B::register_type r = v;
    asm("" : "+v"(r));
    v = r;
#else
    (void)v;
#endif
}

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
