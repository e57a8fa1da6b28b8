// statnn/train/metrics.hpp — accuracy and the confusion matrix.
#pragma once

#include <array>
#include <cstdint>

namespace statnn {

// Index of the largest of n values (the first one on ties).
inline int argmax(const float* v, int n) {
    int best = 0;
    for (int j = 1; j < n; ++j)
        if (v[j] > v[best]) best = j;
    return best;
}

// Number of rows of (n, Classes) scores whose argmax is the label.
template <int Classes>
int count_correct(const float* scores, const std::int32_t* labels, int n) {
    int correct = 0;
    for (int r = 0; r < n; ++r) correct += argmax(scores + r * Classes, Classes) == labels[r];
    return correct;
}

// counts[true][predicted]
template <int Classes>
struct ConfusionCounts {
    std::array<std::array<std::int64_t, Classes>, Classes> counts{};

    void add(const float* scores, const std::int32_t* labels, int n) {
        for (int r = 0; r < n; ++r) ++counts[labels[r]][argmax(scores + r * Classes, Classes)];
    }
    std::int64_t total() const {
        std::int64_t t = 0;
        for (const auto& row : counts)
            for (auto c : row) t += c;
        return t;
    }
    double accuracy() const {
        std::int64_t right = 0;
        for (int k = 0; k < Classes; ++k) right += counts[k][k];
        const std::int64_t t = total();
        return t ? double(right) / double(t) : 0.0;
    }
};

}  // namespace statnn
