// targets/fashion.hpp — a fast Fashion-MNIST network and recipe (28x28 grey images, 10
// classes), fastcifar's design (targets/fastcifar.hpp) fitted to one channel.
//
// A stem convolution (1 -> 16, BatchNorm, GELU) at 28x28: a 3x3 grey patch has 9 values,
// so 16 filters lose little, and the next layer's work is half of 32's. Then three blocks
// of widths 64, 128 and 256, each conv3x3 -> max-pool 2 -> BatchNorm -> GELU -> conv3x3 -> BatchNorm ->
// GELU: 28 -> 14 -> 7 -> 3 pixels, max-pool 3 down to one pixel, a linear layer to the 10
// classes scaled by 1/9.
//
// Recipe: fastcifar's (batch 1024, Nesterov SGD 0.85 with Lookahead, warm-up and linear
// decay, label smoothing 0.2, random shifts of up to 2 pixels and horizontal flips),
// over 60,000 training images. The final evaluation scores each test image and its mirror
// image (--tta flip, some 10 s); every epoch's validation the image alone.
#pragma once

#include "fastcifar.hpp"

namespace statnn::models {

template <int Stem, int W1, int W2, int W3>
using FashionNetOf = Sequential<Input<1, 28, 28>,
                                FastConv<Stem>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W1>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W1>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W2>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W2>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W3>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                                FastConv<W3>, BatchNorm<FastCifarBatchNorm>, GELU,
                                MaxPooling2D<3>, Flatten,
                                Dense<10>, Scale<1, 9>, Softmax>;

using FashionNet = FashionNetOf<16, 64, 128, 256>;

inline constexpr int kFashionBatch = 1024;
// Ten epochs of about 87 s each (validation included) on two Zen 4 cores.
inline constexpr int kFashionEpochs = 10;
inline constexpr std::int64_t kFashionSteps = kFashionEpochs * ((60000 + kFashionBatch - 1) / kFashionBatch);

inline constexpr FastCifarRecipe kFashionRecipe{
    "fashion",
    "fastcifar-style net (widths 64/128/256, BatchNorm, GELU), Fashion-MNIST; batch 1024, "
    "Nesterov SGD 0.85 with Lookahead, warm-up + linear decay, label smoothing 0.2",
    {{0.85, 1.949e-6, true}, 5, 0.77378094, 3.0, double(kFashionSteps)},
    {1.5, std::int64_t(kFashionSteps * 23 / 100), kFashionSteps, 0.2, 0.07},
    {0.2},
    kFashionEpochs,
    data::Augmentation{2, true, true},
    {},
    true,
    {64.0, 1.0 / 64.0},
    TestTimeAugmentation::Flip};

}  // namespace statnn::models
