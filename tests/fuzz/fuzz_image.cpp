// tests/fuzz/fuzz_image.cpp — libFuzzer target: any bytes as the image `predict` reads
// and as one `import` reads. Decoding for a 32x32 colour network and for a 28x28 grey one,
// and at any size (PNG, JPEG or PNM) then scaled to 32x32, must either give its pixels or
// throw ImageError.
#include <cstdint>

#include "image_file.hpp"
#include "image_resize.hpp"

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
    try {
        const statnn::RgbImage image = statnn::decode_any_image(data, size, "input");
        statnn::image_to_planes(statnn::resize_area(image, 32, 32), {3, 32, 32}, pixels);
    } catch (const statnn::ImageError&) {
    }
    return 0;
}
