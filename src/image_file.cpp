// src/image_file.cpp — see image_file.hpp. PNG and JPEG decoding is stb_image's, a PNG
// behind a check of its chunk structure; binary PNM (P5/P6) is simple enough to decode
// here, with every header number bounded. Every format is decoded to R, G, B first, so
// that all share one conversion to the network's channels.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
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

static_assert(kMaxImageSide == STBI_MAX_DIMENSIONS, "decode_any_image's bound is stb_image's");

namespace {

// The bounds below were chosen for 32x32 pixels; other sizes scale them by their pixel
// count, which keeps the margin over what an honest file needs the same at every size.
constexpr std::size_t kPixels32x32 = 32 * 32;
// A 32x32 image needs a few kilobytes; refuse anything far larger before decoding.
constexpr std::size_t kMaxFileBytes32x32 = 1u << 20;
// A 32x32 PNG of the widest pixel format (RGBA, 16 bits) is 8,224 bytes before
// compression; compressed image data beyond this bound can only be padding or a bomb.
constexpr std::size_t kMaxImageDataBytes32x32 = 1u << 16;
// An image of any size (import): a 4096x4096 PPM is 48 MiB.
constexpr std::size_t kMaxAnySizeFileBytes = 64u << 20;

// "64x48": width x height, as image sizes are usually written.
std::string size_text(long width, long height) { return std::to_string(width) + "x" + std::to_string(height); }

// The images a decode takes: predict's, of exactly the network's size, PNG or PNM; or
// import's, of any size up to kMaxImageSide a side, JPEG too.
struct Accepted {
    long width = 0, height = 0;  // 0: any size
    bool jpeg = false;

    static Accepted exactly(const data::RecordShape& shape) { return {shape.width, shape.height, false}; }
    static Accepted any() { return {0, 0, true}; }
    bool any_size() const { return width == 0; }

    // The decoder takes the file's size as an int.
    std::size_t max_file_bytes() const {
        if (any_size()) return kMaxAnySizeFileBytes;
        return std::min<std::size_t>(INT_MAX, kMaxFileBytes32x32 / kPixels32x32 * std::size_t(width * height));
    }

    std::string too_large(const std::string& name) const {
        if (any_size()) return name + ": file too large (over 64 MiB)";
        return name + ": file too large for a " + size_text(width, height) + " image";
    }

