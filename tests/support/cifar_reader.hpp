// tests/support/cifar_reader.hpp — the batch reader over 32x32x3 records with slots of
// its own, as the tests use it: any batch up to kCifarReaderCapacity images.
#pragma once

#include <memory>
#include <cstdint>

#include "statnn/data/batch_reader.hpp"
#include "statnn/shape.hpp"

namespace statnn::test {

using CifarImage = Shape<3, 32, 32>;
inline constexpr int kCifarReaderCapacity = 1024;

struct CifarReaderSlots {
    // Default-initialised: the pages a test never fills are never touched.
    std::unique_ptr<data::BatchSlots<CifarImage, kCifarReaderCapacity>> slots{
        new data::BatchSlots<CifarImage, kCifarReaderCapacity>};
};

class CifarReader : private CifarReaderSlots, public data::BatchReader<CifarImage, kCifarReaderCapacity> {
public:
    CifarReader(const data::RecordSource& source, int batch, long limit, bool shuffle, std::uint64_t seed,
                const data::Augmentation& augment = {}, const data::Normalization& normalization = {})
        : data::BatchReader<CifarImage, kCifarReaderCapacity>(source, *this->slots, batch, limit, shuffle, seed, augment,
                                                              normalization) {}
};

}  // namespace statnn::test
