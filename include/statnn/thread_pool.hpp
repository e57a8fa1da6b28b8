// statnn/thread_pool.hpp — a fixed pool of worker threads, created once.
//
// run(tasks, fn) calls fn(task) for every task in [0, tasks) on the pool and the calling
// thread, and returns when all are done. The function is passed by pointer, not stored
// in a std::function, so a call never allocates. Workers spin briefly before sleeping:
// a training step issues dozens of short parallel regions, and waking a sleeping
// thread costs more than most of them.
#pragma once

#include "statnn/config.hpp"

#if defined(STATNN_NO_THREADS)
// Bare metal (Cortex-M, no operating system): one thread, tasks run in order on the caller.
#include <cstddef>

namespace statnn {

inline int available_cores() { return 1; }

class ThreadPool {
public:
    explicit ThreadPool(int = 1) {}
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;
    int size() const { return 1; }
    template <class Fn>
    void run(int tasks, Fn&& fn) {
        for (int t = 0; t < tasks; ++t) fn(t);
    }
};

}  // namespace statnn

#else

#include <atomic>
#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace statnn {

// The cores this process may really use: its CPU affinity mask, further limited by a
// cgroup CPU quota (containers and CI runners often show every host CPU to
// hardware_concurrency() but grant two). Spinning workers beyond this number only
// steal time from the ones doing the work.
inline int available_cores() {
    int cores = int(std::thread::hardware_concurrency());
#if defined(__linux__)
    cpu_set_t set;
    if (::sched_getaffinity(0, sizeof set, &set) == 0) cores = CPU_COUNT(&set);
    auto limit_by_quota = [&](double quota, double period) {
        if (quota > 0 && period > 0) cores = std::min(cores, std::max(1, int(std::ceil(quota / period))));
    };
    std::string cgroup_path;  // cgroup v2: "0::/path" in /proc/self/cgroup
    {
        std::ifstream in("/proc/self/cgroup");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("0::", 0) == 0) cgroup_path = line.substr(3);
    }
    for (const std::string& dir : {"/sys/fs/cgroup" + cgroup_path, std::string("/sys/fs/cgroup")}) {
        std::ifstream in(dir + "/cpu.max");  // "max 100000" or "200000 100000"
        std::string quota;
        double period = 0;
        if (in >> quota >> period) {
            if (quota != "max") limit_by_quota(std::atof(quota.c_str()), period);
            break;
        }
    }
    std::ifstream quota_v1("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), period_v1("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    double quota = 0, period = 0;
    if (quota_v1 >> quota && period_v1 >> period) limit_by_quota(quota, period);
#endif
    return cores > 0 ? cores : 1;
}

class ThreadPool {
public:
    explicit ThreadPool(int threads = 1) {
        const int extra = threads > 1 ? threads - 1 : 0;
        workers_.reserve(extra);
        for (int t = 0; t < extra; ++t) workers_.emplace_back([this] { worker_loop(); });
    }

    ~ThreadPool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
            generation_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }

    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }

    template <class Fn>
    void run(int tasks, Fn&& fn) {
        using F = std::remove_reference_t<Fn>;
        run_erased(tasks, [](void* f, int task) { (*static_cast<F*>(f))(task); },
                   const_cast<void*>(static_cast<const void*>(&fn)));
    }

private:
    using Erased = void (*)(void*, int);

    void run_erased(int tasks, Erased fn, void* ctx) {
        if (tasks <= 0) return;
        if (workers_.empty() || tasks == 1) {
            for (int t = 0; t < tasks; ++t) fn(ctx, t);
            return;
        }
        fn_ = fn;
        ctx_ = ctx;
        tasks_ = tasks;
        next_task_.store(0, std::memory_order_relaxed);
        pending_.store(int(workers_.size()), std::memory_order_relaxed);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            generation_.fetch_add(1, std::memory_order_release);
        }
        if (sleepers_.load(std::memory_order_acquire) > 0) wake_.notify_all();
        work();
        // A worker that was descheduled (another process on the core) can only finish once
        // it runs again: after a short spin, give the core away instead of burning it.
        for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) back_off(spin);
    }

    void work() {
        for (int t; (t = next_task_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) fn_(ctx_, t);
    }

    void worker_loop() {
        std::uint64_t seen = 0;
        for (;;) {
            // Spin, then yield (another thread of this pool may need the core to finish the
            // region that releases us), then sleep.
            for (int spin = 0; spin < kSpinIterations + kYieldIterations && generation_.load(std::memory_order_acquire) == seen;
                 ++spin)
                back_off(spin);
            if (generation_.load(std::memory_order_acquire) == seen) {
                std::unique_lock<std::mutex> lock(mutex_);
                sleepers_.fetch_add(1, std::memory_order_acq_rel);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
                sleepers_.fetch_sub(1, std::memory_order_acq_rel);
            }
            seen = generation_.load(std::memory_order_acquire);
            if (stop_) return;
            work();
            pending_.fetch_sub(1, std::memory_order_acq_rel);
        }
    }

    // The waiting policy of both sides: spin for kSpinIterations rounds, then yield the core.
    static void back_off(int spin) {
        if (spin < kSpinIterations) cpu_relax();
        else std::this_thread::yield();
    }

    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    static constexpr int kSpinIterations = 2000;
    static constexpr int kYieldIterations = 200;

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<int> next_task_{0};
    std::atomic<int> pending_{0};
    Erased fn_ = nullptr;
    void* ctx_ = nullptr;
    int tasks_ = 0;
    bool stop_ = false;
};

}  // namespace statnn

#endif  // STATNN_NO_THREADS