    void check_size(long w, long h, const std::string& name) const {
        if (!any_size() && (w != width || h != height))
            throw ImageError(name + ": " + size_text(w, h) + " pixels; predict needs " + size_text(width, height) + " images");
        if (any_size() && (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide))
            throw ImageError(name + ": " + size_text(w, h) + " pixels; images of up to " +
                             size_text(kMaxImageSide, kMaxImageSide) + " are read");
    }
};

std::size_t max_image_data_bytes(long width, long height) {
    return kMaxImageDataBytes32x32 / kPixels32x32 * std::size_t(width) * std::size_t(height);
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

// Walks the PNG chunk list: every chunk must fit in the file. Returns the bytes of image
// data, which the caller bounds by the image's size: the decoder trusts chunk lengths
// when it sizes buffers, so a few bytes claiming a huge chunk would otherwise make it
// allocate gigabytes.
std::size_t check_png_chunks(const unsigned char* data, std::size_t size, const std::string& name) {
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
    return image_data;
}

// The next number of a PNM header at `pos`: whitespace and '#' comments skipped, at most
// five digits.
long pnm_number(const unsigned char* data, std::size_t size, std::size_t& pos, const std::string& name, const char* what) {
    for (;;) {
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
}

// Binary PGM (P5) or PPM (P6): header tokens separated by whitespace or '#' comments,
// then width x height samples of one or two bytes (big-endian when maxval > 255).
RgbImage decode_pnm(const unsigned char* data, std::size_t size, const std::string& name, const Accepted& accepted) {
    const int channels = data[1] == '6' ? 3 : 1;
    std::size_t pos = 2;
    const long w = pnm_number(data, size, pos, name, "width"), h = pnm_number(data, size, pos, name, "height");
    const long maxval = pnm_number(data, size, pos, name, "maximum value");
    accepted.check_size(w, h, name);
    if (maxval < 1 || maxval > 65535) throw ImageError(name + ": corrupt PNM header (maximum value out of range)");
    if (pos >= size) throw ImageError(name + ": truncated PNM (no pixel data)");
    ++pos;  // the single whitespace byte before the samples
    const std::size_t bytes_per_sample = maxval > 255 ? 2 : 1, n = std::size_t(w) * std::size_t(h);
    if (size - pos < n * std::size_t(channels) * bytes_per_sample) throw ImageError(name + ": truncated PNM pixel data");
    RgbImage image{int(w), int(h), std::vector<unsigned char>(n * 3)};
    for (std::size_t p = 0; p < n; ++p)
        for (int c = 0; c < 3; ++c) {
            const std::size_t at = pos + (p * std::size_t(channels) + std::size_t(channels == 3 ? c : 0)) * bytes_per_sample;
            long v = bytes_per_sample == 2 ? (long(data[at]) << 8 | data[at + 1]) : long(data[at]);
            if (v > maxval) v = maxval;
            image.rgb[p * 3 + std::size_t(c)] = static_cast<unsigned char>((v * 255 + maxval / 2) / maxval);
        }
    return image;
}

// stb_image leaves its reason unset on some corrupt-data paths (a broken zlib stream);
// a null reason must not reach std::string.
std::string decode_failure() {
    const char* reason = stbi_failure_reason();
    return std::string(": cannot decode (") + (reason ? reason : "corrupt image data") + ")";
}

// The size stb_image reads from the header, checked before anything is decoded.
void stb_size(const unsigned char* data, std::size_t size, const std::string& name, int& w, int& h) {
    int channels = 0;
    if (!stbi_info_from_memory(data, int(size), &w, &h, &channels)) throw ImageError(name + decode_failure());
}

// Always decoded to R, G, B so that every format shares one grey conversion.
RgbImage stb_decode(const unsigned char* data, std::size_t size, const std::string& name, int width, int height) {
    int w = 0, h = 0, channels = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> rgb(stbi_load_from_memory(data, int(size), &w, &h, &channels, 3),
                                                        &stbi_image_free);
    if (!rgb || w != width || h != height) throw ImageError(name + decode_failure());
    const std::size_t bytes = std::size_t(w) * std::size_t(h) * 3;
    return RgbImage{w, h, std::vector<unsigned char>(rgb.get(), rgb.get() + bytes)};
}

RgbImage decode_png(const unsigned char* data, std::size_t size, const std::string& name, const Accepted& accepted) {
    const std::size_t image_data = check_png_chunks(data, size, name);
    int w = 0, h = 0;
    stb_size(data, size, name, w, h);
    accepted.check_size(w, h, name);
    if (image_data > max_image_data_bytes(w, h))
        throw ImageError(name + ": corrupt PNG (far more image data than " + size_text(w, h) + " pixels need)");
    return stb_decode(data, size, name, w, h);
}

// The byte at `at`, or 0 past the end, as stb_image reads a buffer in memory.
unsigned char byte_at(const unsigned char* data, std::size_t size, std::size_t at) { return at < size ? data[at] : 0; }

constexpr std::size_t kDecoderFails = std::size_t(-1);

// The Huffman tables of the DHT segment whose length field is at `at`, read as the
// decoder reads them (on past the segment's end when its tables say so): each may define
// at most 256 codes. Returns where the next marker is, or kDecoderFails where the decoder
// stops with an error anyway.
std::size_t check_huffman_tables(const unsigned char* data, std::size_t size, std::size_t at, const std::string& name) {
    long left = long(byte_at(data, size, at)) << 8 | byte_at(data, size, at + 1);
    left -= 2;
    std::size_t pos = at + 2;
    while (left > 0) {
        const unsigned char table = byte_at(data, size, pos);
        if ((table >> 4) > 1 || (table & 15) > 3) return kDecoderFails;
        std::size_t codes = 0;
        for (std::size_t i = 1; i <= 16; ++i) codes += byte_at(data, size, pos + i);
        if (codes > 256)
            throw ImageError(name + ": corrupt JPEG (a Huffman table of " + std::to_string(codes) + " codes; at most 256)");
        pos += 17 + codes;
        left -= long(17 + codes);
        if (pos > size) return kDecoderFails;
    }
    return left == 0 ? pos : kDecoderFails;
}

// Where the entropy-coded data from `pos` ends: at the first 0xFF followed (after fill
// bytes) by neither a stuffed 0x00 nor a restart marker, where the decoder finds the next
// marker.
std::size_t end_of_scan(const unsigned char* data, std::size_t size, std::size_t pos) {
    while (pos < size) {
        if (data[pos] != 0xff) {
            ++pos;
            continue;
        }
        std::size_t next = pos + 1;
        while (next < size && data[next] == 0xff) ++next;
        if (next < size && data[next] != 0x00 && (data[next] < 0xd0 || data[next] > 0xd7)) return pos;
        pos = next + 1;
    }
    return size;
}

// stb_image 2.27 builds a Huffman table of any number of codes into arrays of 256 and
// writes past them on the heap: a JPEG with such a table is refused before it reaches the
// decoder. The walk visits every segment the decoder can reach, as the decoder skips from
// one to the next (bytes between segments skipped, scans to their end), and more where the
// decoder would stop with an error, never fewer.
void check_jpeg_tables(const unsigned char* data, std::size_t size, const std::string& name) {
    std::size_t pos = 2;  // after the start-of-image marker
    while (pos < size) {
        if (data[pos] != 0xff) {
            ++pos;
            continue;
        }
        while (pos < size && data[pos] == 0xff) ++pos;
        if (pos + 2 >= size) return;
        const unsigned char marker = data[pos++];
        if (marker == 0xd9) return;  // end of image
        if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;  // markers without a length
        const std::size_t length = std::size_t(data[pos]) << 8 | data[pos + 1];
        if (length < 2) return;
        if (marker == 0xc4) pos = check_huffman_tables(data, size, pos, name);
        else if (marker == 0xda) pos = end_of_scan(data, size, pos + length);
        else pos += length;
        if (pos == kDecoderFails) return;
    }
}

RgbImage decode_jpeg(const unsigned char* data, std::size_t size, const std::string& name, const Accepted& accepted) {
    check_jpeg_tables(data, size, name);
    int w = 0, h = 0;
    stb_size(data, size, name, w, h);
    accepted.check_size(w, h, name);
    return stb_decode(data, size, name, w, h);
}

RgbImage decode_rgb(const unsigned char* data, std::size_t size, const std::string& name, const Accepted& accepted) {
    const bool png = size >= 8 && std::memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
    const bool pnm = size >= 2 && data[0] == 'P' && (data[1] == '5' || data[1] == '6');
    const bool jpeg = accepted.jpeg && size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
    if (!png && !pnm && !jpeg)
        throw ImageError(name + (accepted.jpeg ? ": not a PNG, JPEG or binary PPM/PGM image"
                                               : ": not a PNG or binary PPM/PGM image"));
    if (size > accepted.max_file_bytes()) throw ImageError(accepted.too_large(name));
    if (pnm) return decode_pnm(data, size, name, accepted);
    if (jpeg) return decode_jpeg(data, size, name, accepted);
    return decode_png(data, size, name, accepted);
}

// The bytes of the file `path`, refused beyond what `accepted` takes.
std::vector<unsigned char> read_image_file(const std::string& path, const Accepted& accepted) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw ImageError(path + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<unsigned char> bytes;
    unsigned char buf[1 << 14];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f.get())) > 0;) {
        bytes.insert(bytes.end(), buf, buf + n);
        if (bytes.size() > accepted.max_file_bytes()) throw ImageError(accepted.too_large(path));
    }
    if (std::ferror(f.get())) throw ImageError(path + ": cannot read (" + std::strerror(errno) + ")");
    return bytes;
}

