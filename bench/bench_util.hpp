// bench/bench_util.hpp — shared helpers: aligned random buffers and FLOP counters.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <new>
#include <vector>

#include "statnn/arena.hpp"
#include "statnn/rng.hpp"

namespace statnn::bench {

class Buffer {
public:
    // Allocated as the network's arena is (huge pages for large blocks).
    explicit Buffer(std::size_t n, std::uint64_t seed = 1, float lo = -1.0f, float hi = 1.0f)
        : n_(n), p_(reinterpret_cast<float*>(allocate_block(n * sizeof(float)))) {
        Rng rng(seed);
        for (std::size_t i = 0; i < n; ++i) p_[i] = rng.uniform(lo, hi);
    }
    ~Buffer() { free_block(reinterpret_cast<std::byte*>(p_), n_ * sizeof(float)); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    float* get() { return p_; }
    std::size_t size() const { return n_; }

private:
    std::size_t n_;
    float* p_;
};

// FLOP/s and items (images or rows) per second.
inline void set_counters(benchmark::State& state, double flops_per_iteration, double items_per_iteration) {
    state.counters["FLOP/s"] = benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items_per_iteration));
}

}  // namespace statnn::bench
