// src/report/samples_png.cpp — a PNG of sample images, each with its class name under it.
//
// Geometry (pixels), which the tests restate:
//   each image of H x W pixels is scaled by pixel repetition, by s = max(1, 96 / max(H, W))
//   (integer division): a 32x32 image becomes 96 x 96, a 28x28 one 84 x 84;
//   a label is drawn with the bitmap font below, scaled 2x: 12 px per character
//   (10 px glyph + 2 px gap), 18 px tall, so a label of L characters is 12 L - 2 wide;
//   cell width  = max(s W, widest label), cell height = s H + 6 (gap) + 18 (label), 120 for 32x32;
//   columns     = min(n, 5), rows = ceil(n / 5);
//   width       = 2 * 12 (margin) + columns * cell width + (columns - 1) * 16 (gap);
//   height      = 2 * 12 (margin) + rows * cell height + (rows - 1) * 14 (gap).
// Grey images (one channel) are drawn grey.
// With no images the result is a blank 24 x 24 PNG. Labels longer than 24 characters are
// cut to 21 followed by "...".
//
// The PNG encoder is stb_image_write, compiled into this translation unit with internal
// linkage (no other file may define STB_IMAGE_WRITE_IMPLEMENTATION), so neither a shared
// library nor a cross-compiled libstb is needed.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wshadow"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "report/report.hpp"

