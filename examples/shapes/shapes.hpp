// shapes.hpp — a small residual network for 16x16 grey images of four shapes (the data
// make_shapes writes), and how it trains.
#pragma once

#include <statnn/statnn.hpp>

namespace shapes {

using namespace statnn;

// conv -> BatchNorm -> ReLU -> conv -> BatchNorm, added back to its input.
using Block = Residual<Conv2DStrided<16, 3, 1, 1, Linear, NoBias>, BatchNorm<>, ReLU,
                       Conv2DStrided<16, 3, 1, 1, Linear, NoBias>, BatchNorm<>>;

using Net = Sequential<Input<1, 16, 16>,
                       Conv2D<16, 3, Same>, BatchNorm<>, ReLU,
                       Block, ReLU, MaxPooling2D<2>,
                       Conv2D<32, 3, Same, ReLU>, MaxPooling2D<2>,
                       Flatten, Dense<4>, Softmax>;

inline constexpr int kBatch = 32;

// SGD with Nesterov momentum, lr 0.02, three epochs.
inline constexpr SgdConfig kSgd{0.02, 0.9, 0.0, true};
inline constexpr KerasRecipe kRecipe =
    keras_recipe("shapes", "residual net for 16x16 grey shapes; batch 32, SGD lr 0.02 momentum 0.9 nesterov", kSgd, 3);

}  // namespace shapes
