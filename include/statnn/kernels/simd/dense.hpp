// statnn/kernels/simd/dense.hpp — fully connected kernels with xsimd.
//
// Same contracts as ref/dense.hpp (kernel [in][out], row-major). Each is split into
// independent tasks (blocks of output columns or of kernel rows) for the thread pool;
// a task writes only its own outputs, so results do not depend on scheduling.
#pragma once

#include <type_traits>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// Calls fn(std::integral_constant<int, rows>) for a run-time 1 <= rows <= Max.
template <int Max, class Fn>
inline void with_rows(int rows, Fn&& fn) {
    if constexpr (Max >= 1) {
        if (rows == Max)
            fn(std::integral_constant<int, Max>{});
        else
            with_rows<Max - 1>(rows, fn);
    }
}

template <int I, int O>
struct DensePlan {
    static constexpr bool supported = O % L == 0;
    // forward: MR batch rows x NR column vectors, the kernel rows in chunks of kChunk.
    // Every weight loaded serves MR rows: 2 column vectors leave room for 6 rows with 16
    // registers, 12 with 32 (4 vectors left 2 and 6: one weight per 2 FMAs on AVX2). A
    // column panel of the kernel is read once per tile of rows, its rows a kernel row
    // apart (4 KiB for 1024 outputs): with so many lines in the same cache sets, a whole
    // panel does not stay in L2, a chunk of kChunk rows does, for every row tile.
    static constexpr int NR = choose_nr(O, 2);
    static constexpr int MR = max_mr(NR) < 12 ? max_mr(NR) : 12;
    static constexpr int kChunk = 256;
    static constexpr int kForwardTasks = O / (NR * L);
    // input gradient: MI kernel rows x MG batch rows, dot products over the columns
    static constexpr int MG = 4;
    static constexpr int MI = kVectorRegisters >= 32 ? 4 : 2;
    static constexpr int kInputTasks = (I + 4 * MI - 1) / (4 * MI);  // 4 tiles per task
    // kernel gradient: MK kernel rows x NK column vectors, summed over the batch
    static constexpr int NK = choose_nr(O, 4);
    static constexpr int MK = divisor_tile(I, max_mr(NK));
    static constexpr int kRowsPerWeightTask = MK * ((64 + MK - 1) / MK);
    static constexpr int kWeightTasks = (I + kRowsPerWeightTask - 1) / kRowsPerWeightTask;
    static constexpr int kBiasTasks = 1;
};

// Kernel rows [i0, i1) of an MR x NR tile: starts from the bias (i0 = 0) or the partial
// sums in out; applies the ReLU after the last row (i1 = I). The sums run over i in
// order, so chunking changes no bit.
template <int I, int O, int MR, int NR>
inline void dense_forward_tile(const float* in, const float* k, const float* b, float* out, bool relu, int i0, int i1) {
    B acc[MR][NR];
    for (int n = 0; n < NR; ++n) {
        const B bias = load(b + n * L);
        for (int m = 0; m < MR; ++m) acc[m][n] = i0 == 0 ? bias : load(out + m * O + n * L);
    }
    for (int i = i0; i < i1; ++i) {
        B wv[NR];
        for (int n = 0; n < NR; ++n) wv[n] = load(k + i * O + n * L);
        for (int m = 0; m < MR; ++m) {
            const B xv(in[m * I + i]);
            for (int n = 0; n < NR; ++n) acc[m][n] = xsimd::fma(xv, wv[n], acc[m][n]);
        }
    }
    const B zero(0.0f);
    const bool last = i1 == I && relu;
    for (int m = 0; m < MR; ++m)
        for (int n = 0; n < NR; ++n) store(out + m * O + n * L, last ? xsimd::max(acc[m][n], zero) : acc[m][n]);
}