void check_channels(const data::RecordShape& shape, const char* function) {
    if ((shape.channels != 1 && shape.channels != 3) || shape.height < 1 || shape.width < 1)
        throw std::invalid_argument(std::string(function) + ": images of " + data::shape_text(shape) +
                                    " (height x width x channels) are not supported; 1 or 3 channels are");
}

}  // namespace

void decode_image(const unsigned char* data, std::size_t size, const std::string& name, const data::RecordShape& shape,
                  unsigned char* pixels) {
    check_channels(shape, "decode_image");
    const RgbImage image = decode_rgb(data, size, name, Accepted::exactly(shape));
    rgb_to_planes(image.rgb.data(), shape, pixels);
}

void load_image(const std::string& path, const data::RecordShape& shape, unsigned char* pixels) {
    const std::vector<unsigned char> bytes = read_image_file(path, Accepted::exactly(shape));
    decode_image(bytes.data(), bytes.size(), path, shape, pixels);
}

RgbImage decode_any_image(const unsigned char* data, std::size_t size, const std::string& name) {
    return decode_rgb(data, size, name, Accepted::any());
}

RgbImage load_any_image(const std::string& path) {
    const std::vector<unsigned char> bytes = read_image_file(path, Accepted::any());
    return decode_any_image(bytes.data(), bytes.size(), path);
}

void image_to_planes(const RgbImage& image, const data::RecordShape& shape, unsigned char* pixels) {
    check_channels(shape, "image_to_planes");
    if (image.width != shape.width || image.height != shape.height || image.rgb.size() != shape.pixels() * 3)
        throw std::invalid_argument("image_to_planes: a " + size_text(image.width, image.height) + " image for " +
                                    data::shape_text(shape));
    rgb_to_planes(image.rgb.data(), shape, pixels);
}

}  // namespace statnn
