// statnn/kernels/dispatch.hpp — how a kernel family chooses between its two implementations.
//
// Every family has a scalar reference in ref/<family>.hpp (any shape; the tests' oracle)
// and an xsimd version in simd/<family>.hpp with the same function names and signatures.
// Its dispatcher, kernels/<family>.hpp, picks one at compile time:
//
//     if constexpr (use_simd<fits>) simd::f(...); else ref::f(...);
//
// where `fits` says whether the shape suits the vector kernel. Builds without a SIMD
// architecture have no simd:: kernels: there `simd` names the reference namespace, so
// dispatchers compile unchanged (and never take that branch).
#pragma once

#include "statnn/config.hpp"

namespace statnn::kernels {

namespace ref {}
#if defined(STATNN_NO_SIMD)
namespace simd = ref;
#else
namespace simd {}
#endif

// True when this build has vector kernels and the shape at hand suits them.
template <bool VectorFits>
inline constexpr bool use_simd = kHasSimd && VectorFits;

// Runs fn(task) for task in [0, tasks) on anything with a ThreadPool-like
// run(tasks, fn), or, without one, in order on the calling thread.
struct SerialRunner {
    template <class Fn>
    void run(int tasks, Fn&& fn) const {
        for (int t = 0; t < tasks; ++t) fn(t);
    }
};

}  // namespace statnn::kernels
