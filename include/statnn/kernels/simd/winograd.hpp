// statnn/kernels/simd/winograd.hpp — 3x3 stride-1 convolution by Winograd's F(2x2, 3x3).
//
// Same contract as conv2d_forward (one image, input already zero-padded, kernel HWIO,
// channels-last), for K = 3. Each 2x2 block of output pixels comes from a 4x4 patch of the
// input: V = Bt d B per input channel, M = sum_i V[i] * U[i][o] with U = G w Gt the
// transformed kernel, Y = At M A. That takes 16 multiply-adds per block and channel pair
// where the direct convolution takes 36; the transforms are additions shared by all
// output (V) or input (Y) channels. The results differ from the direct sums by rounding
// only (G's 1/2 is exact; sums of up to 9 terms reordered).
//
// Work per image: blocks of T tiles (2x2 output blocks, row-major over the image). For a
// block: transform its patches into V[16][T][I], then per NR output-channel vectors:
// 16 register-tiled products (T tiles x NR vectors, summed over I) into M[16][T][NR*L],
// then the output transform with bias and ReLU into out. Both buffers live on the stack
// (at most 16 * T * (I + NR*L) floats).
#pragma once

#include <type_traits>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

template <int Hp, int Wp, int I, int O>
struct WinogradPlan {
    static constexpr int Ho = Hp - 2, Wo = Wp - 2;
    static constexpr int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, kTiles = TH * TW;
    static constexpr int NR = choose_nr(O, kVectorRegisters >= 32 ? (L >= 16 ? 2 : 4) : 2);
    // Tiles per block: the register budget's rows (at most 12), and at most 1024 / I so the
    // block's V stays within 64 KiB (on the stack, mostly in L1).
    static constexpr int kRegisterCap = max_mr(NR) < 12 ? max_mr(NR) : 12;
    static constexpr int kCap = kRegisterCap < 1024 / I ? kRegisterCap : 1024 / I;
    static constexpr int T = balanced_tile(kTiles, kCap > 0 ? kCap : 1);
    // Below 4 tiles per block, too few accumulators cover the FMA latency: direct is used.
    static constexpr bool supported = I % L == 0 && O % L == 0 && kCap >= 4;
    static constexpr std::size_t kTransformedKernel = std::size_t(16) * I * O;  // floats of U
};

// U[p][i][o], p = 4a + b, from w[ky][kx][i][o] for the input channels [i0, i1):
// U = G w Gt, G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
template <int I, int O>
void winograd_transform_kernel(const float* w, float* u, int i0 = 0, int i1 = I) {
    const B half(0.5f);
    for (int i = i0; i < i1; ++i)
        for (int o = 0; o < O; o += L) {
            B g[3][3];
            for (int ky = 0; ky < 3; ++ky)
                for (int kx = 0; kx < 3; ++kx) g[ky][kx] = load(w + ((ky * 3 + kx) * I + i) * O + o);
            B t[4][3];  // G g
            for (int kx = 0; kx < 3; ++kx) {
                t[0][kx] = g[0][kx];
                t[1][kx] = half * (g[0][kx] + g[1][kx] + g[2][kx]);
                t[2][kx] = half * (g[0][kx] - g[1][kx] + g[2][kx]);
                t[3][kx] = g[2][kx];
            }
            for (int a = 0; a < 4; ++a) {
                const B r[4] = {t[a][0], half * (t[a][0] + t[a][1] + t[a][2]), half * (t[a][0] - t[a][1] + t[a][2]),
                                t[a][2]};
                for (int b = 0; b < 4; ++b) store(u + ((a * 4 + b) * I + i) * O + o, r[b]);
            }
        }
}

// V[p][t][i] for the tiles [t0, t0 + count) of the image.
template <int Hp, int Wp, int I, int T>
inline void winograd_transform_input(const float* in, int t0, int count, float* v) {
    constexpr int TW = (Wp - 2 + 1) / 2;
    const B zero(0.0f);
    for (int t = 0; t < count; ++t) {
        const int y0 = 2 * ((t0 + t) / TW), x0 = 2 * ((t0 + t) % TW);
        for (int i = 0; i < I; i += L) {
            B d[4][4];
            for (int a = 0; a < 4; ++a)
                for (int b = 0; b < 4; ++b)
                    d[a][b] = (y0 + a < Hp && x0 + b < Wp) ? load(in + ((y0 + a) * Wp + x0 + b) * I + i) : zero;
            B r[4][4];  // Bt d, Bt = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
            for (int b = 0; b < 4; ++b) {
                r[0][b] = d[0][b] - d[2][b];
                r[1][b] = d[1][b] + d[2][b];
                r[2][b] = d[2][b] - d[1][b];
                r[3][b] = d[1][b] - d[3][b];
            }
            for (int a = 0; a < 4; ++a) {
                const B c[4] = {r[a][0] - r[a][2], r[a][1] + r[a][2], r[a][2] - r[a][1], r[a][1] - r[a][3]};
                for (int b = 0; b < 4; ++b) store(v + ((a * 4 + b) * T + t) * I + i, c[b]);
            }
        }
    }
}

