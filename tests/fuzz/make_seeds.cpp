// tests/fuzz/make_seeds.cpp — writes a starting corpus for the fuzz targets into
// <dir>/{cifar,checkpoint,image}/: small valid inputs the fuzzers mutate from.
#include <cstdio>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

#include "statnn/io/checkpoint.hpp"
#include "statnn/network.hpp"

using Small = statnn::Sequential<statnn::Input<3, 8, 8>, statnn::Conv2D<4, 3, statnn::Same, statnn::ReLU>,
                                 statnn::MaxPooling2D<2>, statnn::Flatten, statnn::Dense<10>, statnn::Softmax>;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    for (const char* sub : {"", "/cifar", "/checkpoint", "/image"}) ::mkdir((dir + sub).c_str(), 0755);
    // Three CIFAR records.
    std::vector<unsigned char> records(3 * 3073);
    for (std::size_t i = 0; i < records.size(); ++i) records[i] = (i % 3073 == 0) ? (i / 3073) * 4 : (i * 7) % 256;
    std::FILE* f = std::fopen((dir + "/cifar/three_records").c_str(), "wb");
    std::fwrite(records.data(), 1, records.size(), f);
    std::fclose(f);
    // A training checkpoint and a weights file.
    auto net = std::make_unique<statnn::Network<Small, 2>>(1, 1);
    statnn::io::TrainingState state;
    state.history.resize(2);
    statnn::io::save_checkpoint(dir + "/checkpoint/training", *net, "small", statnn::io::CheckpointContents::Training, state);
    statnn::io::save_checkpoint(dir + "/checkpoint/weights", *net, "small", statnn::io::CheckpointContents::Weights, state);
    // 32x32 PNGs (RGB and grey) and a binary PPM.
    std::vector<unsigned char> rgb(32 * 32 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = (i * 5) % 256;
    stbi_write_png((dir + "/image/rgb.png").c_str(), 32, 32, 3, rgb.data(), 32 * 3);
    stbi_write_png((dir + "/image/grey.png").c_str(), 32, 32, 1, rgb.data(), 32);
    f = std::fopen((dir + "/image/rgb.ppm").c_str(), "wb");
    std::fprintf(f, "P6\n32 32\n255\n");
    std::fwrite(rgb.data(), 1, rgb.size(), f);
    std::fclose(f);
    return 0;
}
