// tests/support/layouts.hpp — conversions between the reference layouts (PyTorch NCHW
// activations, OIHW conv kernels) and statnn's (channels-last activations, Keras HWIO
// kernels), written with xtensor views.
#pragma once

#include <cstddef>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xtensor.hpp>

namespace statnn::test {

// [O][I][kh][kw] -> [kh][kw][I][O]
inline void oihw_to_hwio(const float* src, float* dst, int O, int I, int KH, int KW) {
    const std::vector<std::size_t> shape = {std::size_t(O), std::size_t(I), std::size_t(KH), std::size_t(KW)};
    auto s = xt::adapt(src, shape[0] * shape[1] * shape[2] * shape[3], xt::no_ownership(), shape);
    const std::vector<std::size_t> out_shape = {std::size_t(KH), std::size_t(KW), std::size_t(I), std::size_t(O)};
    auto d = xt::adapt(dst, shape[0] * shape[1] * shape[2] * shape[3], xt::no_ownership(), out_shape);
    d = xt::transpose(s, {2, 3, 1, 0});
}

// [kh][kw][I][O] -> [O][I][kh][kw]
inline void hwio_to_oihw(const float* src, float* dst, int O, int I, int KH, int KW) {
    const std::vector<std::size_t> shape = {std::size_t(KH), std::size_t(KW), std::size_t(I), std::size_t(O)};
    auto s = xt::adapt(src, shape[0] * shape[1] * shape[2] * shape[3], xt::no_ownership(), shape);
    const std::vector<std::size_t> out_shape = {std::size_t(O), std::size_t(I), std::size_t(KH), std::size_t(KW)};
    auto d = xt::adapt(dst, shape[0] * shape[1] * shape[2] * shape[3], xt::no_ownership(), out_shape);
    d = xt::transpose(s, {3, 2, 0, 1});
}

// [N][C][H][W] <-> [N][H][W][C]
inline void nchw_to_nhwc(const float* src, float* dst, int N, int C, int H, int W) {
    const std::size_t n = std::size_t(N) * C * H * W;
    const std::vector<std::size_t> shape = {std::size_t(N), std::size_t(C), std::size_t(H), std::size_t(W)};
    const std::vector<std::size_t> out_shape = {std::size_t(N), std::size_t(H), std::size_t(W), std::size_t(C)};
    auto s = xt::adapt(src, n, xt::no_ownership(), shape);
    auto d = xt::adapt(dst, n, xt::no_ownership(), out_shape);
    d = xt::transpose(s, {0, 2, 3, 1});
}

inline void nhwc_to_nchw(const float* src, float* dst, int N, int C, int H, int W) {
    const std::size_t n = std::size_t(N) * C * H * W;
    const std::vector<std::size_t> shape = {std::size_t(N), std::size_t(H), std::size_t(W), std::size_t(C)};
    const std::vector<std::size_t> out_shape = {std::size_t(N), std::size_t(C), std::size_t(H), std::size_t(W)};
    auto s = xt::adapt(src, n, xt::no_ownership(), shape);
    auto d = xt::adapt(dst, n, xt::no_ownership(), out_shape);
    d = xt::transpose(s, {0, 3, 1, 2});
}

}  // namespace statnn::test
