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
// (about 16 * T * (I + NR*L) floats, at most 64 KiB for V). The kernel gradient, by the
// same algebra, is at the end of the file.
#pragma once

#include <type_traits>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

// The transforms read patches of whole tiles, row after row of tiles: a pattern the
// hardware prefetchers follow badly when the image is not in L2 (in a network it rarely
// is: a batch's activations are megabytes). Each tile therefore prefetches what the tile
// kPrefetchTiles ahead reads new. (AVX2 build on Zen 5, cnn4 training on one thread,
// medians of 4 alternating runs: none 1353 img/s; 6 tiles ahead 1393, 10: 1418, 16: 1408.)
inline constexpr int kPrefetchTiles = 10;

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

// V[p][t][c] for the tiles [t0, t0 + count) of the image and the CB input channels from
// in's first (in points at channel i0 of pixel (0, 0); pixels are I floats apart).
// The 16 positions are PS floats apart (PS = T * CB plus a vector, so they do not fall on
// the same cache sets 4 KiB apart).
template <int Hp, int Wp, int I, int T, int CB, int PS>
inline void winograd_transform_input(const float* in, int t0, int count, float* v) {
    constexpr int TW = (Wp - 2 + 1) / 2;
    const B zero(0.0f);
    for (int t = 0; t < count; ++t) {
        const int y0 = 2 * ((t0 + t) / TW), x0 = 2 * ((t0 + t) % TW);
        const int ahead = t0 + t + kPrefetchTiles, ya = 2 * (ahead / TW), xa = 2 * (ahead % TW) + 2;
        for (int a = 0; a < 4; ++a)
            for (int b = 0; b < 2; ++b)
                if (ya + a < Hp && xa + b < Wp)
                    for (int i = 0; i < CB; i += kFloatsPerLine) __builtin_prefetch(in + ((ya + a) * Wp + xa + b) * I + i);
        for (int i = 0; i < CB; i += L) {
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
                for (int b = 0; b < 4; ++b) store(v + (a * 4 + b) * PS + t * CB + i, c[b]);
            }
        }
    }
}

// M[p][t][n] = sum_i V[p][t][i] * U[p][i][o0 + n] for TT tiles and NR vectors.
template <int I, int O, int VS, int MS, int TT, int NR>
inline void winograd_product(const float* v, const float* u, float* m) {
    for (int p = 0; p < 16; ++p) {
        const float* vp = v + p * VS;
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
            for (int n = 0; n < NR; ++n) store(m + p * MS + t * NR * L + n * L, acc[t][n]);
    }
}

