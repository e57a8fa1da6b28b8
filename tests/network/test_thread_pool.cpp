// tests/network/test_thread_pool.cpp — the pool runs every task once, also with more
// threads than cores, and the default thread count follows what the process may use.
#include <atomic>
#include <vector>

#include <sched.h>

#include "catch.hpp"
#include "statnn/thread_pool.hpp"

using namespace statnn;

TEST_CASE("thread pool: every task runs exactly once, for any pool size and task count", "[thread_pool]") {
    for (int threads : {1, 2, 3, 8}) {  // 8 on a 2-core machine: oversubscribed, must still finish
        ThreadPool pool(threads);
        for (int tasks : {0, 1, 2, 7, 64, 1000}) {
            std::vector<std::atomic<int>> hits(std::size_t(tasks > 0 ? tasks : 1));
            for (int round = 0; round < 50; ++round) pool.run(tasks, [&](int t) { hits[std::size_t(t)].fetch_add(1); });
            for (int t = 0; t < tasks; ++t) {
                INFO("threads " << threads << ", tasks " << tasks << ", task " << t);
                CHECK(hits[std::size_t(t)].load() == 50);
            }
        }
    }
}

TEST_CASE("available_cores follows the CPU affinity mask", "[thread_pool]") {
    cpu_set_t saved;
    REQUIRE(::sched_getaffinity(0, sizeof saved, &saved) == 0);
    CHECK(available_cores() >= 1);
    CHECK(available_cores() <= CPU_COUNT(&saved));
    int first = 0;
    while (!CPU_ISSET(first, &saved)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    REQUIRE(::sched_setaffinity(0, sizeof one, &one) == 0);
    const int seen = available_cores();
    REQUIRE(::sched_setaffinity(0, sizeof saved, &saved) == 0);
    CHECK(seen == 1);
}
