// src/image_file.hpp — reading the images `predict` classifies.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace statnn {

struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Decodes a 32x32 PNG or binary PNM (PPM/PGM) held in memory into CIFAR record order:
// 1024 red, 1024 green, 1024 blue bytes. Grey images are replicated to three channels,
// an alpha channel is dropped. Throws ImageError("<name>: <problem>").
void decode_image_32x32(const unsigned char* data, std::size_t size, const std::string& name, unsigned char* pixels);

// The same, from a file.
void load_image_32x32(const std::string& path, unsigned char* pixels);

}  // namespace statnn
