// statnn/statnn.hpp — everything needed to define, train and run a network.
#pragma once

#include "statnn/config.hpp"
#include "statnn/memory_budget.hpp"
#include "statnn/network.hpp"
#include "statnn/summary.hpp"
#include "statnn/train/recipe.hpp"
#include "statnn/train/train_step.hpp"

// Optimizers beyond Keras SGD (train/recipe.hpp brings KerasSgd and the schedules).
#include "statnn/optim/adam.hpp"
#include "statnn/optim/lookahead.hpp"
#include "statnn/optim/momentum_sgd.hpp"

// Layers beyond the seed models' (network.hpp includes those): GELU, average pooling,
// strided convolution, and BatchNorm's kernels and standalone layer struct.
#include "statnn/layers/avgpool2d.hpp"
#include "statnn/layers/batchnorm.hpp"
#include "statnn/layers/conv2d_strided.hpp"
#include "statnn/layers/gelu.hpp"
#include "statnn/layers/patch_whitening.hpp"
#include "statnn/layers/global_avgpool2d.hpp"
#include "statnn/layers/scale.hpp"
