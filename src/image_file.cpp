// src/image_file.cpp — see image_file.hpp. PNG decoding is stb_image's, behind a check
// of the chunk structure; binary PNM (P5/P6) is simple enough to decode here, with every
// header number bounded.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 4096
#include <stb/stb_image.h>

#include "image_file.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace statnn {

namespace {

// The bounds below were chosen for 32x32 pixels; other sizes scale them by their pixel
// count, which keeps the margin over what an honest file needs the same at every size.
constexpr std::size_t kPixels32x32 = 32 * 32;
// A 32x32 image needs a few kilobytes; refuse anything far larger before decoding.
constexpr std::size_t kMaxFileBytes32x32 = 1u << 20;
// A 32x32 PNG of the widest pixel format (RGBA, 16 bits) is 8,224 bytes before
// compression; compressed image data beyond this bound can only be padding or a bomb.
constexpr std::size_t kMaxImageDataBytes32x32 = 1u << 16;

// The decoder takes the file's size as an int.
std::size_t max_file_bytes(const data::RecordShape& shape) {
    return std::min<std::size_t>(INT_MAX, kMaxFileBytes32x32 / kPixels32x32 * shape.pixels());
}

std::size_t max_image_data_bytes(const data::RecordShape& shape) {
    return kMaxImageDataBytes32x32 / kPixels32x32 * shape.pixels();
}

// "64x48": width x height, as image sizes are usually written.
std::string size_text(long width, long height) { return std::to_string(width) + "x" + std::to_string(height); }

void check_image_size(long width, long height, const std::string& name, const data::RecordShape& shape) {
    if (width != shape.width || height != shape.height)
        throw ImageError(name + ": " + size_text(width, height) + " pixels; predict needs " +
                         size_text(shape.width, shape.height) + " images");
}

std::string too_large(const std::string& name, const data::RecordShape& shape) {
    return name + ": file too large for a " + size_text(shape.width, shape.height) + " image";
}

// ITU-R BT.601 luma, rounded to nearest; equal R, G and B give that value back.
unsigned char luma(unsigned char r, unsigned char g, unsigned char b) {
    return static_cast<unsigned char>((299 * unsigned(r) + 587 * unsigned(g) + 114 * unsigned(b) + 500) / 1000);
}

// Interleaved R, G, B bytes, one triple per pixel, to the shape's channel planes.
void rgb_to_planes(const unsigned char* rgb, const data::RecordShape& shape, unsigned char* pixels) {
    const std::size_t n = shape.pixels();
    for (std::size_t p = 0; p < n; ++p) {
        const unsigned char* px = rgb + 3 * p;
        if (shape.channels == 3) {
            for (std::size_t c = 0; c < 3; ++c) pixels[c * n + p] = px[c];
        } else {
            pixels[p] = luma(px[0], px[1], px[2]);
        }
    }
}

std::uint32_t big_endian32(const unsigned char* p) {
    return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// Walks the PNG chunk list: every chunk must fit in the file, and the image data must
// be small. The decoder trusts chunk lengths when it sizes buffers, so a few bytes
// claiming a huge chunk would otherwise make it allocate gigabytes.
void check_png_chunks(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape) {
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
    if (image_data > max_image_data_bytes(shape))
        throw ImageError(name + ": corrupt PNG (far more image data than " + size_text(shape.width, shape.height) +
                         " pixels need)");
}

// Binary PGM (P5) or PPM (P6): header tokens separated by whitespace or '#' comments,
// then width x height samples of one or two bytes (big-endian when maxval > 255).
void decode_pnm(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape,
                unsigned char* pixels) {
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
    check_image_size(w, h, name, shape);
    if (maxval < 1 || maxval > 65535) throw ImageError(name + ": corrupt PNM header (maximum value out of range)");
    if (pos >= size) throw ImageError(name + ": truncated PNM (no pixel data)");
    ++pos;  // the single whitespace byte before the samples
    const std::size_t bytes_per_sample = maxval > 255 ? 2 : 1, n = shape.pixels();
    if (size - pos < n * std::size_t(channels) * bytes_per_sample) throw ImageError(name + ": truncated PNM pixel data");
    std::vector<unsigned char> rgb(n * 3);
    for (std::size_t p = 0; p < n; ++p)
        for (int c = 0; c < 3; ++c) {
            const std::size_t at = pos + (p * std::size_t(channels) + std::size_t(channels == 3 ? c : 0)) * bytes_per_sample;
            long v = bytes_per_sample == 2 ? (long(data[at]) << 8 | data[at + 1]) : long(data[at]);
            if (v > maxval) v = maxval;
            rgb[p * 3 + std::size_t(c)] = static_cast<unsigned char>((v * 255 + maxval / 2) / maxval);
        }
    rgb_to_planes(rgb.data(), shape, pixels);
}

// stb_image leaves its reason unset on some corrupt-data paths (a broken zlib stream);
// a null reason must not reach std::string.
std::string decode_failure() {
    const char* reason = stbi_failure_reason();
    return std::string(": cannot decode (") + (reason ? reason : "corrupt image data") + ")";
}

void decode_png(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape,
                unsigned char* pixels) {
    check_png_chunks(data, size, name, shape);
    int w = 0, h = 0, channels = 0;
    if (!stbi_info_from_memory(data, int(size), &w, &h, &channels)) throw ImageError(name + decode_failure());
    check_image_size(w, h, name, shape);
    // Always decoded to R, G, B so that PNG and PNM share one grey conversion.
    std::unique_ptr<unsigned char, void (*)(void*)> rgb(stbi_load_from_memory(data, int(size), &w, &h, &channels, 3),
                                                        &stbi_image_free);
    if (!rgb || w != shape.width || h != shape.height) throw ImageError(name + decode_failure());
    rgb_to_planes(rgb.get(), shape, pixels);
}

}  // namespace

void decode_image(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape,
                  unsigned char* pixels) {
    if ((shape.channels != 1 && shape.channels != 3) || shape.height < 1 || shape.width < 1)
        throw std::invalid_argument("decode_image: images of " + data::shape_text(shape) +
                                    " (height x width x channels) are not supported; 1 or 3 channels are");
    const bool png = size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    const bool pnm = size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
    if (!png && !pnm) throw ImageError(name + ": not a PNG or binary PPM/PGM image");
    if (size > max_file_bytes(shape)) throw ImageError(too_large(name, shape));
    if (pnm) return decode_pnm(data, size, name, shape, pixels);
    decode_png(data, size, name, shape, pixels);
}

void load_image(const std::string& path, const data::RecordShape& shape, unsigned char* pixels) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw ImageError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 14];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) {
        bytes.insert(bytes.end(), buf, buf + n);
        if (bytes.size() > max_file_bytes(shape)) throw ImageError(too_large(path, shape));
    }
    if (std::ferror(f.get())) throw ImageError(path + ": cannot read (" + std::strerror(errno) + ")");
    decode_image(bytes.data(), bytes.size(), path, shape, pixels);
}

}  // namespace statnn
