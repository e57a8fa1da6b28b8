// src/image_file.hpp — reading the images `predict` classifies.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

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

}  // namespace statnn
