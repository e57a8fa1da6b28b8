// tests/fuzz/fuzz_image.cpp — libFuzzer target: any bytes as the image `predict` reads.
// Decoding must either give 32x32 RGB pixels or throw ImageError.
#include <cstdint>

#include "image_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    unsigned char pixels[3072];
    try {
        statnn::decode_image_32x32(data, size, "input", pixels);
    } catch (const statnn::ImageError&) {
    }
    return 0;
}
