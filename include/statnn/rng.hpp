// statnn/rng.hpp — small, portable random number generators.
//
// The standard library's distributions differ between implementations, so a seed
// would not give the same weights on every board. These generators are fully
// specified here: same seed, same numbers, on x86, aarch64 and armv7.
#pragma once

#include <cstdint>

namespace statnn {

// SplitMix64 step: used to expand seeds and as a stateless hash.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// A uniform float in [0, 1) from the top 24 bits of a 64-bit value.
constexpr float unit_float(std::uint64_t bits) { return float(bits >> 40) * (1.0f / 16777216.0f); }

// A 32-bit integer hash with good avalanche; cheap in SIMD lanes (two multiplies).
constexpr std::uint32_t mix32(std::uint32_t x) {
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

// Counter-based uniform in [0, 1): the value for (key, index) never depends on the order
// in which values are drawn, so dropout masks are identical whatever the thread split
// or SIMD width, and the backward pass regenerates them instead of storing them.
constexpr float hash_uniform(std::uint64_t key, std::uint32_t index) {
    const std::uint32_t h = mix32(mix32(index ^ std::uint32_t(key)) + std::uint32_t(key >> 32));
    return float(h >> 8) * (1.0f / 16777216.0f);
}

// xoshiro256** — a sequential generator for initialisation and shuffling.
class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

    void reseed(std::uint64_t seed) {
        std::uint64_t x = seed;
        for (auto& w : s_) {
            x = splitmix64(x);
            w = x;
        }
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    float uniform01() { return unit_float(next()); }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform01(); }

    // Unbiased integer in [0, n) by rejection (Lemire's method without division bias).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = (0 - n) % n;  // 2^64 mod n
        for (;;) {
            const std::uint64_t r = next();
            if (r >= limit) return r % n;
        }
    }

    // State access for checkpoints.
    static constexpr int kStateWords = 4;
    const std::uint64_t* state() const { return s_; }
    void set_state(const std::uint64_t* s) {
        for (int i = 0; i < kStateWords; ++i) s_[i] = s[i];
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[kStateWords]{};
};

}  // namespace statnn
