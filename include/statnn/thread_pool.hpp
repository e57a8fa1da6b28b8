// statnn/thread_pool.hpp — a fixed pool of worker threads, created once.
//
// run(tasks, fn) calls fn(task) for every task in [0, tasks) on the pool and the calling
// thread, and returns when all are done. The function is passed by pointer, not stored
// in a std::function, so a call never allocates. Workers spin briefly before sleeping:
// a training step issues dozens of short parallel regions, and waking a sleeping
// thread costs more than most of them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace statnn {

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
        while (pending_.load(std::memory_order_acquire) != 0) cpu_relax();
    }

    void work() {
        for (int t; (t = next_task_.fetch_add(1, std::memory_order_relaxed)) < tasks_;) fn_(ctx_, t);
    }

    void worker_loop() {
        std::uint64_t seen = 0;
        for (;;) {
            for (int spin = 0; spin < kSpinIterations && generation_.load(std::memory_order_acquire) == seen; ++spin)
                cpu_relax();
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

    static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        asm volatile("yield");
#endif
    }

    static constexpr int kSpinIterations = 20000;

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
