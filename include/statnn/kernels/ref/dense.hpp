// statnn/kernels/ref/dense.hpp — scalar reference fully connected kernels (the test oracle).
//
// A batch of n rows. Kernel in Keras layout [in][out] (row-major, I x O):
//   out[r][o] = b[o] + sum_i in[r][i] * k[i][o]
#pragma once

#include <cstddef>

namespace statnn::kernels::ref {

template <int I, int O, class T>
void dense_forward(const T* in, int n, const T* k, const T* b, T* out, bool relu) {
    for (int r = 0; r < n; ++r)
        for (int o = 0; o < O; ++o) {
            T acc = b[o];
            for (int i = 0; i < I; ++i) acc += in[std::size_t(r) * I + i] * k[std::size_t(i) * O + o];
            out[std::size_t(r) * O + o] = (relu && acc < T(0)) ? T(0) : acc;
        }
}

// din[r][i] = sum_o dout[r][o] * k[i][o]
template <int I, int O, class T>
void dense_backward_input(const T* dout, int n, const T* k, T* din) {
    for (int r = 0; r < n; ++r)
        for (int i = 0; i < I; ++i) {
            T acc = T(0);
            for (int o = 0; o < O; ++o) acc += dout[std::size_t(r) * O + o] * k[std::size_t(i) * O + o];
            din[std::size_t(r) * I + i] = acc;
        }
}

// dk[i][o] = sum_r in[r][i] * dout[r][o];  db[o] = sum_r dout[r][o]   (overwrites)
template <int I, int O, class T>
void dense_backward_weights(const T* in, const T* dout, int n, T* dk, T* db) {
    for (int i = 0; i < I; ++i)
        for (int o = 0; o < O; ++o) {
            T acc = T(0);
            for (int r = 0; r < n; ++r) acc += in[std::size_t(r) * I + i] * dout[std::size_t(r) * O + o];
            dk[std::size_t(i) * O + o] = acc;
        }
    for (int o = 0; o < O; ++o) {
        T acc = T(0);
        for (int r = 0; r < n; ++r) acc += dout[std::size_t(r) * O + o];
        db[o] = acc;
    }
}

}  // namespace statnn::kernels::ref
