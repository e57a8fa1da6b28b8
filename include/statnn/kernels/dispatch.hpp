// statnn/kernels/dispatch.hpp — how a kernel family chooses between its two implementations.
//
// Every family has a scalar reference in ref/<family>.hpp (any shape; the tests' oracle)
// and an xsimd version in simd/<family>.hpp with the same function names and signatures.
// Its dispatcher, kernels/<family>.hpp, picks one at compile time:
//
//     if constexpr (use_simd<fits>) simd::f(...); else ref::f(...);
//
// where `fits` says whether the shape suits the vector kernel (its plan's `supported`).
// Every family's vector kernel takes any shape: channels past the last whole vector run
// narrower vectors or single floats, so only a build without SIMD runs the references.
// Each dispatcher says what a shape gets (`kRunsSimd`, or a `..._runs_simd` constant),
// for summary.hpp to name any layer left on a reference. Dispatchers hold no
// preprocessor conditionals.
//
// Builds without a SIMD architecture have no vector kernels: there `simd` takes in the
// reference's names, so a dispatcher's simd::f is ref::f and compiles unchanged. What a
// dispatcher names that only the vector side has (a plan, or an algorithm of its own
// such as Winograd's) is declared by that simd/ file for such builds: plans that fit no
// shape, and functions declared only, never instantiated since no branch takes them.
//
// Families: eltwise, pool, sgd, max_norm, adam, momentum_sgd, gelu, avgpool, batchnorm,
// conv2d, conv2d_strided, dense; softmax_xent has only the reference (batch x classes
// values per step, too few for vectors to matter). simd/ has three files of its own:
// common.hpp (the batch type and tile sizing), channel_blocks.hpp (narrower vectors for
// channel tails) and winograd.hpp (an algorithm of conv2d).
#pragma once

#include "statnn/config.hpp"

namespace statnn::kernels {

namespace ref {}
#if defined(STATNN_NO_SIMD)
namespace simd {
using namespace ref;
}
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