// M[p][t][n] = sum_i V[p][t][i] * U[p][i][o0 + n] for TT tiles and NR vectors.
template <int I, int O, int T, int TT, int NR>
inline void winograd_product(const float* v, const float* u, float* m) {
    for (int p = 0; p < 16; ++p) {
        const float* vp = v + p * T * I;
        const float* up = u + p * I * O;
        B acc[TT][NR];
        for (int t = 0; t < TT; ++t)
            for (int n = 0; n < NR; ++n) acc[t][n] = B(0.0f);
        for (int i = 0; i < I; ++i) {
            B uv[NR];
            for (int n = 0; n < NR; ++n) uv[n] = load(up + i * O + n * L);
            for (int t = 0; t < TT; ++t) {
                const B xv(vp[t * I + i]);
                for (int n = 0; n < NR; ++n) acc[t][n] = xsimd::fma(xv, uv[n], acc[t][n]);
            }
        }
        for (int t = 0; t < TT; ++t)
            for (int n = 0; n < NR; ++n) store(m + (p * T + t) * NR * L + n * L, acc[t][n]);
    }
}

// out pixels of the tiles [t0, t0 + count), channels [o0, o0 + NR*L): Y = At M A + bias.
template <int Ho, int Wo, int O, int T, int NR>
inline void winograd_transform_output(const float* m, const float* b, float* out, bool relu, int t0, int count, int o0) {
    constexpr int TW = (Wo + 1) / 2;
    const B zero(0.0f);
    for (int t = 0; t < count; ++t) {
        const int y0 = 2 * ((t0 + t) / TW), x0 = 2 * ((t0 + t) % TW);
        for (int n = 0; n < NR; ++n) {
            B s[2][4];  // At M, At = [1 1 1 0; 0 1 -1 -1]
            for (int b = 0; b < 4; ++b) {
                const B m0 = load(m + ((0 * 4 + b) * T + t) * NR * L + n * L);
                const B m1 = load(m + ((1 * 4 + b) * T + t) * NR * L + n * L);
                const B m2 = load(m + ((2 * 4 + b) * T + t) * NR * L + n * L);
                const B m3 = load(m + ((3 * 4 + b) * T + t) * NR * L + n * L);
                s[0][b] = m0 + m1 + m2;
                s[1][b] = m1 - m2 - m3;
            }
            const B bias = b ? load(b + o0 + n * L) : zero;
            for (int a = 0; a < 2; ++a) {
                if (y0 + a >= Ho) break;
                B y[2] = {s[a][0] + s[a][1] + s[a][2] + bias, s[a][1] - s[a][2] - s[a][3] + bias};
                for (int c = 0; c < 2; ++c) {
                    if (x0 + c >= Wo) break;
                    store(out + ((y0 + a) * Wo + x0 + c) * O + o0 + n * L, relu ? xsimd::max(y[c], zero) : y[c]);
                }
            }
        }
    }
}

// One image: out = conv3x3(in_padded, w) + b, optionally ReLU, from U (winograd_transform_kernel).
template <int Hp, int Wp, int I, int O>
void conv2d_forward_winograd(const float* in, const float* u, const float* b, float* out, bool relu) {
    using P = WinogradPlan<Hp, Wp, I, O>;
    static_assert(P::supported, "conv2d_forward_winograd: channels must be a multiple of the vector width");
    constexpr int T = P::T, NRL = P::NR * L;
    alignas(64) float v[16 * T * I];
    alignas(64) float m[16 * T * NRL];
    auto block = [&](int t0, auto tiles) {
        constexpr int TT = decltype(tiles)::value;
        winograd_transform_input<Hp, Wp, I, T>(in, t0, TT, v);
        for (int o0 = 0; o0 < O; o0 += NRL) {
            winograd_product<I, O, T, TT, P::NR>(v, u + o0, m);
            winograd_transform_output<P::Ho, P::Wo, O, T, P::NR>(m, b, out, relu, t0, TT, o0);
        }
    };
    int t0 = 0;
    for (; t0 + T <= P::kTiles; t0 += T) block(t0, std::integral_constant<int, T>{});
    if constexpr (P::kTiles % T != 0) block(t0, std::integral_constant<int, P::kTiles % T>{});
}

}  // namespace statnn::kernels::simd

#endif
