// src/image_file.cpp — see image_file.hpp. PNG decoding is stb_image's, behind a check
// of the chunk structure; binary PNM (P5/P6) is simple enough to decode here, with every
// header number bounded.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 4096
#include <stb/stb_image.h>

#include "image_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace statnn {

namespace {

// A 32x32 image needs a few kilobytes; refuse anything far larger before decoding.
constexpr std::size_t kMaxFileBytes = 1u << 20;
// A 32x32 PNG of the widest pixel format (RGBA, 16 bits) is 8,224 bytes before
// compression; compressed image data beyond this bound can only be padding or a bomb.
constexpr std::size_t kMaxImageDataBytes = 1u << 16;

std::uint32_t big_endian32(const unsigned char* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// Walks the PNG chunk list: every chunk must fit in the file, and the image data must
// be small. The decoder trusts chunk lengths when it sizes buffers, so a few bytes
// claiming a huge chunk would otherwise make it allocate gigabytes.
void check_png_chunks(const unsigned char* data, std::size_t size, const std::string& name) {
    std::size_t pos = 8, image_data = 0;
    bool end = false;
    for (int chunk = 1; pos + 12 <= size && !end; ++chunk) {
        const std::uint32_t len = big_endian32(data + pos);
        if (len > size - pos - 12)
            throw ImageError(name + ": corrupt PNG (chunk " + std::to_string(chunk) + " runs past the end of the file)");
        if (std::memcmp(data + pos + 4, "IDAT", 4) == 0) {
            // The decoder copies an empty chunk through a null buffer (undefined behaviour);
            // encoders do not write them.
            if (len == 0) throw ImageError(name + ": corrupt PNG (chunk " + std::to_string(chunk) + " is empty image data)");
            image_data += len;
        }
        end = std::memcmp(data + pos + 4, "IEND", 4) == 0;
        pos += 12 + std::size_t(len);
    }
    if (!end) throw ImageError(name + ": corrupt PNG (no end chunk)");
    if (image_data > kMaxImageDataBytes) throw ImageError(name + ": corrupt PNG (far more image data than 32x32 pixels need)");
}

// Binary PGM (P5) or PPM (P6): header tokens separated by whitespace or '#' comments,
// then width x height samples of one or two bytes (big-endian when maxval > 255).
void decode_pnm(const unsigned char* data, std::size_t size, const std::string& name, unsigned char* pixels) {
    const int channels = data[1] == '6' ? 3 : 1;
    std::size_t pos = 2;
    auto next_number = [&](const char* what) {
        for (;;) {  // skip whitespace and comments
            if (pos < size && (data[pos] == ' ' || data[pos] == '\t' || data[pos] == '\n' || data[pos] == '\r')) {
                ++pos;
            } else if (pos < size && data[pos] == '#') {
                while (pos < size && data[pos] != '\n') ++pos;
            } else {
                break;
            }
        }
        long value = 0;
        int digits = 0;
        while (pos < size && data[pos] >= '0' && data[pos] <= '9') {
            if (++digits > 5) throw ImageError(name + ": corrupt PNM header (" + what + " too large)");
            value = value * 10 + (data[pos++] - '0');
        }
        if (digits == 0) throw ImageError(name + ": corrupt PNM header (no " + what + ")");
        return value;
    };
    const long w = next_number("width"), h = next_number("height"), maxval = next_number("maximum value");
    if (w != 32 || h != 32)
        throw ImageError(name + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels; predict needs 32x32 images");
    if (maxval < 1 || maxval > 65535) throw ImageError(name + ": corrupt PNM header (maximum value out of range)");
    if (pos >= size) throw ImageError(name + ": truncated PNM (no pixel data)");
    ++pos;  // the single whitespace byte before the samples
    const std::size_t bytes_per_sample = maxval > 255 ? 2 : 1;
    if (size - pos < 1024 * std::size_t(channels) * bytes_per_sample) throw ImageError(name + ": truncated PNM pixel data");
    for (int p = 0; p < 1024; ++p)
        for (int c = 0; c < 3; ++c) {
            const std::size_t at = pos + (std::size_t(p) * channels + (channels == 3 ? c : 0)) * bytes_per_sample;
            long v = bytes_per_sample == 2 ? (long(data[at]) << 8 | data[at + 1]) : long(data[at]);
            if (v > maxval) v = maxval;
            pixels[c * 1024 + p] = static_cast<unsigned char>((v * 255 + maxval / 2) / maxval);
        }
}

// stb_image leaves its reason unset on some corrupt-data paths (a broken zlib stream);
// a null reason must not reach std::string.
std::string decode_failure() {
    const char* reason = stbi_failure_reason();
    return std::string(": cannot decode (") + (reason ? reason : "corrupt image data") + ")";
}

}  // namespace

void decode_image_32x32(const unsigned char* data, std::size_t size, const std::string& name, unsigned char* pixels) {
    const bool png = size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    const bool pnm = size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
    if (!png && !pnm) throw ImageError(name + ": not a PNG or binary PPM/PGM image");
    if (size > kMaxFileBytes) throw ImageError(name + ": file too large for a 32x32 image");
    if (pnm) return decode_pnm(data, size, name, pixels);
    check_png_chunks(data, size, name);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, int(size), &w, &h, &channels))
        throw ImageError(name + decode_failure());
    if (w != 32 || h != 32)
        throw ImageError(name + ": " + std::to_string(w) + "x" + std::to_string(h) + " pixels; predict needs 32x32 images");
    std::unique_ptr<unsigned char, void (*)(void*)> rgb(stbi_load_from_memory(data, int(size), &w, &h, &channels, 3),
                                                        &stbi_image_free);
    if (!rgb || w != 32 || h != 32) throw ImageError(name + decode_failure());
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
        if (bytes.size() > kMaxFileBytes) throw ImageError(path + ": file too large for a 32x32 image");
    }
    if (std::ferror(f.get())) throw ImageError(path + ": cannot read (" + std::strerror(errno) + ")");
    decode_image_32x32(bytes.data(), bytes.size(), path, pixels);
}

}  // namespace statnn
