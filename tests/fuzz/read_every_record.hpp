// tests/fuzz/read_every_record.hpp — what the record-format fuzzers do with a set that
// opened: read every record, and stop on a label the set should have refused.
#pragma once

#include <cstdint>
#include <vector>

#include "statnn/data/record_source.hpp"

namespace statnn::test {

inline void read_every_record(const statnn::data::RecordSource& set) {
    std::vector<unsigned char> pixels(set.shape().bytes());
    for (long r = 0; r < set.records(); ++r) {
        std::int32_t label = -1;
        set.read(r, pixels.data(), label);
        if (label < 0 || label >= set.classes()) __builtin_trap();
    }
}

}  // namespace statnn::test
