// tests/fuzz/fuzz_image.cpp — libFuzzer target: any bytes as the image `predict` reads.
// Decoding for a 32x32 colour network and for a 28x28 grey one must either give its
// pixels or throw ImageError.
#include <cstdint>

#include "image_file.hpp"

namespace {

void decode_as(const std::uint8_t* data, std::size_t size, const statnn::data::RecordShape& shape, unsigned char* pixels) {
    try {
        statnn::decode_image(data, size, "input", shape, pixels);
    } catch (const statnn::ImageError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    unsigned char pixels[3 * 32 * 32];
    decode_as(data, size, {3, 32, 32}, pixels);
    decode_as(data, size, {1, 28, 28}, pixels);
    return 0;
}
