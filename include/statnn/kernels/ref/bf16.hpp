// statnn/kernels/ref/bf16.hpp — bfloat16 rounding, scalar (the test oracle of the bf16
// kernels' conversions, and what packs their weights).
//
// A bf16 is the upper half of an fp32: same sign and 8-bit exponent, 7 stored mantissa
// bits. Rounding is to nearest, ties to even, with denormal inputs flushed to zero, which
// is what AVX512_BF16's vcvtne2ps2bf16 does (it ignores MXCSR): the scalar and the vector
// conversions give the same bits. A NaN stays a quiet NaN of the same sign.
//
// The bf16 kernels compute with inputs and weights rounded so and accumulate in fp32; their
// oracle is the fp32 reference kernel run on round_to_bf16'd copies of those operands.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace statnn::kernels::ref {

using Bf16 = std::uint16_t;  // the bits of a bfloat16

inline Bf16 to_bf16(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7f800000u) == 0) return Bf16((u >> 16) & 0x8000u);                   // zero, denormal: signed zero
    if ((u & 0x7fffffffu) > 0x7f800000u) return Bf16((u >> 16) | 0x0040u);          // NaN: quiet
    return Bf16((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);                            // ties to even; may round to inf
}

inline float from_bf16(Bf16 h) {
    const std::uint32_t u = std::uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// The fp32 value nearest to f that a bf16 holds (as above).
inline float round_to_bf16(float f) { return from_bf16(to_bf16(f)); }

inline void round_to_bf16(const float* src, float* dst, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) dst[i] = round_to_bf16(src[i]);
}

}  // namespace statnn::kernels::ref
