// tests/support/real_cifar10.hpp — finds the real CIFAR-10 for the tests that only mean
// something on it (tagged [real]); without it they are skipped, and say so.
//
// Looked for, in order: $CIFAR10_DIR (when set, it is used as given, so a wrong path
// fails the test instead of skipping it), <source tree>/data/cifar-10-batches-bin (where
// scripts/get-cifar10 puts it), <source tree>/../shared/cifar-10/cifar-10-batches-bin.
//
// Catch2 2 has no skip: a test without the data prints kSkipMarker and returns, and
// CTest, whose SKIP_REGULAR_EXPRESSION is that marker (tests/CMakeLists.txt), reports it
// as skipped. No other test may print the marker.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#ifndef STATNN_SOURCE_DIR
#define STATNN_SOURCE_DIR "."
#endif

namespace statnn::test {

inline constexpr const char* kSkipMarker = "statnn: skipped: ";

inline bool holds_cifar10(const std::string& dir) {
    struct stat st {};
    return ::stat((dir + "/data_batch_1.bin").c_str(), &st) == 0 && ::stat((dir + "/test_batch.bin").c_str(), &st) == 0;
}

// Where the tests look for the real data, in order ($CIFAR10_DIR first when set).
inline std::vector<std::string> real_cifar10_candidates() {
    const std::string source = STATNN_SOURCE_DIR;
    return {source + "/data/cifar-10-batches-bin", source + "/../shared/cifar-10/cifar-10-batches-bin"};
}

// The real data's folder, or nothing; `why_not` then says where it was looked for.
inline std::optional<std::string> find_real_cifar10(std::string* why_not = nullptr) {
    if (const char* env = std::getenv("CIFAR10_DIR"); env && *env) return std::string(env);
    const auto candidates = real_cifar10_candidates();
    for (const auto& dir : candidates)
        if (holds_cifar10(dir)) return dir;
    if (why_not) {
        *why_not = "no real CIFAR-10 found (looked in: $CIFAR10_DIR (unset)";
        for (const auto& dir : candidates) *why_not += ", " + dir;
        *why_not += ")";
    }
    return std::nullopt;
}

// The real data's folder, or nothing after printing why the calling test is skipped.
inline std::optional<std::string> real_cifar10_dir_or_skip() {
    std::string why_not;
    auto dir = find_real_cifar10(&why_not);
    if (!dir) {
        std::printf("%s%s; set CIFAR10_DIR to run this test\n", kSkipMarker, why_not.c_str());
        std::fflush(stdout);
    }
    return dir;
}

}  // namespace statnn::test
