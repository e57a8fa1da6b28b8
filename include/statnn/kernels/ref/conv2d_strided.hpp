// statnn/kernels/ref/conv2d_strided.hpp — scalar reference convolution with a stride
// (the test oracle).
//
// One image, channels-last, input already zero-padded: Hp x Wp x I (pad_image of
// ref/conv2d.hpp adds P pixels on every side). Kernel K x K x I x O (Keras layout,
// "HWIO"), stride S, cross-correlation:
//   out[y][x][o] = b[o] + Σ_{ky,kx,i} in[y·S + ky][x·S + kx][i] · w[ky][kx][i][o]
// Output Ho x Wo with Ho = (Hp − K) / S + 1: floor, as PyTorch, so trailing rows and
// columns that no window reaches are unused. With S = 1 this is ref::conv2d_forward.
#pragma once

#include <cstddef>

namespace statnn::kernels::ref {

template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_forward(const T* in, const T* w, const T* b, T* out, bool relu) {
    constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int o = 0; o < O; ++o) {
                T acc = b ? b[o] : T(0);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx)
                        for (int i = 0; i < I; ++i)
                            acc += in[(std::size_t(y * S + ky) * Wp + (x * S + kx)) * I + i] *
                                   w[((std::size_t(ky) * K + kx) * I + i) * O + o];
                out[(std::size_t(y) * Wo + x) * O + o] = (relu && acc < T(0)) ? T(0) : acc;
            }
}

// The kernel with its channel axes swapped, wt[ky][kx][o][i] = w[ky][kx][i][o]: the
// input gradient reads it along the input channels.
template <int I, int K, int O, class T>
void conv2d_swap_channels(const T* w, T* wt) {
    for (int k = 0; k < K * K; ++k)
        for (int i = 0; i < I; ++i)
            for (int o = 0; o < O; ++o) wt[(std::size_t(k) * O + o) * I + i] = w[(std::size_t(k) * I + i) * O + o];
}

// The kernels as forward and input gradient read them, prepared once per batch: here the
// kernel itself, and its channel axes swapped (simd/ packs them in blocks instead).
template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_prepare_forward(const T* w, T* prepared) {
    for (std::size_t e = 0; e < std::size_t(K) * K * I * O; ++e) prepared[e] = w[e];
}

template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_prepare_input_grad(const T* w, T* prepared) {
    conv2d_swap_channels<I, K, O>(w, prepared);
}

// The gradient with respect to the padded input, in scatter form: every output pixel
// hands dout[y][x][o] · w[ky][kx][i][o] to in[y·S + ky][x·S + kx][i]. din (Hp x Wp x I)
// is overwritten; wt is the kernel from conv2d_swap_channels.
template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_backward_input(const T* dout, const T* wt, T* din) {
    constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    for (std::size_t e = 0; e < std::size_t(Hp) * Wp * I; ++e) din[e] = T(0);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int ky = 0; ky < K; ++ky)
                for (int kx = 0; kx < K; ++kx)
                    for (int i = 0; i < I; ++i) {
                        T acc = T(0);
                        for (int o = 0; o < O; ++o)
                            acc += dout[(std::size_t(y) * Wo + x) * O + o] * wt[((std::size_t(ky) * K + kx) * O + o) * I + i];
                        din[(std::size_t(y * S + ky) * Wp + (x * S + kx)) * I + i] += acc;
                    }
}

// Adds this image's contribution to the kernel and bias gradients:
//   dw[ky][kx][i][o] += Σ_{y,x} in[y·S + ky][x·S + kx][i] · dout[y][x][o],  db[o] += Σ_{y,x} dout[y][x][o]
template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_backward_weights(const T* in, const T* dout, T* dw, T* db) {
    constexpr int Ho = (Hp - K) / S + 1, Wo = (Wp - K) / S + 1;
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx)
            for (int i = 0; i < I; ++i)
                for (int o = 0; o < O; ++o) {
                    T acc = T(0);
                    for (int y = 0; y < Ho; ++y)
                        for (int x = 0; x < Wo; ++x)
                            acc += in[(std::size_t(y * S + ky) * Wp + (x * S + kx)) * I + i] *
                                   dout[(std::size_t(y) * Wo + x) * O + o];
                    dw[((std::size_t(ky) * K + kx) * I + i) * O + o] += acc;
                }
    for (int o = 0; o < O; ++o) {
        T acc = T(0);
        for (int p = 0; p < Ho * Wo; ++p) acc += dout[std::size_t(p) * O + o];
        db[o] += acc;
    }
}

// The kernel and bias gradients of n images (padded inputs `in_stride` floats apart,
// contiguous output gradients) as tasks, mirroring simd/: here one task does it all.
template <int Hp, int Wp, int I, int K, int O, int S>
constexpr int conv2d_strided_weight_tasks() {
    return 1;
}

template <int Hp, int Wp, int I, int K, int O, int S, class T>
void conv2d_strided_backward_weights_task(int, const T* in, std::size_t in_stride, const T* dout, int n, T* dw, T* db) {
    constexpr std::size_t g_stride = std::size_t((Hp - K) / S + 1) * ((Wp - K) / S + 1) * O;
    for (int r = 0; r < n; ++r) conv2d_strided_backward_weights<Hp, Wp, I, K, O, S>(in + r * in_stride, dout + r * g_stride, dw, db);
}

}  // namespace statnn::kernels::ref