// out pixels of the tiles [t0, t0 + count), channels [o0, o0 + NR*L): Y = At M A + bias.
template <int Ho, int Wo, int O, int MS, int NR>
inline void winograd_transform_output(const float* m, const float* b, float* out, bool relu, int t0, int count, int o0) {
    constexpr int TW = (Wo + 1) / 2;
    const B zero(0.0f);
    for (int t = 0; t < count; ++t) {
        const int y0 = 2 * ((t0 + t) / TW), x0 = 2 * ((t0 + t) % TW);
        for (int n = 0; n < NR; ++n) {
            B s[2][4];  // At M, At = [1 1 1 0; 0 1 -1 -1]
            for (int b = 0; b < 4; ++b) {
                const B m0 = load(m + (0 * 4 + b) * MS + t * NR * L + n * L);
                const B m1 = load(m + (1 * 4 + b) * MS + t * NR * L + n * L);
                const B m2 = load(m + (2 * 4 + b) * MS + t * NR * L + n * L);
                const B m3 = load(m + (3 * 4 + b) * MS + t * NR * L + n * L);
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
    constexpr int VS = T * I + L, MS = T * NRL + L;  // strides of the 16 positions
    alignas(64) float v[16 * VS];
    alignas(64) float m[16 * MS];
    auto block = [&](int t0, auto tiles) {
        constexpr int TT = decltype(tiles)::value;
        winograd_transform_input<Hp, Wp, I, T, I, VS>(in, t0, TT, v);
        for (int o0 = 0; o0 < O; o0 += NRL) {
            winograd_product<I, O, VS, MS, TT, P::NR>(v, u + o0, m);
            winograd_transform_output<P::Ho, P::Wo, O, MS, P::NR>(m, b, out, relu, t0, TT, o0);
        }
    };
    int t0 = 0;
    for (; t0 + T <= P::kTiles; t0 += T) block(t0, std::integral_constant<int, T>{});
    if constexpr (P::kTiles % T != 0) block(t0, std::integral_constant<int, P::kTiles % T>{});
}

// ---- kernel gradient -------------------------------------------------------------------
// dw[ky][kx][i][o] = sum over pixels of in[y+ky][x+kx][i] * g[y][x][o]. By the same
// algebra, per tile: dw += Gt [(A g At) (.) (Bt d B)] G, with g the tile's 2x2 output
// gradient and d its 4x4 input patch: Z[p][i][o] = sum over tiles of V[p][t][i] * W[p][t][o]
// (16 products, T tiles deep), then dw += Gt Z G once per call. A task owns IB input
// channels by a group of output tiles (NR vectors each) of every (ky, kx), so tasks write
// disjoint parts of dw and sum images and tiles in order: the bits do not depend on
// threads or scheduling. A task transforms its channels' input patches once for all the
// output tiles of its group (one tile per task transformed them once per tile: a fifth
// of the kernel gradient's time went to transforms on AVX2).
template <int Hp, int Wp, int I, int O>
struct WinogradWeightsPlan {
    static constexpr int Ho = Hp - 2, Wo = Wp - 2;
    static constexpr int TH = (Ho + 1) / 2, TW = (Wo + 1) / 2, kTiles = TH * TW;
    static constexpr int NR = choose_nr(O, kVectorRegisters >= 32 ? (L >= 16 ? 2 : 4) : 2);
    // Input channels per task: 16 (one vector on AVX-512, two on AVX2, four on NEON), in
    // register tiles of up to max_mr(NR) channels.
    static constexpr int IB = I % 16 == 0 && 16 % L == 0 ? 16 : L;
    static constexpr int kCap = max_mr(NR) < 12 ? max_mr(NR) : 12;
    static constexpr int MR = balanced_tile(IB, kCap);
    static constexpr int T = 32;  // tiles per block: 16 * T * (IB + NR*L) floats on the stack
    static constexpr int kOTiles = O / (NR * L), kIBlocks = I / IB;
    // Output tiles per task: up to 128 output channels (Z: 16 * IB * 128 floats, 128 KiB),
    // and at least 2 tasks where there are 2 tiles, so 2 threads both have work.
    static constexpr int kTilesForTwoTasks = kIBlocks > 1 ? kOTiles : kOTiles / 2;
    static constexpr int kGroupCap = kTilesForTwoTasks < 128 / (NR * L) ? kTilesForTwoTasks : 128 / (NR * L);
    static constexpr int kOTilesPerTask = divisor_tile(kOTiles, kGroupCap);
    static constexpr int kOGroups = kOTiles / kOTilesPerTask;
    static constexpr int kTasks = kOGroups * kIBlocks;  // run where WinogradPlan is supported
};

// W[p][t][n] = A g At for the tiles [t0, t0 + count), NRL channels from g (row stride GW
// pixels, O floats a pixel); outputs beyond Ho x Wo count as zero.
template <int Ho, int Wo, int O, int GW, int NRL, int PS>
inline void winograd_transform_output_grad(const float* g, int t0, int count, float* w) {
    constexpr int TW = (Wo + 1) / 2;
    const B zero(0.0f);
    for (int t = 0; t < count; ++t) {
        const int y0 = 2 * ((t0 + t) / TW), x0 = 2 * ((t0 + t) % TW);
        const int ahead = t0 + t + kPrefetchTiles, ya = 2 * (ahead / TW), xa = 2 * (ahead % TW);
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
                if (ya + a < Ho && xa + b < Wo)
                    for (int n = 0; n < NRL; n += kFloatsPerLine) __builtin_prefetch(g + ((ya + a) * GW + xa + b) * O + n);
        for (int n = 0; n < NRL; n += L) {
            B d[2][2];
            for (int a = 0; a < 2; ++a)
                for (int b = 0; b < 2; ++b)
                    d[a][b] = (y0 + a < Ho && x0 + b < Wo) ? load(g + ((y0 + a) * GW + x0 + b) * O + n) : zero;
            B r[4][2];  // A g, A = [1 0; 1 1; 1 -1; 0 -1]
            for (int b = 0; b < 2; ++b) {
                r[0][b] = d[0][b];
                r[1][b] = d[0][b] + d[1][b];
                r[2][b] = d[0][b] - d[1][b];
                r[3][b] = zero - d[1][b];
            }
            for (int a = 0; a < 4; ++a) {
                const B c[4] = {r[a][0], r[a][0] + r[a][1], r[a][0] - r[a][1], zero - r[a][1]};
                for (int b = 0; b < 4; ++b) store(w + (a * 4 + b) * PS + t * NRL + n, c[b]);
            }
        }
    }
}

// z[p][c][n] += sum over TT tiles of v[p][t][c] * w[p][t][n], channels [c0, c0 + MR).
template <int VS, int WS, int TT, int IB, int MR, int NR>
inline void winograd_weights_product(const float* v, const float* w, float* z, int c0) {
    for (int p = 0; p < 16; ++p) {
        const float* vp = v + p * VS + c0;
        const float* wp = w + p * WS;
        float* zp = z + (p * IB + c0) * NR * L;
        B acc[MR][NR];
        for (int m = 0; m < MR; ++m)
            for (int n = 0; n < NR; ++n) acc[m][n] = load(zp + m * NR * L + n * L);
        for (int t = 0; t < TT; ++t) {
            B gv[NR];
            for (int n = 0; n < NR; ++n) gv[n] = load(wp + t * NR * L + n * L);
            for (int m = 0; m < MR; ++m) {
                const B xv(vp[t * IB + m]);
                for (int n = 0; n < NR; ++n) acc[m][n] = xsimd::fma(xv, gv[n], acc[m][n]);
            }
        }
        for (int m = 0; m < MR; ++m)
            for (int n = 0; n < NR; ++n) store(zp + m * NR * L + n * L, acc[m][n]);
    }
}

// Adds `n` images' contributions to task `task`'s part of dw (kTasks tasks; in: padded
// images in_stride floats apart; g: output gradients g_stride floats apart, row stride GW).
template <int Hp, int Wp, int I, int O, int GW>
void conv2d_backward_weights_winograd(const float* in, std::size_t in_stride, const float* g, std::size_t g_stride, int n,
                                      float* dw, int task) {
    using P = WinogradWeightsPlan<Hp, Wp, I, O>;
    constexpr int T = P::T, IB = P::IB, NR = P::NR, NRL = NR * L, MR = P::MR, G = P::kOTilesPerTask;
    constexpr int VS = T * IB + L, WS = T * NRL + L;  // strides of the 16 positions
    constexpr int ZS = 16 * IB * NRL;                 // Z of one output tile
    const int o_first = (task % P::kOGroups) * G * NRL, i0 = (task / P::kOGroups) * IB;
    alignas(64) float v[16 * VS];
    alignas(64) float w[16 * WS];
    alignas(64) float z[G * ZS];
    for (float& e : z) e = 0.0f;
    auto block = [&](const float* image, const float* grad, int t0, auto tiles) {
        constexpr int TT = decltype(tiles)::value;
        winograd_transform_input<Hp, Wp, I, T, IB, VS>(image + i0, t0, TT, v);
        for (int ot = 0; ot < G; ++ot) {
            winograd_transform_output_grad<P::Ho, P::Wo, O, GW, NRL, WS>(grad + o_first + ot * NRL, t0, TT, w);
            float* zt = z + ot * ZS;
            int c0 = 0;
            for (; c0 + MR <= IB; c0 += MR) winograd_weights_product<VS, WS, TT, IB, MR, NR>(v, w, zt, c0);
            if constexpr (IB % MR != 0) winograd_weights_product<VS, WS, TT, IB, IB % MR, NR>(v, w, zt, c0);
        }
    };
    for (int r = 0; r < n; ++r) {
        const float* image = in + r * in_stride;
        const float* grad = g + r * g_stride;
        int t0 = 0;
        for (; t0 + T <= P::kTiles; t0 += T) block(image, grad, t0, std::integral_constant<int, T>{});
        if constexpr (P::kTiles % T != 0) block(image, grad, t0, std::integral_constant<int, P::kTiles % T>{});
    }
    // dw[ky][kx] += Gt Z G, Gt = [1 .5 .5 0; 0 .5 -.5 0; 0 .5 .5 1]
    const B half(0.5f);
    for (int ot = 0; ot < G; ++ot)
        for (int c = 0; c < IB; ++c)
            for (int nv = 0; nv < NRL; nv += L) {
                const int o0 = o_first + ot * NRL;
                B zz[4][4];
                for (int p = 0; p < 16; ++p) zz[p / 4][p % 4] = load(z + ot * ZS + (p * IB + c) * NRL + nv);
                B r[3][4];  // Gt Z
                for (int b = 0; b < 4; ++b) {
                    r[0][b] = zz[0][b] + half * (zz[1][b] + zz[2][b]);
                    r[1][b] = half * (zz[1][b] - zz[2][b]);
                    r[2][b] = half * (zz[1][b] + zz[2][b]) + zz[3][b];
                }
                for (int ky = 0; ky < 3; ++ky) {
                    const B q[3] = {r[ky][0] + half * (r[ky][1] + r[ky][2]), half * (r[ky][1] - r[ky][2]),
                                    half * (r[ky][1] + r[ky][2]) + r[ky][3]};
                    for (int kx = 0; kx < 3; ++kx) {
                        float* d = dw + ((ky * 3 + kx) * I + i0 + c) * O + o0 + nv;
                        store(d, load(d) + q[kx]);
                    }
                }
            }
}

}  // namespace statnn::kernels::simd

#else  // no vector kernels: what kernels/conv2d.hpp names, fitting no shape (see dispatch.hpp)

namespace statnn::kernels::simd {

template <int Hp, int Wp, int I, int O>
struct WinogradPlan {
    static constexpr bool supported = false;
};

template <int Hp, int Wp, int I, int O>
struct WinogradWeightsPlan {
    static constexpr int kTasks = 1;
};

template <int I, int O>
void winograd_transform_kernel(const float* w, float* u, int i0 = 0, int i1 = I);
template <int Hp, int Wp, int I, int O>
void conv2d_forward_winograd(const float* in, const float* u, const float* b, float* out, bool relu);
template <int Hp, int Wp, int I, int O, int GW>
void conv2d_backward_weights_winograd(const float* in, std::size_t in_stride, const float* g, std::size_t g_stride, int n,
                                      float* dw, int task);

}  // namespace statnn::kernels::simd

#endif
