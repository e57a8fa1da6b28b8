// targets/cnn6.hpp — the tutorial's 6-convolution network and its training recipe.
#pragma once

#include "statnn/statnn.hpp"

namespace statnn::models {

// Keras: Conv(32,same,relu) Drop(.2) Conv(32,same,relu) Pool2 Conv(64,same,relu) Drop(.2)
// Conv(64,same,relu) Pool2 Conv(128,same,relu) Drop(.2) Conv(128,same,relu) Pool2 Flatten
// Drop(.2) Dense(1024,relu,maxnorm(3)) Drop(.2) Dense(10,softmax). 2,395,434 parameters.
using Cnn6 = Sequential<Input<3, 32, 32>,
                        Conv2D<32, 3, Same, ReLU>, Dropout<20>,
                        Conv2D<32, 3, Same, ReLU>, MaxPooling2D<2>,
                        Conv2D<64, 3, Same, ReLU>, Dropout<20>,
                        Conv2D<64, 3, Same, ReLU>, MaxPooling2D<2>,
                        Conv2D<128, 3, Same, ReLU>, Dropout<20>,
                        Conv2D<128, 3, Same, ReLU>, MaxPooling2D<2>,
                        Flatten, Dropout<20>,
                        Dense<1024, ReLU, MaxNorm<3>>, Dropout<20>,
                        Dense<10>, Softmax>;

// SGD lr 0.01, momentum 0.9, decay 1e-6; batch 32; 10 epochs.
inline constexpr SgdConfig kCnn6Sgd{0.01, 0.9, 1e-6, false};
inline constexpr int kCnn6Epochs = 10;
inline constexpr KerasRecipe kCnn6Recipe = keras_recipe(
    "cnn6", "6 conv + 2 dense layers, CIFAR-10 (Keras tutorial); batch 32, SGD lr 0.01 momentum 0.9 decay 1e-6", kCnn6Sgd, kCnn6Epochs);

}  // namespace statnn::models
