// src/image_resize.hpp — images scaled to the network's input size (`import --resize`).
#pragma once

#include "image_file.hpp"

namespace statnn {

// `image` scaled to width x height by area average: each output pixel is the mean of the
// input area it covers, an input pixel cut by its edges weighted by the part inside, so
// halving averages 2x2 blocks and enlarging repeats pixels. The aspect ratio is not kept:
// the image is stretched to the new size. Integer arithmetic rounded to nearest: the
// same bytes on every machine, and an image of that size already comes back unchanged.
// width and height are 1 to kMaxImageSide (else std::invalid_argument).
RgbImage resize_area(const RgbImage& image, int width, int height);

}  // namespace statnn
