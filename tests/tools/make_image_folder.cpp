// make_image_folder: writes a folder of images for `import`, as a user's would be:
// DIR/train/{blue,green,red}/NNN.png, 32x32 colour PNGs, 40 a class, each mostly its
// class's colour with a pattern that differs from image to image.
//
//   make_image_folder DIR
#include <cstdio>
#include <string>
#include <sys/stat.h>

#include "support/image_files.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_image_folder DIR\n");
        return 2;
    }
    const std::string dir = argv[1];
    const char* const classes[3] = {"blue", "green", "red"};
    const int channel_of[3] = {2, 1, 0};
    for (const std::string sub : {"", "/train"}) ::mkdir((dir + sub).c_str(), 0755);
    for (int c = 0; c < 3; ++c) {
        const std::string folder = dir + "/train/" + classes[c];
        ::mkdir(folder.c_str(), 0755);
        for (int i = 0; i < 40; ++i) {
            statnn::test::TestImage image = statnn::test::pattern_image(32, 32, 3, c * 40 + i);
            for (unsigned char& s : image.samples) s = static_cast<unsigned char>(s / 4);
            for (int y = 0; y < 32; ++y)
                for (int x = 0; x < 32; ++x) image.at(x, y, channel_of[c]) = static_cast<unsigned char>(160 + (x + y + i) % 96);
            char name[16];
            std::snprintf(name, sizeof name, "/%03d.png", i);
            statnn::test::write_png(folder + name, image);
        }
    }
    std::printf("make_image_folder: 3 classes of 40 32x32 PNG images in %s/train\n", dir.c_str());
    return 0;
}
