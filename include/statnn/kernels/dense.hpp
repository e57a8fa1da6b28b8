// statnn/kernels/dense.hpp — the fully connected kernels layers call (see conv2d.hpp).
//
// Each operation is a set of independent tasks: call run(task, ...) for every task in
// [0, kTasks), in any order or in parallel.
#pragma once

#include "statnn/kernels/ref/dense.hpp"
#include "statnn/kernels/simd/dense.hpp"

namespace statnn::kernels {

template <int I, int O>
struct Dense {
#if !defined(STATNN_NO_SIMD)
    using Plan = simd::DensePlan<I, O>;
    static constexpr bool kSimd = Plan::supported;
    static constexpr int kForwardTasks = kSimd ? Plan::kForwardTasks : 1;
    static constexpr int kInputTasks = kSimd ? Plan::kInputTasks : 1;
    static constexpr int kWeightTasks = kSimd ? Plan::kWeightTasks + Plan::kBiasTasks : 1;
#else
    static constexpr bool kSimd = false;
    static constexpr int kForwardTasks = 1, kInputTasks = 1, kWeightTasks = 1;
#endif

    // out[r][o] = b[o] + sum_i in[r][i] k[i][o] (then ReLU), rows 0..n-1.
    static void forward(int task, const float* in, int n, const float* k, const float* b, float* out, bool relu) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kSimd) return simd::dense_forward_task<I, O>(in, n, k, b, out, relu, task);
#endif
        ref::dense_forward<I, O>(in, n, k, b, out, relu);
    }

    // din[r][i] = sum_o dout[r][o] k[i][o]
    static void backward_input(int task, const float* dout, int n, const float* k, float* din) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kSimd) return simd::dense_backward_input_task<I, O>(dout, n, k, din, task);
#endif
        ref::dense_backward_input<I, O>(dout, n, k, din);
    }

    // dk[i][o] = sum_r in[r][i] dout[r][o], db[o] = sum_r dout[r][o] (overwritten)
    static void backward_weights(int task, const float* in, const float* dout, int n, float* dk, float* db) {
#if !defined(STATNN_NO_SIMD)
        if constexpr (kSimd) return simd::dense_backward_weights_task<I, O>(in, dout, n, dk, db, task);
#endif
        ref::dense_backward_weights<I, O>(in, dout, n, dk, db);
    }
};

}  // namespace statnn::kernels
