// targets/cnn4.hpp — the tutorial's 4-convolution network and its training recipe.
#pragma once

#include "statnn/statnn.hpp"

namespace statnn::models {

// Keras: Conv(32,same) relu Conv(32,valid) relu Pool2 Drop(.25) Conv(64,same) relu
// Conv(64,valid) relu Pool2 Drop(.25) Flatten Dense(512) relu Drop(.5) Dense(10) softmax.
// 1,250,858 parameters.
using Cnn4 = Sequential<Input<3, 32, 32>,
                        Conv2D<32, 3, Same>, ReLU,
                        Conv2D<32, 3, Valid>, ReLU, MaxPooling2D<2>, Dropout<25>,
                        Conv2D<64, 3, Same>, ReLU,
                        Conv2D<64, 3, Valid>, ReLU, MaxPooling2D<2>, Dropout<25>,
                        Flatten,
                        Dense<512>, ReLU, Dropout<50>,
                        Dense<10>, Softmax>;

// SGD lr 0.1, decay 1e-6, nesterov, no momentum; batch 32; 10 epochs.
inline constexpr SgdConfig kCnn4Sgd{0.1, 0.0, 1e-6, true};
inline constexpr int kCnn4Epochs = 10;
inline constexpr KerasRecipe kCnn4Recipe = keras_recipe(
    "cnn4", "4 conv + 2 dense layers, CIFAR-10 (Keras tutorial); batch 32, SGD lr 0.1 decay 1e-6 nesterov", kCnn4Sgd, kCnn4Epochs);

}  // namespace statnn::models
