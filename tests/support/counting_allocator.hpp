// tests/support/counting_allocator.hpp — counts heap allocations, to prove that training
// and evaluation steps make none.
//
// An executable that links tests/support/counting_allocator.cpp has its global allocation
// functions replaced by counting ones: set g_allocations to 0 and g_counting to true
// before the code under test, g_counting to false after, then read g_allocations.
#pragma once

#include <atomic>

namespace statnn::test {

extern std::atomic<long> g_allocations;
extern std::atomic<bool> g_counting;

}  // namespace statnn::test