// Task t: the columns [t*NR*L, (t+1)*NR*L) of every row, kernel rows chunk by chunk.
template <int I, int O>
void dense_forward_task(const float* in, int rows, const float* k, const float* b, float* out, bool relu, int task) {
    using P = DensePlan<I, O>;
    const int o0 = task * P::NR * L;
    for (int i0 = 0; i0 < I; i0 += P::kChunk) {
        const int i1 = I - i0 < P::kChunk ? I : i0 + P::kChunk;
        for (int r0 = 0; r0 < rows; r0 += P::MR) {
            with_rows<P::MR>(rows - r0 < P::MR ? rows - r0 : P::MR, [&](auto mr) {
                dense_forward_tile<I, O, decltype(mr)::value, P::NR>(in + r0 * I, k + o0, b + o0, out + r0 * O + o0, relu,
                                                                     i0, i1);
            });
        }
    }
}

// din[r][i] = sum_o g[r][o] * k[i][o] for MI kernel rows and MG batch rows.
template <int I, int O, int MI, int MG>
inline void dense_backward_input_tile(const float* g, const float* k, float* din) {
    B acc[MI][MG];
    for (int m = 0; m < MI; ++m)
        for (int r = 0; r < MG; ++r) acc[m][r] = B(0.0f);
    for (int o = 0; o < O; o += L) {
        B gv[MG];
        for (int r = 0; r < MG; ++r) gv[r] = load(g + r * O + o);
        for (int m = 0; m < MI; ++m) {
            const B kv = load(k + m * O + o);
            for (int r = 0; r < MG; ++r) acc[m][r] = xsimd::fma(kv, gv[r], acc[m][r]);
        }
    }
    for (int m = 0; m < MI; ++m)
        for (int r = 0; r < MG; ++r) din[r * I + m] = reduce_add(acc[m][r]);
}

// Task t: kernel rows [t*4*MI, (t+1)*4*MI) for every batch row.
template <int I, int O>
void dense_backward_input_task(const float* g, int rows, const float* k, float* din, int task) {
    using P = DensePlan<I, O>;
    const int i_end = (task + 1) * 4 * P::MI < I ? (task + 1) * 4 * P::MI : I;
    for (int i0 = task * 4 * P::MI; i0 < i_end; i0 += P::MI) {
        const int mi = i_end - i0 < P::MI ? i_end - i0 : P::MI;
        for (int r0 = 0; r0 < rows; r0 += P::MG) {
            const int mg = rows - r0 < P::MG ? rows - r0 : P::MG;
            with_rows<P::MI>(mi, [&](auto a) {
                with_rows<P::MG>(mg, [&](auto c) {
                    dense_backward_input_tile<I, O, decltype(a)::value, decltype(c)::value>(g + r0 * O, k + i0 * O,
                                                                                            din + r0 * I + i0);
                });
            });
        }
    }
}

// dk[i][o] = sum_r in[r][i] * g[r][o] for MK kernel rows and NK column vectors.
template <int I, int O, int MK, int NK>
inline void dense_backward_weights_tile(const float* in, const float* g, int rows, float* dk) {
    B acc[MK][NK];
    for (int m = 0; m < MK; ++m)
        for (int n = 0; n < NK; ++n) acc[m][n] = B(0.0f);
    for (int r = 0; r < rows; ++r) {
        B gv[NK];
        for (int n = 0; n < NK; ++n) gv[n] = load(g + r * O + n * L);
        for (int m = 0; m < MK; ++m) {
            const B xv(in[r * I + m]);
            for (int n = 0; n < NK; ++n) acc[m][n] = xsimd::fma(xv, gv[n], acc[m][n]);
        }
    }
    for (int m = 0; m < MK; ++m)
        for (int n = 0; n < NK; ++n) store(dk + m * O + n * L, acc[m][n]);
}

