// statnn/kernels/simd/dense.hpp — fully connected kernels with xsimd.
//
// Same contracts as ref/dense.hpp (kernel [in][out], row-major). Each is split into
// independent tasks (blocks of output columns or of kernel rows) for the thread pool;
// a task writes only its own outputs, so results do not depend on scheduling.
#pragma once

#include <type_traits>

#include "statnn/kernels/simd/channel_blocks.hpp"

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
    // column panel of the kernel has its rows a kernel row apart (4 KiB for 1024
    // outputs): so many lines in the same cache sets do not stay in L1, and the hardware
    // prefetchers stop at page boundaries. The first tile of rows therefore copies a
    // chunk of kChunk rows of the panel into a contiguous block on the stack (prefetching
    // ahead itself), and every tile of rows reads that block.
    static constexpr int NR = choose_nr(O, 2);
    static constexpr int MR = max_mr(NR) < 12 ? max_mr(NR) : 12;
    static constexpr int kChunk = 256;  // 16 KiB (AVX2) or 32 KiB (AVX-512) of panel
    static constexpr int kForwardTasks = O / (NR * L);
    // input gradient: MI kernel rows x MG batch rows, dot products over the columns; a
    // task's tiles take one group of MG batch rows after another, so the group's gradient
    // rows and the task's kernel rows stay in L1. With 16 registers 3 x 4 accumulators
    // (AVX2 build on Zen 5, cnn6/cnn4 dense1: 0.91/0.87 of the peak, where 2 x 4 gave
    // 0.69/0.67 and 4 x 3 0.90/0.84); with 32, 4 x 4 (0.75/0.77; 4 x 6 and 6 x 4: 0.73/0.72).
    static constexpr int MG = 4;
    static constexpr int MI = kVectorRegisters >= 32 ? 4 : 3;
    static constexpr int kInputTasks = (I + 4 * MI - 1) / (4 * MI);  // 4 tiles per task
    // kernel gradient: MK kernel rows x NK column vectors, summed over the batch. Both
    // operands are read down the batch, a row of the input (8 KiB for 2048 features) or of
    // the gradient apart: a task first copies its block of input columns and, panel by
    // panel, the gradient's columns into contiguous blocks on the stack, kBatchChunk batch
    // rows at a time. 12 accumulators with 16 registers (6 x 2 vectors: 2 loads and 6
    // broadcasts per 12 FMAs), 24 with 32 (6 x 4).
    static constexpr int NK = choose_nr(O, kVectorRegisters >= 32 ? 4 : 2);
    static constexpr int MK = max_mr(NK) < 6 ? max_mr(NK) : 6;
    static constexpr int kRowsPerWeightTask = MK * ((64 + MK - 1) / MK);
    static constexpr int kBatchChunk = 64;
    static constexpr int kWeightTasks = (I + kRowsPerWeightTask - 1) / kRowsPerWeightTask;
    static constexpr int kBiasTasks = 1;
};