namespace statnn::report {

namespace {

// ---- a 5 x 9 bitmap font ------------------------------------------------------------
// Rows 0-6 hold capitals and digits (the baseline is under row 6), lowercase letters use
// rows 2-6 for their body, and rows 7-8 are for descenders (g j p q y) and '_'.
constexpr int kGlyphW = 5, kGlyphH = 9;

struct Glyph {
    char ch;
    const char* rows[kGlyphH];
};

// clang-format off
constexpr Glyph kFont[] = {
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", ".....", "....."}},
    {'B', {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.", ".....", "....."}},
    {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.", ".....", "....."}},
    {'D', {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####.", ".....", "....."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####", ".....", "....."}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#....", ".....", "....."}},
    {'G', {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####", ".....", "....."}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", ".....", "....."}},
    {'I', {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.", ".....", "....."}},
    {'J', {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..", ".....", "....."}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#", ".....", "....."}},
    {'L', {"#....", "#....", "#....", "#....", "#....", "#....", "#####", ".....", "....."}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#", ".....", "....."}},
    {'N', {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", ".....", "....."}},
    {'O', {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.", ".....", "....."}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#....", ".....", "....."}},
    {'Q', {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#", ".....", "....."}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#", ".....", "....."}},
    {'S', {".####", "#....", "#....", ".###.", "....#", "....#", "####.", ".....", "....."}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..", ".....", "....."}},
    {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.", ".....", "....."}},
    {'V', {"#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..", ".....", "....."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.", ".....", "....."}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#", ".....", "....."}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..", ".....", "....."}},
    {'Z', {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####", ".....", "....."}},

    {'a', {".....", ".....", ".###.", "....#", ".####", "#...#", ".####", ".....", "....."}},
    {'b', {"#....", "#....", "####.", "#...#", "#...#", "#...#", "####.", ".....", "....."}},
    {'c', {".....", ".....", ".###.", "#....", "#....", "#....", ".###.", ".....", "....."}},
    {'d', {"....#", "....#", ".####", "#...#", "#...#", "#...#", ".####", ".....", "....."}},
    {'e', {".....", ".....", ".###.", "#...#", "#####", "#....", ".###.", ".....", "....."}},
    {'f', {"..##.", ".#...", "####.", ".#...", ".#...", ".#...", ".#...", ".....", "....."}},
    {'g', {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
    {'h', {"#....", "#....", "####.", "#...#", "#...#", "#...#", "#...#", ".....", "....."}},
    {'i', {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.", ".....", "....."}},
    {'j', {"...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'k', {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#.", ".....", "....."}},
    {'l', {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.", ".....", "....."}},
    {'m', {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#.#.#", "#.#.#", ".....", "....."}},
    {'n', {".....", ".....", "####.", "#...#", "#...#", "#...#", "#...#", ".....", "....."}},
    {'o', {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###.", ".....", "....."}},
    {'p', {".....", ".....", "####.", "#...#", "#...#", "#...#", "####.", "#....", "#...."}},
    {'q', {".....", ".....", ".####", "#...#", "#...#", "#...#", ".####", "....#", "....#"}},
    {'r', {".....", ".....", "#.##.", "##..#", "#....", "#....", "#....", ".....", "....."}},
    {'s', {".....", ".....", ".####", "#....", ".###.", "....#", "####.", ".....", "....."}},
    {'t', {".#...", ".#...", "####.", ".#...", ".#...", ".#..#", "..##.", ".....", "....."}},
    {'u', {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#", ".....", "....."}},
    {'v', {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#..", ".....", "....."}},
    {'w', {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#.", ".....", "....."}},
    {'x', {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", ".....", "....."}},
    {'y', {".....", ".....", "#...#", "#...#", "#...#", "#...#", ".####", "....#", ".###."}},
    {'z', {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####", ".....", "....."}},

    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.", ".....", "....."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.", ".....", "....."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####", ".....", "....."}},
    {'3', {"####.", "....#", "....#", ".###.", "....#", "....#", "####.", ".....", "....."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.", ".....", "....."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###.", ".....", "....."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.", ".....", "....."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...", ".....", "....."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.", ".....", "....."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..", ".....", "....."}},

    {' ', {".....", ".....", ".....", ".....", ".....", ".....", ".....", ".....", "....."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", ".....", ".....", "....."}},
    {'_', {".....", ".....", ".....", ".....", ".....", ".....", ".....", "#####", "....."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".##..", ".##..", ".....", "....."}},
    {'?', {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#..", ".....", "....."}},
};
// clang-format on

const Glyph& glyph_for(char ch) {
    for (const Glyph& g : kFont) {
        if (g.ch == ch) return g;
    }
    for (const Glyph& g : kFont) {
        if (g.ch == '?') return g;
    }
    return kFont[0];
}

// ---- geometry (see the top of the file) ---------------------------------------------
constexpr int kScaledSide = 96;  // what an image's longer side is scaled towards
constexpr int kFontScale = 2, kAdvance = (kGlyphW + 1) * kFontScale, kLabelH = kGlyphH * kFontScale;
constexpr int kLabelGap = 6;
constexpr int kMargin = 12, kGapX = 16, kGapY = 14, kMaxColumns = 5;
constexpr std::size_t kMaxLabel = 24;

int label_width(const std::string& label) {
    return label.empty() ? 0 : static_cast<int>(label.size()) * kAdvance - kFontScale;
}

std::string fit_label(const std::string& name) {
    if (name.size() <= kMaxLabel) return name;
    return name.substr(0, kMaxLabel - 3) + "...";
}

struct Canvas {
    int width, height;
    std::vector<unsigned char> rgb;

    Canvas(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3, 255) {}

    void set(int x, int y, unsigned char r, unsigned char g, unsigned char b) {
        if (x < 0 || y < 0 || x >= width || y >= height) return;
        unsigned char* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
        p[0] = r;
        p[1] = g;
        p[2] = b;
    }
};

// How the images are laid out: their shape and the factor they are scaled by.
struct ImageLayout {
    int channels, height, width, scale;
};

ImageLayout image_layout(int channels, int height, int width) {
    if ((channels != 1 && channels != 3) || height < 1 || width < 1) {
        throw std::invalid_argument("samples_png: images of " + std::to_string(channels) + " channels, " +
                                    std::to_string(height) + "x" + std::to_string(width) +
                                    " pixels; 1 or 3 channels and at least one pixel are needed");
    }
    return {channels, height, width, std::max(1, kScaledSide / std::max(height, width))};
}

void draw_image(Canvas& canvas, const unsigned char* planes, const ImageLayout& image, int x0, int y0) {
    const std::size_t plane = static_cast<std::size_t>(image.height) * static_cast<std::size_t>(image.width);
    const std::size_t green = image.channels == 3 ? plane : 0, blue = 2 * green;  // grey: all three read one plane
    for (int y = 0; y < image.height * image.scale; ++y) {
        for (int x = 0; x < image.width * image.scale; ++x) {
            const std::size_t i = static_cast<std::size_t>(y / image.scale) * static_cast<std::size_t>(image.width) +
                                  static_cast<std::size_t>(x / image.scale);
            canvas.set(x0 + x, y0 + y, planes[i], planes[green + i], planes[blue + i]);
        }
    }
}

void draw_label(Canvas& canvas, const std::string& label, int x0, int y0) {
    constexpr unsigned char kInk = 34;  // dark grey, nearly black
    for (std::size_t k = 0; k < label.size(); ++k) {
        const Glyph& g = glyph_for(label[k]);
        const int gx = x0 + static_cast<int>(k) * kAdvance;
        for (int row = 0; row < kGlyphH; ++row) {
            for (int col = 0; col < kGlyphW; ++col) {
                if (g.rows[row][col] != '#') continue;
                for (int dy = 0; dy < kFontScale; ++dy) {
                    for (int dx = 0; dx < kFontScale; ++dx) {
                        canvas.set(gx + col * kFontScale + dx, y0 + row * kFontScale + dy, kInk, kInk, kInk);
                    }
                }
            }
        }
    }
}

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* bytes = static_cast<const unsigned char*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

std::vector<unsigned char> samples_png(const std::vector<const unsigned char*>& images,
                                       const std::vector<std::string>& names, int channels, int height, int width) {
    if (images.size() != names.size()) {
        throw std::invalid_argument("samples_png: " + std::to_string(images.size()) + " images but " +
                                    std::to_string(names.size()) + " names");
    }
    for (const unsigned char* image : images) {
        if (image == nullptr) throw std::invalid_argument("samples_png: an image pointer is null");
    }
    const ImageLayout image = image_layout(channels, height, width);
    const int scaled_w = image.width * image.scale, scaled_h = image.height * image.scale;
    const int cell_h = scaled_h + kLabelGap + kLabelH;

    const int n = static_cast<int>(images.size());
    std::vector<std::string> labels;
    labels.reserve(names.size());
    int cell_w = scaled_w;
    for (const std::string& name : names) {
        labels.push_back(fit_label(name));
        cell_w = std::max(cell_w, label_width(labels.back()));
    }
    const int columns = std::min(n, kMaxColumns);
    const int rows = (n + kMaxColumns - 1) / kMaxColumns;
    const int canvas_w = 2 * kMargin + (columns > 0 ? columns * cell_w + (columns - 1) * kGapX : 0);
    const int canvas_h = 2 * kMargin + (rows > 0 ? rows * cell_h + (rows - 1) * kGapY : 0);

    Canvas canvas(canvas_w, canvas_h);
    for (int k = 0; k < n; ++k) {
        const int cx = kMargin + (k % kMaxColumns) * (cell_w + kGapX);
        const int cy = kMargin + (k / kMaxColumns) * (cell_h + kGapY);
        draw_image(canvas, images[static_cast<std::size_t>(k)], image, cx + (cell_w - scaled_w) / 2, cy);
        const std::string& label = labels[static_cast<std::size_t>(k)];
        draw_label(canvas, label, cx + (cell_w - label_width(label)) / 2, cy + scaled_h + kLabelGap);
    }

    std::vector<unsigned char> png;
    if (stbi_write_png_to_func(append_bytes, &png, canvas_w, canvas_h, 3, canvas.rgb.data(), canvas_w * 3) == 0 ||
        png.empty()) {
        throw std::runtime_error("samples_png: the PNG encoder failed");
    }
    return png;
}

}  // namespace statnn::report
