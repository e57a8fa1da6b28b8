// statnn/config.hpp — build-wide constants: version, arena alignment, SIMD selection.
//
// The SIMD architecture is fixed at compile time by the compiler flags of each binary
// (one binary per board), never detected at run time. Define STATNN_NO_SIMD, or build
// for a target xsimd does not support, to get the portable scalar kernels only.
#pragma once

#include <cstddef>

#if !defined(STATNN_NO_SIMD)
// GCC 12's AVX-512 intrinsics initialise their "undefined" vectors from themselves and
// trip -Wuninitialized wherever they are inlined (GCC bug 105593); not our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define STATNN_NO_SIMD 1
#endif
#endif

// No operating system threads on a microcontroller (M-profile ARM): the thread pool runs
// every task on the caller (thread_pool.hpp). Other targets may define it too.
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M' && !defined(STATNN_NO_THREADS)
#define STATNN_NO_THREADS 1
#endif

namespace statnn {

inline constexpr const char* kVersion = "0.1.0";

// Every arena slice starts on this boundary: 64 bytes covers AVX-512 and a cache line.
inline constexpr std::size_t kAlignment = 64;

#if defined(STATNN_NO_SIMD)
inline constexpr bool kHasSimd = false;
inline constexpr std::size_t kFloatLanes = 1;
inline constexpr const char* simd_arch_name() { return "scalar"; }
#else
inline constexpr bool kHasSimd = true;
using SimdArch = xsimd::default_arch;
using FloatBatch = xsimd::batch<float, SimdArch>;
inline constexpr std::size_t kFloatLanes = FloatBatch::size;
inline constexpr const char* simd_arch_name() { return SimdArch::name(); }
#endif

}  // namespace statnn
