// targets/fastcifar.hpp — a fast CIFAR-10 network and recipe of the airbench94 family
// (Jordan, "94% on CIFAR-10 in 3.29 seconds on a single GPU", 2024), in statnn's layers.
//
// A frozen 2x2 patch-whitening stem (3 -> 24, GELU; its filters from the first 5,000
// training images), then three blocks of widths 64, 256 and 256, each conv3x3 -> max-pool
// 2 -> BatchNorm -> GELU -> conv3x3 -> BatchNorm -> GELU (convolutions without bias,
// PyTorch's initialisation with the first filters an identity; BatchNorm with its scale
// frozen at 1), max-pool 3 down to one pixel, a linear layer to the 10 classes scaled by
// 1/9. 31x31 after the stem, then 15, 7 and 3 pixels. About 118 M multiply-adds per image
// forward. Nothing below the first block trains, so its first convolution computes no
// input gradient (and the stem's 24 channels need no SIMD-wide count).
//
// Recipe: batch 1024, SGD with Nesterov momentum 0.85 and L2 weight decay, BatchNorm
// shifts at 64x the learning rate and 1/64 the decay, a linear warm-up over the first 23%
// of the steps from 0.2 x to the peak learning rate, then a linear decay to 0.07 x; label
// smoothing 0.2; random shifts of up to 2 pixels (reflected border) and horizontal flips;
// inputs normalised per channel. airbench's numbers, rewritten for a loss that is the batch's mean
// (statnn's) instead of its sum: peak lr 11.5 / (1 + 1 / (1 - 0.85)) = 1.5, L2 decay
// 0.0153 / 7850.67 = 1.949e-6.
//
// Lookahead (optim/lookahead.hpp): every 5 steps the weights are pulled to their running
// average, whose weight grows as (step / steps)^3 up to 0.95^5; the run ends on the average.
// Test-time augmentation: evaluate --tta flip-translate (airbench's six views).
//
// What airbench does that statnn does not: the whitening bias trained for 3 epochs,
// alternating instead of random flips, the BatchNorm statistics in the Lookahead average.
#pragma once

#include "statnn/statnn.hpp"

namespace statnn::models {

// airbench's BatchNorm: PyTorch momentum 0.4 (its "0.6" is 1 - momentum), eps 1e-12,
// scale frozen at 1, shift trained.
struct FastCifarBatchNorm {
    static constexpr float momentum = 0.4f;
    static constexpr float eps = 1e-12f;
    static constexpr BatchNormAffine affine = BatchNormAffine::FrozenScale;
};

template <int Width>  // 3x3, stride 1, padding 1
using FastConv = Conv2DStrided<Width, 3, 1, 1, Linear, NoBias, PartialIdentityInit>;

using FastCifar = Sequential<Input<3, 32, 32>,
                             PatchWhitening<>, GELU,
                             FastConv<64>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                             FastConv<64>, BatchNorm<FastCifarBatchNorm>, GELU,
                             FastConv<256>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                             FastConv<256>, BatchNorm<FastCifarBatchNorm>, GELU,
                             FastConv<256>, MaxPooling2D<2>, BatchNorm<FastCifarBatchNorm>, GELU,
                             FastConv<256>, BatchNorm<FastCifarBatchNorm>, GELU,
                             MaxPooling2D<3>, Flatten,
                             Dense<10>, Scale<1, 9>, Softmax>;

inline constexpr int kFastCifarBatch = 1024;
inline constexpr int kFastCifarEpochs = 10;
// 49 steps per epoch of 50,000 images (the last one partial); schedules stretch to the run.
inline constexpr std::int64_t kFastCifarSteps = kFastCifarEpochs * ((50000 + kFastCifarBatch - 1) / kFastCifarBatch);

// Per-channel mean and standard deviation of CIFAR-10's training images (byte / 255).
inline constexpr data::Normalization kCifar10Normalization{true, {0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};

using FastCifarRecipe = Recipe<optim::Lookahead<optim::MomentumSgd<optim::WeightDecay::L2>>, optim::WarmupLinearDecay>;
inline constexpr FastCifarRecipe kFastCifarRecipe{
    "fastcifar",
    "airbench-style net (whitening stem, widths 64/256/256, BatchNorm, GELU), CIFAR-10; batch 1024, "
    "Nesterov SGD 0.85 with Lookahead, warm-up + linear decay, label smoothing 0.2",
    {{0.85, 1.949e-6, true}, 5, 0.77378094, 3.0, double(kFastCifarSteps)},
    {1.5, std::int64_t(kFastCifarSteps * 23 / 100), kFastCifarSteps, 0.2, 0.07},
    {0.2},
    kFastCifarEpochs,
    data::Augmentation{2, true, true},
    kCifar10Normalization,
    true,
    {64.0, 1.0 / 64.0}};

}  // namespace statnn::models
