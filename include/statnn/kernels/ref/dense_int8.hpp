// statnn/kernels/ref/dense_int8.hpp — scalar int8 fully connected inference, the way the C
// export's dense_q8 computes it (export --int8): the test oracle of the VNNI kernel.
//
// Symmetric quantisation: inputs q[r][i] = round(x / in_scale) in [-127, 127], the kernel
// k[i][o] in int8 with one scale per output column. The int32 sums are exact, so every
// kernel must give the same sums; the outputs are
//   out[r][o] = float(sum_i q[r][i] * k[i][o]) * in_scale * kernel_scale[o] + b[o]
// (b may be null), optionally ReLU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace statnn::kernels::ref {

template <int I, int O>
void dense_int8_sums(const std::int8_t* in, int rows, const std::int8_t* k, std::int32_t* sums) {
    for (int r = 0; r < rows; ++r)
        for (int o = 0; o < O; ++o) {
            std::int32_t acc = 0;
            for (int i = 0; i < I; ++i) acc += std::int32_t(in[std::size_t(r) * I + i]) * k[std::size_t(i) * O + o];
            sums[std::size_t(r) * O + o] = acc;
        }
}

template <int O>
void dense_int8_dequantize(const std::int32_t* sums, int rows, const float* kernel_scale, float in_scale,
                           const float* b, float* out, bool relu) {
    for (int r = 0; r < rows; ++r)
        for (int o = 0; o < O; ++o) {
            const float v = float(sums[std::size_t(r) * O + o]) * in_scale * kernel_scale[o] + (b ? b[o] : 0.0f);
            out[std::size_t(r) * O + o] = relu && v < 0.0f ? 0.0f : v;
        }
}

}  // namespace statnn::kernels::ref