// Kernel rows [i0, i1) of an MR x NR tile: starts from the bias (i0 = 0) or the partial
// sums in out; applies the ReLU after the last row (i1 = I). The sums run over i in
// order, so chunking changes no bit. panel: the rows [i0, i1) of the tile's columns,
// NR*L floats a row; with kPack, the tile first copies them there from k (rows O apart).
template <int I, int O, int MR, int NR, bool kPack>
inline void dense_forward_tile(const float* in, const float* k, float* panel, const float* b, float* out, bool relu,
                               int i0, int i1) {
    constexpr int kPrefetchRows = 8;
    B acc[MR][NR];
    for (int n = 0; n < NR; ++n) {
        const B bias = load(b + n * L);
        for (int m = 0; m < MR; ++m) acc[m][n] = i0 == 0 ? bias : load(out + m * O + n * L);
    }
    for (int i = i0; i < i1; ++i) {
        float* row = panel + (i - i0) * NR * L;
        B wv[NR];
        if constexpr (kPack) {
            if (i + kPrefetchRows < I)
                for (int e = 0; e < NR * L; e += kFloatsPerLine) __builtin_prefetch(k + (i + kPrefetchRows) * O + e);
            for (int n = 0; n < NR; ++n) {
                wv[n] = load(k + i * O + n * L);
                store(row + n * L, wv[n]);
            }
        } else {
            for (int n = 0; n < NR; ++n) wv[n] = load(row + n * L);
        }
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
    alignas(64) float panel[P::kChunk * P::NR * L];
    for (int i0 = 0; i0 < I; i0 += P::kChunk) {
        const int i1 = I - i0 < P::kChunk ? I : i0 + P::kChunk;
        // Tiles of rows as equal as possible (32 rows on AVX2: 6, 6, 5, 5, 5, 5, not
        // 6 x 5 + 2, whose 4 accumulators cannot cover the FMA latency).
        const int row_tiles = (rows + P::MR - 1) / P::MR;
        for (int t = 0, r0 = 0, mr_now = 0; t < row_tiles; ++t, r0 += mr_now) {
            mr_now = (rows - r0 + row_tiles - t - 1) / (row_tiles - t);
            with_rows<P::MR>(mr_now, [&](auto mr) {
                constexpr int kRows = decltype(mr)::value;
                if (r0 == 0)
                    dense_forward_tile<I, O, kRows, P::NR, true>(in, k + o0, panel, b + o0, out + o0, relu, i0, i1);
                else
                    dense_forward_tile<I, O, kRows, P::NR, false>(in + r0 * I, k + o0, panel, b + o0, out + r0 * O + o0,
                                                                  relu, i0, i1);
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
        B kv[MI];
        for (int m = 0; m < MI; ++m) {
            kv[m] = load(k + m * O + o);
            keep_in_register(kv[m]);
        }
        for (int r = 0; r < MG; ++r) {
            B gv = load(g + r * O + o);
            keep_in_register(gv);
            for (int m = 0; m < MI; ++m) acc[m][r] = xsimd::fma(kv[m], gv, acc[m][r]);
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
    for (int r0 = 0; r0 < rows; r0 += P::MG) {
        const int mg = rows - r0 < P::MG ? rows - r0 : P::MG;
        for (int i0 = task * 4 * P::MI; i0 < i_end; i0 += P::MI) {
            const int mi = i_end - i0 < P::MI ? i_end - i0 : P::MI;
            with_rows<P::MI>(mi, [&](auto a) {
                with_rows<P::MG>(mg, [&](auto c) {
                    dense_backward_input_tile<I, O, decltype(a)::value, decltype(c)::value>(g + r0 * O, k + i0 * O,
                                                                                            din + r0 * I + i0);
                });
            });
        }
    }
}

// dk[i][o] (+)= sum_r x[r][i] * gp[r][o] for MK kernel rows and NK column vectors, over
// `rows` batch rows of the packed blocks (x: XS floats a row, gp: NK*L); `first` starts
// from zero, later batch chunks from dk (the sums keep the batch order either way).
template <int O, int XS, int MK, int NK>
inline void dense_backward_weights_tile(const float* x, const float* gp, int rows, float* dk, bool first) {
    B acc[MK][NK];
    for (int m = 0; m < MK; ++m)
        for (int n = 0; n < NK; ++n) acc[m][n] = first ? B(0.0f) : load(dk + m * O + n * L);
    for (int r = 0; r < rows; ++r) {
        B gv[NK];
        for (int n = 0; n < NK; ++n) gv[n] = load(gp + r * NK * L + n * L);
        for (int m = 0; m < MK; ++m) {
            const B xv(x[r * XS + m]);
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
    constexpr int XS = P::kRowsPerWeightTask, NKL = P::NK * L;
    const int i_begin = task * XS, i_end = i_begin + XS < I ? i_begin + XS : I;
    alignas(64) float x[P::kBatchChunk * XS];
    alignas(64) float gp[P::kBatchChunk * NKL];
    for (int r0 = 0; r0 < rows; r0 += P::kBatchChunk) {
        const int chunk = rows - r0 < P::kBatchChunk ? rows - r0 : P::kBatchChunk;
        for (int r = 0; r < chunk; ++r)
            for (int c = 0; c < i_end - i_begin; ++c) x[r * XS + c] = in[(r0 + r) * I + i_begin + c];
        for (int o0 = 0; o0 < O; o0 += NKL) {
            for (int r = 0; r < chunk; ++r)
                for (int e = 0; e < NKL; e += L) store(gp + r * NKL + e, load(g + (r0 + r) * O + o0 + e));
            for (int i0 = i_begin; i0 < i_end; i0 += P::MK)
                with_rows<P::MK>(i_end - i0 < P::MK ? i_end - i0 : P::MK, [&](auto mk) {
                    dense_backward_weights_tile<O, XS, decltype(mk)::value, P::NK>(x + (i0 - i_begin), gp, chunk,
                                                                                   dk + i0 * O + o0, r0 == 0);
                });
        }
    }
}

// ---- narrow layers (output columns not a multiple of a vector, e.g. 10 classes) ------
// The kernel is transposed once per call into kt[o][i], so every product runs along
// the input dimension instead of the short output one; input features past the last
// whole vector run narrower vectors (channel_blocks.hpp).

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
    constexpr int kWhole = I - I % L;  // a plain loop over the whole vectors: GCC unrolls it
    for (int r = 0; r < rows; ++r) {
        float* d = din + r * I;
        for (int i = 0; i < kWhole; i += L) {
            B acc(0.0f);
            for (int o = 0; o < O; ++o) acc = xsimd::fma(B(g[r * O + o]), load(kt + o * I + i), acc);
            store(d + i, acc);
        }
        for_each_tail_block<I>([&](int i, auto width) {
            using Wd = decltype(width);
            typename Wd::V acc(0.0f);
            for (int o = 0; o < O; ++o) acc = Wd::fma(typename Wd::V(g[r * O + o]), Wd::load(kt + o * I + i), acc);
            Wd::store(d + i, acc);
        });
    }
}

// dkt[o] = sum_r g[r][o] * in[r], then dk = transpose(dkt); db[o] = sum_r g[r][o].
template <int I, int O>
void dense_backward_weights_narrow(const float* in, const float* g, int rows, float* dk, float* db, float* dkt) {
    constexpr int kWhole = I - I % L;  // as in dense_backward_input_narrow
    for (int o = 0; o < O; ++o) {
        float* d = dkt + o * I;
        for (int i = 0; i < kWhole; i += L) {
            B acc(0.0f);
            for (int r = 0; r < rows; ++r) acc = xsimd::fma(B(g[r * O + o]), load(in + r * I + i), acc);
            store(d + i, acc);
        }
        for_each_tail_block<I>([&](int i, auto width) {
            using Wd = decltype(width);
            typename Wd::V acc(0.0f);
            for (int r = 0; r < rows; ++r) acc = Wd::fma(typename Wd::V(g[r * O + o]), Wd::load(in + r * I + i), acc);
            Wd::store(d + i, acc);
        });
        float sum = 0.0f;
        for (int r = 0; r < rows; ++r) sum += g[r * O + o];
        db[o] = sum;
    }
    for (int i = 0; i < I; ++i)
        for (int o = 0; o < O; ++o) dk[i * O + o] = dkt[o * I + i];
}

}  // namespace statnn::kernels::simd

#else  // no vector kernels: what kernels/dense.hpp names, fitting no shape (see dispatch.hpp)

namespace statnn::kernels::simd {

template <int I, int O>
struct DensePlan {
    static constexpr bool supported = false;
    static constexpr int kForwardTasks = 1, kInputTasks = 1, kWeightTasks = 1, kBiasTasks = 0;
};

template <int I, int O>
void dense_forward_task(const float* in, int rows, const float* k, const float* b, float* out, bool relu, int task);
template <int I, int O>
void dense_backward_input_task(const float* g, int rows, const float* k, float* din, int task);
template <int I, int O>
void dense_backward_weights_task(const float* in, const float* g, int rows, float* dk, float* db, int task);
template <int I, int O>
void dense_forward_narrow(const float* in, int rows, const float* k, const float* b, float* out, bool relu, float* kt);
template <int I, int O>
void dense_backward_input_narrow(const float* g, int rows, const float* k, float* din, float* kt);
template <int I, int O>
void dense_backward_weights_narrow(const float* in, const float* g, int rows, float* dk, float* db, float* dkt);

}  // namespace statnn::kernels::simd

#endif
