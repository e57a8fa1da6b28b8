// make_shapes.cpp — writes the shapes dataset: 16x16 grey images of a horizontal bar, a
// vertical bar, a diagonal or a square outline, at random places, on a noisy background,
// as the four idx files statnn reads (plus class_names.txt).
//   make_shapes <folder> [training images] [test images]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int kSide = 16;
const char* const kClasses[] = {"horizontal", "vertical", "diagonal", "square"};

struct Random {
    std::uint64_t state;
    int below(int n) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return int((state >> 33) % std::uint64_t(n));
    }
};

std::vector<std::uint8_t> draw(int shape, Random& random) {
    std::vector<std::uint8_t> image(kSide * kSide);
    for (auto& pixel : image) pixel = std::uint8_t(random.below(60));
    const int length = 6 + random.below(7), x = random.below(kSide - length + 1), y = random.below(kSide - length + 1);
    auto ink = [&](int px, int py) { image[py * kSide + px] = std::uint8_t(200 + random.below(56)); };
    for (int i = 0; i < length; ++i) {
        if (shape == 0) ink(x + i, y);
        if (shape == 1) ink(x, y + i);
        if (shape == 2) ink(x + i, y + i);
        if (shape == 3) ink(x + i, y), ink(x + i, y + length - 1), ink(x, y + i), ink(x + length - 1, y + i);
    }
    return image;
}

void put_u32(std::FILE* f, std::uint32_t v) {
    const unsigned char b[4] = {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
    std::fwrite(b, 1, 4, f);
}

bool write_split(const std::string& dir, const char* prefix, int count, Random& random) {
    std::FILE* images = std::fopen((dir + "/" + prefix + "-images-idx3-ubyte").c_str(), "wb");
    std::FILE* labels = std::fopen((dir + "/" + prefix + "-labels-idx1-ubyte").c_str(), "wb");
    if (!images || !labels) return false;
    put_u32(images, 0x803), put_u32(images, count), put_u32(images, kSide), put_u32(images, kSide);
    put_u32(labels, 0x801), put_u32(labels, count);
    for (int i = 0; i < count; ++i) {
        const int shape = random.below(4);
        std::fwrite(draw(shape, random).data(), 1, kSide * kSide, images);
        std::fputc(shape, labels);
    }
    return std::fclose(images) == 0 && std::fclose(labels) == 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: make_shapes <folder> [training images] [test images]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int train = argc > 2 ? std::atoi(argv[2]) : 4096, test = argc > 3 ? std::atoi(argv[3]) : 1024;
    if (train <= 0 || test <= 0) {
        std::fprintf(stderr, "make_shapes: the image counts must be positive\n");
        return 2;
    }
    Random random{1};
    std::FILE* names = std::fopen((dir + "/class_names.txt").c_str(), "w");
    if (!names || !write_split(dir, "train", train, random) || !write_split(dir, "t10k", test, random)) {
        std::fprintf(stderr, "make_shapes: cannot write into %s (does the folder exist?)\n", dir.c_str());
        return 1;
    }
    for (const char* name : kClasses) std::fprintf(names, "%s\n", name);
    return std::fclose(names) == 0 ? 0 : 1;
}
