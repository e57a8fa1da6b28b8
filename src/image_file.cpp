// src/image_file.cpp — see image_file.hpp. Decoding is stb_image's, limited to PNG and
// binary PNM, the two formats predict documents.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_PNM
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 4096
#include <stb/stb_image.h>

#include "image_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace statnn {

void decode_image_32x32(const unsigned char* data, std::size_t size, const std::string& name, unsigned char* pixels) {
    const bool png = size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    const bool pnm = size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
    if (!png && !pnm) throw ImageError(name + ": not a PNG or binary PPM/PGM image");
    if (size > (1u << 26)) throw ImageError(name + ": file too large for a 32x32 image");
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, int(size), &w, &h, &channels))
        throw ImageError(name + ": cannot decode (" + stbi_failure_reason() + ")");
    if (w != 32 || h != 32)
        throw ImageError(name + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels; predict needs 32x32 images");
    std::unique_ptr<unsigned char, void (*)(void*)> rgb(stbi_load_from_memory(data, int(size), &w, &h, &channels, 3),
                                                        &stbi_image_free);
    if (!rgb || w != 32 || h != 32) throw ImageError(name + ": cannot decode (" + stbi_failure_reason() + ")");
    for (int p = 0; p < 1024; ++p)
        for (int c = 0; c < 3; ++c) pixels[c * 1024 + p] = rgb.get()[p * 3 + c];
}

void load_image_32x32(const std::string& path, unsigned char* pixels) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw ImageError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 14];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) {
        bytes.insert(bytes.end(), buf, buf + n);
        if (bytes.size() > (1u << 26)) throw ImageError(path + ": file too large for a 32x32 image");
    }
    if (std::ferror(f.get())) throw ImageError(path + ": cannot read (" + std::strerror(errno) + ")");
    decode_image_32x32(bytes.data(), bytes.size(), path, pixels);
}

}  // namespace statnn
