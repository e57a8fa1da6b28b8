// tests/support/image_files.hpp — small image files (PNG, JPEG, PPM, PGM) made on the fly,
// for the import tests. Compiles stb_image_write into the including file with internal
// linkage: include it from one file of an executable.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace statnn::test {

// An image as a file holds it: `channels` (1 grey, 3 RGB) samples a pixel, row by row.
struct TestImage {
    int width = 0, height = 0, channels = 3;
    std::vector<unsigned char> samples;

    unsigned char& at(int x, int y, int c) {
        return samples[(std::size_t(y) * std::size_t(width) + std::size_t(x)) * std::size_t(channels) + std::size_t(c)];
    }
    unsigned char at(int x, int y, int c) const {
        return samples[(std::size_t(y) * std::size_t(width) + std::size_t(x)) * std::size_t(channels) + std::size_t(c)];
    }
};

// A pattern that differs for every `seed`, pixel and channel.
inline TestImage pattern_image(int width, int height, int channels, int seed) {
    TestImage image{width, height, channels, std::vector<unsigned char>(std::size_t(width * height * channels))};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c) image.at(x, y, c) = static_cast<unsigned char>(seed * 37 + x * 11 + y * 23 + c * 71);
    return image;
}

// One colour all over.
inline TestImage flat_image(int width, int height, unsigned char r, unsigned char g, unsigned char b) {
    TestImage image{width, height, 3, std::vector<unsigned char>(std::size_t(width * height * 3))};
    for (std::size_t i = 0; i < image.samples.size(); i += 3) {
        image.samples[i] = r;
        image.samples[i + 1] = g;
        image.samples[i + 2] = b;
    }
    return image;
}

inline void write_png(const std::string& path, const TestImage& image) {
    if (!stbi_write_png(path.c_str(), image.width, image.height, image.channels, image.samples.data(),
                        image.width * image.channels))
        throw std::runtime_error(path + ": cannot write");
}

inline void write_jpeg(const std::string& path, const TestImage& image, int quality = 95) {
    if (!stbi_write_jpg(path.c_str(), image.width, image.height, image.channels, image.samples.data(), quality))
        throw std::runtime_error(path + ": cannot write");
}

// Binary PPM (3 channels) or PGM (1), maxval 255.
inline void write_pnm(const std::string& path, const TestImage& image) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error(path + ": cannot write");
    std::fprintf(f, "%s\n%d %d\n255\n", image.channels == 3 ? "P6" : "P5", image.width, image.height);
    std::fwrite(image.samples.data(), 1, image.samples.size(), f);
    std::fclose(f);
}

// ITU-R BT.601 luma, rounded to nearest, as statnn turns colour into grey.
inline unsigned char bt601(unsigned char r, unsigned char g, unsigned char b) {
    return static_cast<unsigned char>((299 * unsigned(r) + 587 * unsigned(g) + 114 * unsigned(b) + 500) / 1000);
}

// What a record of `channels` planes holds for `image` (of the record's size): its planes,
// a grey image repeated to three, a colour image as BT.601 grey.
inline std::vector<unsigned char> record_planes(const TestImage& image, int channels) {
    const std::size_t pixels = std::size_t(image.width) * std::size_t(image.height);
    std::vector<unsigned char> planes(pixels * std::size_t(channels));
    for (std::size_t p = 0; p < pixels; ++p) {
        const unsigned char* s = image.samples.data() + p * std::size_t(image.channels);
        const unsigned char r = s[0], g = s[image.channels == 3 ? 1 : 0], b = s[image.channels == 3 ? 2 : 0];
        if (channels == 1) planes[p] = bt601(r, g, b);
        else for (std::size_t c = 0; c < 3; ++c) planes[c * pixels + p] = c == 0 ? r : c == 1 ? g : b;
    }
    return planes;
}

}  // namespace statnn::test
