// statnn/kernels/dense.hpp — the fully connected kernels layers call (see conv2d.hpp).
//
// Each operation is a set of independent tasks: call run(task, ...) for every task in
// [0, kTasks), in any order or in parallel.
#pragma once

#include "statnn/kernels/ref/dense.hpp"
#include "statnn/kernels/simd/dense.hpp"

namespace statnn::kernels {

// Wide layers (output columns a multiple of the vector width) tile the columns; narrow
// ones (e.g. 10 classes) work on a transposed kernel in `scratch` (kScratchFloats).
template <int I, int O>
struct Dense {
#if !defined(STATNN_NO_SIMD)
    using Plan = simd::DensePlan<I, O>;
    static constexpr bool kWide = Plan::supported;
    static constexpr bool kNarrow = !kWide && I % simd::L == 0;
    static constexpr int kForwardTasks = kWide ? Plan::kForwardTasks : 1;
    static constexpr int kInputTasks = kWide ? Plan::kInputTasks : 1;
    static constexpr int kWeightTasks = kWide ? Plan::kWeightTasks + Plan::kBiasTasks : 1;
#else
    static constexpr bool kWide = false, kNarrow = false;
    static constexpr int kForwardTasks = 1, kInputTasks = 1, kWeightTasks = 1;
#endif
    static constexpr std::size_t kScratchFloats = kNarrow ? std::size_t(I) * O : 0;

    // out[r][o] = b[o] + sum_i in[r][i] k[i][o] (then ReLU), rows 0..n-1.
    static void forward(int task, const float* in, int n, const float* k, const float* b, float* out, bool relu,
                        float* scratch) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kWide) return simd::dense_forward_task<I, O>(in, n, k, b, out, relu, task);
        if constexpr (kNarrow) return simd::dense_forward_narrow<I, O>(in, n, k, b, out, relu, scratch);
#endif
        (void)task, (void)scratch;
        ref::dense_forward<I, O>(in, n, k, b, out, relu);
    }

    // din[r][i] = sum_o dout[r][o] k[i][o]
    static void backward_input(int task, const float* dout, int n, const float* k, float* din, float* scratch) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kWide) return simd::dense_backward_input_task<I, O>(dout, n, k, din, task);
        if constexpr (kNarrow) return simd::dense_backward_input_narrow<I, O>(dout, n, k, din, scratch);
#endif
        (void)task, (void)scratch;
        ref::dense_backward_input<I, O>(dout, n, k, din);
    }

    // dk[i][o] = sum_r in[r][i] dout[r][o], db[o] = sum_r dout[r][o] (overwritten)
    static void backward_weights(int task, const float* in, const float* dout, int n, float* dk, float* db,
                                 float* scratch) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kWide) return simd::dense_backward_weights_task<I, O>(in, dout, n, dk, db, task);
        if constexpr (kNarrow) return simd::dense_backward_weights_narrow<I, O>(in, dout, n, dk, db, scratch);
#endif
        (void)task, (void)scratch;
        ref::dense_backward_weights<I, O>(in, dout, n, dk, db);
    }
};

}  // namespace statnn::kernels
