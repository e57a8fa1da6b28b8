// tests/fuzz/statnn_records_seed.hpp — the small valid statnn records file the fuzz target
// pairs with its input and the seed corpus starts from: 3 records of 2x3 grey pixels,
// classes "zero" and "one".
#pragma once

#include <string>

#include "statnn/data/statnn_records.hpp"

namespace statnn::test {

inline std::string statnn_records_seed() {
    const data::StatnnHeader header{{1, 2, 3}, {"zero", "one"}, 3};
    std::string bytes = header.encode();
    for (int r = 0; r < 3; ++r) {
        bytes += std::string{char(r % 2), 0, 0, 0};
        for (int p = 0; p < 6; ++p) bytes.push_back(char(r * 40 + p));
    }
    return bytes;
}

}  // namespace statnn::test
