// statnn/kernels/ref/avgpool.hpp — scalar reference average pooling (the test oracle).
//
// One channels-last image H x W x C. Windows K x K at stride S, no padding, floor
// (PyTorch AvgPool2d(K, S) and Keras AveragePooling2D with 'valid' padding): the output
// is Ho x Wo with Ho = (H - K) / S + 1, each element the mean of its window. Global
// average pooling is the mean over all H x W pixels of each channel.
#pragma once

#include <cstddef>

namespace statnn::kernels::ref {

template <int H, int W, int C, int K, int S, class T>
void avgpool2d_forward(const T* in, T* out) {
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; ++c) {
                T sum = T(0);
                for (int dy = 0; dy < K; ++dy)
                    for (int dx = 0; dx < K; ++dx) sum += in[(std::size_t(y * S + dy) * W + (x * S + dx)) * C + c];
                out[(std::size_t(y) * Wo + x) * C + c] = sum * (T(1) / T(K * K));
            }
}

// Each window hands dout / K² to every element in it; windows may overlap (S < K), and
// elements outside every window (floor) get 0. din is overwritten.
template <int H, int W, int C, int K, int S, class T>
void avgpool2d_backward(const T* dout, T* din) {
    constexpr int Ho = (H - K) / S + 1, Wo = (W - K) / S + 1;
    for (std::size_t e = 0; e < std::size_t(H) * W * C; ++e) din[e] = T(0);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; ++c) {
                const T share = dout[(std::size_t(y) * Wo + x) * C + c] * (T(1) / T(K * K));
                for (int dy = 0; dy < K; ++dy)
                    for (int dx = 0; dx < K; ++dx) din[(std::size_t(y * S + dy) * W + (x * S + dx)) * C + c] += share;
            }
}

// out[c] = mean over the image of channel c (summed in double: up to 1024 terms).
template <int H, int W, int C, class T>
void global_avgpool_forward(const T* in, T* out) {
    for (int c = 0; c < C; ++c) {
        double sum = 0;
        for (int p = 0; p < H * W; ++p) sum += double(in[std::size_t(p) * C + c]);
        out[c] = T(sum / double(H * W));
    }
}

// din[p][c] = dout[c] / (H W) for every pixel p.
template <int H, int W, int C, class T>
void global_avgpool_backward(const T* dout, T* din) {
    for (int p = 0; p < H * W; ++p)
        for (int c = 0; c < C; ++c) din[std::size_t(p) * C + c] = dout[c] * (T(1) / T(H * W));
}

}  // namespace statnn::kernels::ref
