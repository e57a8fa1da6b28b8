// statnn/kernels/dense.hpp — the fully connected kernels layers call (see dispatch.hpp).
//
// Each operation is a set of independent tasks: call run(task, ...) for every task in
// [0, kTasks), in any order or in parallel.
#pragma once

#include "statnn/kernels/dispatch.hpp"
#include "statnn/kernels/ref/dense.hpp"
#include "statnn/kernels/simd/dense.hpp"

namespace statnn::kernels {

// Wide layers (output columns a multiple of the vector width) tile the columns; narrow
// ones (any other count, e.g. 10 classes) work on a transposed kernel in `scratch`
// (kScratchFloats). Only a build without SIMD runs the reference.
template <int I, int O>
struct Dense {
    using Plan = simd::DensePlan<I, O>;
    static constexpr bool kWide = use_simd<Plan::supported>;
    static constexpr bool kNarrow = use_simd<!Plan::supported>;
    static constexpr bool kRunsSimd = kWide || kNarrow;
    static constexpr int kForwardTasks = kWide ? Plan::kForwardTasks : 1;
    static constexpr int kInputTasks = kWide ? Plan::kInputTasks : 1;
    static constexpr int kWeightTasks = kWide ? Plan::kWeightTasks + Plan::kBiasTasks : 1;
    static constexpr std::size_t kScratchFloats = kNarrow ? std::size_t(I) * O : 0;

    // out[r][o] = b[o] + sum_i in[r][i] k[i][o] (then ReLU), rows 0..n-1.
    static void forward(int task, const float* in, int n, const float* k, const float* b, float* out, bool relu,
                        float* scratch) {
        if constexpr (kWide) simd::dense_forward_task<I, O>(in, n, k, b, out, relu, task);
        else if constexpr (kNarrow) simd::dense_forward_narrow<I, O>(in, n, k, b, out, relu, scratch);
        else ref::dense_forward<I, O>(in, n, k, b, out, relu);
        (void)task, (void)scratch;
    }

    // din[r][i] = sum_o dout[r][o] k[i][o]
    static void backward_input(int task, const float* dout, int n, const float* k, float* din, float* scratch) {
        if constexpr (kWide) simd::dense_backward_input_task<I, O>(dout, n, k, din, task);
        else if constexpr (kNarrow) simd::dense_backward_input_narrow<I, O>(dout, n, k, din, scratch);
        else ref::dense_backward_input<I, O>(dout, n, k, din);
        (void)task, (void)scratch;
    }

    // dk[i][o] = sum_r in[r][i] dout[r][o], db[o] = sum_r dout[r][o] (overwritten)
    static void backward_weights(int task, const float* in, const float* dout, int n, float* dk, float* db,
                                 float* scratch) {
        if constexpr (kWide) simd::dense_backward_weights_task<I, O>(in, dout, n, dk, db, task);
        else if constexpr (kNarrow) simd::dense_backward_weights_narrow<I, O>(in, dout, n, dk, db, scratch);
        else ref::dense_backward_weights<I, O>(in, dout, n, dk, db);
        (void)task, (void)scratch;
    }
};

}  // namespace statnn::kernels
