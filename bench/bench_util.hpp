// bench/bench_util.hpp — shared helpers: aligned random buffers and FLOP counters.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <new>
#include <vector>

#include "dot_peak.hpp"
#include "fma_peak.hpp"
#include "memory_peak.hpp"
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

// Wall-clock time of a benchmark's loop: start it just before `for (auto _ : state)`.
// peak_fraction needs the time itself (Google Benchmark's rate counters divide by their
// own timer and print the result per second).
class LoopClock {
public:
    LoopClock() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

private:
    std::chrono::steady_clock::time_point start_;
};

// The rate counter `unit` (FLOP/s, or OP/s for integer work) and peak_fraction against
// `one_thread_peak` (fma_peak.hpp, dot_peak.hpp) times `threads`; see set_flop_counters.
inline void set_rate_counters(benchmark::State& state, const LoopClock& clock, double work_per_iteration,
                              double one_thread_peak, int threads = 1, const char* unit = "FLOP/s") {
    const double seconds = clock.seconds(), work = double(state.iterations()) * work_per_iteration;
    // Each thread counts its own iterations; Google Benchmark sums threads, then divides by the time.
    state.counters[unit] = benchmark::Counter(work, benchmark::Counter::kIsRate);
    state.counters["peak_fraction"] = benchmark::Counter(
        seconds > 0 && one_thread_peak > 0 ? work / (seconds * one_thread_peak * threads) : 0, benchmark::Counter::kAvgThreads);
}

// FLOP/s, and peak_fraction: the FLOP/s this benchmark thread reached over the one-thread
// FMA peak times `threads` (the pool's threads it used), 0..1. Benchmarks that use it
// run on real time (UseRealTime), so both counters divide by the same span; with several
// benchmark threads peak_fraction is their mean.
inline void set_flop_counters(benchmark::State& state, const LoopClock& clock, double flops_per_iteration, int threads = 1) {
    set_rate_counters(state, clock, flops_per_iteration, one_thread_fma_peak(), threads);
}

// bytes_per_second, and bandwidth_fraction: the bytes/s this one-thread kernel moved (read
// + written) over a copy's on the kernel's working set (memory_peak.hpp), so 1 is a copy's
// speed and 0.5 is within 2x of it.
inline void set_byte_counters(benchmark::State& state, const LoopClock& clock, double bytes_per_iteration,
                              double working_set_bytes) {
    const double seconds = clock.seconds();
    state.SetBytesProcessed(static_cast<std::int64_t>(double(state.iterations()) * bytes_per_iteration));
    const double copy = one_thread_copy_bandwidth(std::size_t(working_set_bytes));
    state.counters["bandwidth_fraction"] =
        benchmark::Counter(seconds > 0 ? double(state.iterations()) * bytes_per_iteration / (seconds * copy) : 0);
}

// FLOP/s, peak_fraction and items (images or rows) per second of a one-thread kernel.
inline void set_counters(benchmark::State& state, const LoopClock& clock, double flops_per_iteration, double items_per_iteration) {
    set_flop_counters(state, clock, flops_per_iteration);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items_per_iteration));
}

}  // namespace statnn::bench
