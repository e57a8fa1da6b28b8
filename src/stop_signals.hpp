// src/stop_signals.hpp — SIGINT, SIGTERM and SIGUSR1 as a request to stop training cleanly.
//
// While a StopSignals object lives, the first SIGINT, SIGTERM or SIGUSR1 only records its
// number; the training loop reads it between steps, saves its state and returns 128 + the
// signal (130, 143, 138), as shells expect of a program stopped by a signal. SIGTERM and
// SIGUSR1 are what cluster schedulers send some seconds before they preempt a job
// (mpirun passes both on to every rank). A second signal, for
// someone who does not want to wait for the checkpoint, ends the process at once with
// the default action (files are written atomically, so the last complete checkpoint
// stays). The destructor puts back the handlers that were there before.
#pragma once

#include <atomic>
#include <csignal>

namespace statnn {

namespace detail {

// A plain lock-free atomic: the only kind of shared state a signal handler may touch.
inline std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be safe to set from a signal handler");

inline void record_stop_signal(int signal) {
    if (g_stop_signal.load(std::memory_order_relaxed) != 0) {
        std::signal(signal, SIG_DFL);  // both async-signal-safe
        std::raise(signal);
        return;
    }
    g_stop_signal.store(signal, std::memory_order_relaxed);
}

}  // namespace detail

class StopSignals {
public:
    StopSignals() {
        detail::g_stop_signal.store(0);
        struct sigaction action {};
        action.sa_handler = &detail::record_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;  // reads, writes and waits in other threads carry on
        ::sigaction(SIGINT, &action, &previous_int_);
        ::sigaction(SIGTERM, &action, &previous_term_);
        ::sigaction(SIGUSR1, &action, &previous_usr1_);
    }
    ~StopSignals() {
        ::sigaction(SIGINT, &previous_int_, nullptr);
        ::sigaction(SIGTERM, &previous_term_, nullptr);
        ::sigaction(SIGUSR1, &previous_usr1_, nullptr);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // The signal that asked to stop, or 0. Reading it never allocates or blocks.
    int signal() const { return detail::g_stop_signal.load(std::memory_order_relaxed); }
    const std::atomic<int>* flag() const { return &detail::g_stop_signal; }

    // "SIGINT" for SIGINT, ...; the exit status of a run it stopped is 128 + signal
    // (130, 143, 138).
    static const char* name_of(int signal) {
        switch (signal) {
            case SIGINT: return "SIGINT";
            case SIGTERM: return "SIGTERM";
            case SIGUSR1: return "SIGUSR1";
            default: return "a signal";
        }
    }

private:
    struct sigaction previous_int_ {}, previous_term_ {}, previous_usr1_ {};
};

}  // namespace statnn
