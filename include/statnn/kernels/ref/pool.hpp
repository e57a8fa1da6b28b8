// statnn/kernels/ref/pool.hpp — scalar reference max pooling (the test oracle).
//
// One channels-last image H x W x C, window P x P, stride P, floor (as Keras "valid"):
// trailing rows and columns that do not fill a window are dropped.
#pragma once

#include <cstddef>

namespace statnn::kernels::ref {

template <int H, int W, int C, int P, class T>
void maxpool2d_forward(const T* in, T* out) {
    constexpr int Ho = H / P, Wo = W / P;
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; ++c) {
                T m = in[(std::size_t(y * P) * W + x * P) * C + c];
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) {
                        const T v = in[(std::size_t(y * P + dy) * W + (x * P + dx)) * C + c];
                        if (v > m) m = v;
                    }
                out[(std::size_t(y) * Wo + x) * C + c] = m;
            }
}

// The whole gradient of a window goes to its first maximum in row-major order, as in
// TensorFlow and PyTorch. Elements outside every window get zero.
template <int H, int W, int C, int P, class T>
void maxpool2d_backward(const T* in, const T* dout, T* din) {
    constexpr int Ho = H / P, Wo = W / P;
    for (std::size_t e = 0; e < std::size_t(H) * W * C; ++e) din[e] = T(0);
    for (int y = 0; y < Ho; ++y)
        for (int x = 0; x < Wo; ++x)
            for (int c = 0; c < C; ++c) {
                std::size_t best = (std::size_t(y * P) * W + x * P) * C + c;
                for (int dy = 0; dy < P; ++dy)
                    for (int dx = 0; dx < P; ++dx) {
                        const std::size_t e = (std::size_t(y * P + dy) * W + (x * P + dx)) * C + c;
                        if (in[e] > in[best]) best = e;
                    }
                din[best] += dout[(std::size_t(y) * Wo + x) * C + c];
            }
}

}  // namespace statnn::kernels::ref