// Tasks 0..kWeightTasks-1: blocks of kernel rows; task kWeightTasks: the bias gradient.
template <int I, int O>
void dense_backward_weights_task(const float* in, const float* g, int rows, float* dk, float* db, int task) {
    using P = DensePlan<I, O>;
    if (task == P::kWeightTasks) {
        for (int o = 0; o < O; o += L) {
            B acc(0.0f);
            for (int r = 0; r < rows; ++r) acc += load(g + r * O + o);
            store(db + o, acc);
        }
        return;
    }
    const int i_end = (task + 1) * P::kRowsPerWeightTask < I ? (task + 1) * P::kRowsPerWeightTask : I;
    for (int i0 = task * P::kRowsPerWeightTask; i0 < i_end; i0 += P::MK)
        for (int o0 = 0; o0 < O; o0 += P::NK * L)
            dense_backward_weights_tile<I, O, P::MK, P::NK>(in + i0, g + o0, rows, dk + i0 * O + o0);
}

// ---- narrow layers (fewer output columns than a vector, e.g. 10 classes) ------------
// The kernel is transposed once per call into kt[o][i], so every product runs along
// the long input dimension instead of the short output one.

template <int I, int O>
inline void transpose_kernel(const float* k, float* kt) {
    for (int i = 0; i < I; ++i)
        for (int o = 0; o < O; ++o) kt[o * I + i] = k[i * O + o];
}

template <int I>
inline float dot(const float* a, const float* b) {
    B acc[4] = {B(0.0f), B(0.0f), B(0.0f), B(0.0f)};
    int i = 0;
    for (; i + 4 * L <= I; i += 4 * L)
        for (int u = 0; u < 4; ++u) acc[u] = xsimd::fma(load(a + i + u * L), load(b + i + u * L), acc[u]);
    for (; i + L <= I; i += L) acc[0] = xsimd::fma(load(a + i), load(b + i), acc[0]);
    float s = reduce_add((acc[0] + acc[1]) + (acc[2] + acc[3]));
    for (; i < I; ++i) s += a[i] * b[i];
    return s;
}

// out[r][o] = b[o] + in[r] . kt[o]; kt is scratch of O*I floats.
template <int I, int O>
void dense_forward_narrow(const float* in, int rows, const float* k, const float* b, float* out, bool relu, float* kt) {
    transpose_kernel<I, O>(k, kt);
    for (int r = 0; r < rows; ++r)
        for (int o = 0; o < O; ++o) {
            const float z = b[o] + dot<I>(in + r * I, kt + o * I);
            out[r * O + o] = relu && z < 0.0f ? 0.0f : z;
        }
}

// din[r] = sum_o g[r][o] * kt[o]  (kt as left by the forward pass is not reused: the
// kernel has changed since; it is transposed again here)
template <int I, int O>
void dense_backward_input_narrow(const float* g, int rows, const float* k, float* din, float* kt) {
    transpose_kernel<I, O>(k, kt);
    for (int r = 0; r < rows; ++r) {
        float* d = din + r * I;
        for (int i = 0; i < I; i += L) {
            B acc(0.0f);
            for (int o = 0; o < O; ++o) acc = xsimd::fma(B(g[r * O + o]), load(kt + o * I + i), acc);
            store(d + i, acc);
        }
    }
}

// dkt[o] = sum_r g[r][o] * in[r], then dk = transpose(dkt); db[o] = sum_r g[r][o].
template <int I, int O>
void dense_backward_weights_narrow(const float* in, const float* g, int rows, float* dk, float* db, float* dkt) {
    for (int o = 0; o < O; ++o) {
        float* d = dkt + o * I;
        for (int i = 0; i < I; i += L) {
            B acc(0.0f);
            for (int r = 0; r < rows; ++r) acc = xsimd::fma(B(g[r * O + o]), load(in + r * I + i), acc);
            store(d + i, acc);
        }
        float sum = 0.0f;
        for (int r = 0; r < rows; ++r) sum += g[r * O + o];
        db[o] = sum;
    }
    for (int i = 0; i < I; ++i)
        for (int o = 0; o < O; ++o) dk[i * O + o] = dkt[o * I + i];
}

}  // namespace statnn::kernels::simd

#endif
