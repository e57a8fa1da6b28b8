// src/image_file.hpp — reading the images `predict` classifies and `import` converts.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "statnn/data/record_source.hpp"

namespace statnn {

struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Decodes a PNG or binary PNM (PPM/PGM) held in memory whose size is exactly
// shape.width x shape.height into shape.bytes() bytes of channel planes (c, y, x), as
// statnn's records are. shape.channels is 1 or 3 (else std::invalid_argument). When the
// image's colours differ from the shape's: a grey image is replicated to three channels;
// a colour image becomes grey by ITU-R BT.601 luma, (299 R + 587 G + 114 B) / 1000
// rounded to nearest. An alpha channel is dropped. Throws ImageError("<name>: <problem>").
void decode_image(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape,
                  unsigned char* pixels);

// The same, from a file.
void load_image(const std::string& path, const data::RecordShape& shape, unsigned char* pixels);

// An image at its own size: R, G, B bytes interleaved, row by row (grey: R = G = B).
struct RgbImage {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
};

// The largest image decode_any_image takes, a side.
inline constexpr int kMaxImageSide = 4096;

// Decodes a PNG, a baseline or progressive JPEG, or a binary PNM (PPM/PGM) held in memory,
// of any size up to kMaxImageSide a side and 64 MiB, to R, G, B (what `import` reads).
// Throws ImageError("<name>: <problem>").
RgbImage decode_any_image(const unsigned char* data, std::size_t size, const std::string& name);

// The same, from a file.
RgbImage load_any_image(const std::string& path);

// `image` as shape.bytes() bytes of channel planes (c, y, x): R, G and B for three
// channels, BT.601 luma (as decode_image) for one. Its size must be the shape's and the
// shape 1 or 3 channels, else std::invalid_argument.
void image_to_planes(const RgbImage& image, const data::RecordShape& shape, unsigned char* pixels);

}  // namespace statnn
