// statnn/kernels/ref/conv2d.hpp — scalar reference convolution kernels (the test oracle).
//
// One image, channels-last. The input is already zero-padded: Hp x Wp x I. The kernel is
// K x K x I x O (Keras layout, "HWIO"). Stride 1, cross-correlation (no flip):
//   out[y][x][o] = b[o] + sum_{ky,kx,i} in[y+ky][x+kx][i] * w[ky][kx][i][o]
// Output is (Hp-K+1) x (Wp-K+1) x O. Plain loops, written to be obviously right.
#pragma once

#include <cstddef>

#include "statnn/kernels/ref/conv2d_strided.hpp"

namespace statnn::kernels::ref {

// Stride 1 of the strided reference: one loop nest is the oracle for both.
template <int Hp, int Wp, int I, int K, int O, class T>
void conv2d_forward(const T* in, const T* w, const T* b, T* out, bool relu) {
    conv2d_strided_forward<Hp, Wp, I, K, O, 1>(in, w, b, out, relu);
}

// Adds this image's contribution to the kernel and bias gradients:
//   dw[ky][kx][i][o] += sum_{y,x} in[y+ky][x+kx][i] * dout[y][x][o];  db[o] += sum_{y,x} dout[y][x][o]
// dout has a row stride of GW pixels (default: Wo, contiguous).
template <int Hp, int Wp, int I, int K, int O, int GW = Wp - K + 1, class T>
void conv2d_backward_weights(const T* in, const T* dout, T* dw, T* db) {
    constexpr int Ho = Hp - K + 1, Wo = Wp - K + 1;
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx)
            for (int i = 0; i < I; ++i)
                for (int o = 0; o < O; ++o) {
                    T acc = T(0);
                    for (int y = 0; y < Ho; ++y)
                        for (int x = 0; x < Wo; ++x)
                            acc += in[(std::size_t(y + ky) * Wp + (x + kx)) * I + i] *
                                   dout[(std::size_t(y) * GW + x) * O + o];
                    dw[((std::size_t(ky) * K + kx) * I + i) * O + o] += acc;
                }
    for (int o = 0; o < O; ++o) {
        T acc = T(0);
        for (int y = 0; y < Ho; ++y)
            for (int x = 0; x < Wo; ++x) acc += dout[(std::size_t(y) * GW + x) * O + o];
        db[o] += acc;
    }
}

// The input gradient of a stride-1 convolution is a convolution of the zero-padded
// output gradient with the kernel rotated by 180 degrees and its channel axes swapped:
//   wr[ky][kx][o][i] = w[K-1-ky][K-1-kx][i][o]
template <int I, int K, int O, class T>
void conv2d_rotate_kernel(const T* w, T* wr) {
    for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx)
            for (int i = 0; i < I; ++i)
                for (int o = 0; o < O; ++o)
                    wr[((std::size_t(K - 1 - ky) * K + (K - 1 - kx)) * O + o) * I + i] =
                        w[((std::size_t(ky) * K + kx) * I + i) * O + o];
}

// Copies an H x W x C image into the interior of an (H+2P) x (W+2P) x C buffer and
// zeroes the border. With `mask` (same shape as `src`), elements whose mask is <= 0
// are written as 0: the ReLU derivative applied on the way.
template <int H, int W, int C, int P, class T>
void pad_image(const T* src, T* dst, const T* mask = nullptr) {
    constexpr int Wp = W + 2 * P;
    for (int y = 0; y < H + 2 * P; ++y)
        for (int x = 0; x < Wp; ++x)
            for (int c = 0; c < C; ++c) {
                const int sy = y - P, sx = x - P;
                T v = T(0);
                if (sy >= 0 && sy < H && sx >= 0 && sx < W) {
                    const std::size_t s = (std::size_t(sy) * W + sx) * C + c;
                    v = (mask && !(mask[s] > T(0))) ? T(0) : src[s];
                }
                dst[(std::size_t(y) * Wp + x) * C + c] = v;
            }
}

}  // namespace statnn::kernels::ref
