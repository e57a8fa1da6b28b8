// statnn/kernels/simd/channel_blocks.hpp — vectors narrower than the build's own, for
// channel counts that are not a multiple of the vector width.
//
// The channel axis of a channels-last tensor splits into whole vectors of L lanes, then
// at most one vector of L/2 and one of L/4 lanes where the architecture has such a type
// (AVX-512: 8 and 4 lanes; AVX2: 4), then single floats. 24 channels on AVX-512 are one
// 16-lane and one 8-lane vector instead of 8 scalar tails. Kernels are written once for
// a lane type V (a batch, or float for W = 1) through the helpers below.
#pragma once

#include <cmath>
#include <type_traits>

#include "statnn/kernels/simd/common.hpp"

#if !defined(STATNN_NO_SIMD)

namespace statnn::kernels::simd {

namespace detail {
template <int W, bool Scalar = (W == 1)>
struct LaneType {
    using type = float;
};
template <int W>
struct LaneType<W, false> {
    using type = xsimd::make_sized_batch_t<float, std::size_t(W)>;  // void when the build has none
};
}  // namespace detail

// W lanes of floats: a batch, or float for W = 1.
template <int W>
struct Width {
    static constexpr int lanes = W;
    using V = typename detail::LaneType<W>::type;
    static_assert(!std::is_void_v<V>, "Width: no vector type of this many float lanes");
    static V load(const float* p) {
        if constexpr (W == 1) return *p;
        else return V::load_unaligned(p);
    }
    static void store(float* p, const V& v) {
        if constexpr (W == 1) *p = v;
        else v.store_unaligned(p);
    }
    static V fma(const V& a, const V& b, const V& c) {
        if constexpr (W == 1) return a * b + c;
        else return xsimd::fma(a, b, c);
    }
    static V max(const V& a, const V& b) {
        if constexpr (W == 1) return a > b ? a : b;
        else return xsimd::max(a, b);
    }
    static V sqrt(const V& a) {
        if constexpr (W == 1) return std::sqrt(a);
        else return xsimd::sqrt(a);
    }
};

template <int W>
constexpr bool has_width() {
    if constexpr (W == 1) return true;
    else if constexpr (W < 1 || W > L) return false;
    else return !std::is_void_v<typename detail::LaneType<W>::type>;
}

namespace detail {
// The blocks after the whole vectors: channels [At, At + Rem), widest width first.
template <int At, int Rem, int W, class Fn>
inline void tail_blocks(Fn& fn) {
    if constexpr (Rem > 0) {
        if constexpr (W >= 2 && has_width<W>() && Rem >= W) {
            fn(At, Width<W>{});
            tail_blocks<At + W, Rem - W, W / 2>(fn);
        } else if constexpr (W >= 2) {
            tail_blocks<At, Rem, W / 2>(fn);
        } else {
            fn(At, Width<1>{});
            tail_blocks<At + 1, Rem - 1, 1>(fn);
        }
    }
}

template <int Rem, int W>
constexpr int count_tail_blocks() {
    if constexpr (Rem == 0) return 0;
    else if constexpr (W >= 2 && has_width<W>() && Rem >= W) return 1 + count_tail_blocks<Rem - W, W / 2>();
    else if constexpr (W >= 2) return count_tail_blocks<Rem, W / 2>();
    else return Rem;
}
}  // namespace detail

// The number of blocks after the whole vectors of C channels.
template <int C>
constexpr int tail_block_count() {
    return detail::count_tail_blocks<C % L, L / 2>();
}

// fn(c0, Width<W>{}) for every block of [0, C): whole vectors first, then the tails.
template <int C, class Fn>
inline void for_each_channel_block(Fn&& fn) {
    for (int c = 0; c + L <= C; c += L) fn(c, Width<L>{});
    detail::tail_blocks<C - C % L, C % L, L / 2>(fn);
}

// fn(c0, Width<W>{}) for the tail blocks only.
template <int C, class Fn>
inline void for_each_tail_block(Fn&& fn) {
    detail::tail_blocks<C - C % L, C % L, L / 2>(fn);
}

// fn(c0, Width<W>{}) for tail block `index` (0 <= index < tail_block_count<C>()).
template <int C, class Fn>
inline void with_tail_block(int index, Fn&& fn) {
    int k = 0;
    for_each_tail_block<C>([&](int c0, auto width) {
        if (k++ == index) fn(c0, width);
    });
}

// fn(c0, Width<W>{}, std::integral_constant<int, NR>{}) for the output-channel blocks of
// a register-blocked kernel: groups of NR whole vectors, then the tails one vector each.
template <int C, int NR, class Fn>
inline void for_each_output_block(Fn&& fn) {
    for (int c0 = 0; c0 < C / L * L; c0 += NR * L) fn(c0, Width<L>{}, std::integral_constant<int, NR>{});
    for_each_tail_block<C>([&](int c0, auto width) { fn(c0, width, std::integral_constant<int, 1>{}); });
}

}  // namespace statnn::kernels::simd

#endif
