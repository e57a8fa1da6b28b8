// tests/fuzz/make_seeds.cpp — writes a starting corpus for the fuzz targets into
// <dir>/{cifar,checkpoint,image,idx,statnn}/: small valid inputs the fuzzers mutate from.
#include <zlib.h>
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
#include "statnn_records_seed.hpp"

// The idx seeds: each of the four files of the valid set fuzz_idx_reader.cpp writes, plain,
// gzip-compressed, and plain to be compressed by the target, with the last byte choosing
// the file and the form as the target reads it.
void write_idx_seeds(const std::string& dir) {
    const std::vector<std::vector<unsigned char>> files = {
        {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18},
        {0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2},
        {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 255, 254},
        {0, 0, 8, 1, 0, 0, 0, 2, 2, 0},
    };
    for (int which = 0; which < 4; ++which)
        for (int mode = 0; mode < 3; ++mode) {
            std::vector<unsigned char> seed = files[std::size_t(which)];
            if (mode == 1) {
                std::vector<unsigned char> packed(compressBound(uLong(seed.size())) + 32);
                z_stream z{};
                deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
                z.next_in = seed.data();
                z.avail_in = uInt(seed.size());
                z.next_out = packed.data();
                z.avail_out = uInt(packed.size());
                deflate(&z, Z_FINISH);
                packed.resize(z.total_out);
                deflateEnd(&z);
                seed = packed;
            }
            seed.push_back(static_cast<unsigned char>(which * 3 + mode));
            std::FILE* f = std::fopen((dir + "/idx/seed_" + std::to_string(which * 3 + mode)).c_str(), "wb");
            std::fwrite(seed.data(), 1, seed.size(), f);
            std::fclose(f);
        }
}

// The statnn records seeds: the valid file of fuzz_statnn_records.cpp, with the last byte
// choosing it to stand for the training file (0) or the test file (1).
void write_statnn_seeds(const std::string& dir) {
    for (char which : {'\0', '\1'}) {
        const std::string seed = statnn::test::statnn_records_seed() + which;
        std::FILE* f = std::fopen((dir + "/statnn/seed_" + std::to_string(int(which))).c_str(), "wb");
        std::fwrite(seed.data(), 1, seed.size(), f);
        std::fclose(f);
    }
}

using Small = statnn::Sequential<statnn::Input<3, 8, 8>, statnn::Conv2D<4, 3, statnn::Same, statnn::ReLU>,
                                 statnn::MaxPooling2D<2>, statnn::Flatten, statnn::Dense<10>, statnn::Softmax>;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    for (const char* sub : {"", "/cifar", "/checkpoint", "/image", "/idx", "/statnn"}) ::mkdir((dir + sub).c_str(), 0755);
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
    // 32x32 PNGs (RGB and grey), a JPEG and a binary PPM.
    std::vector<unsigned char> rgb(32 * 32 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i) rgb[i] = (i * 5) % 256;
    stbi_write_png((dir + "/image/rgb.png").c_str(), 32, 32, 3, rgb.data(), 32 * 3);
    stbi_write_png((dir + "/image/grey.png").c_str(), 32, 32, 1, rgb.data(), 32);
    stbi_write_jpg((dir + "/image/rgb.jpg").c_str(), 32, 32, 3, rgb.data(), 90);
    f = std::fopen((dir + "/image/rgb.ppm").c_str(), "wb");
    std::fprintf(f, "P6\n32 32\n255\n");
    std::fwrite(rgb.data(), 1, rgb.size(), f);
    std::fclose(f);
    write_idx_seeds(dir);
    write_statnn_seeds(dir);
    return 0;
}
