// statnn/kernels/softmax_xent.hpp — softmax and cross-entropy kernels (see conv2d.hpp).
#pragma once

#include "statnn/kernels/ref/softmax_xent.hpp"

namespace statnn::kernels {

using ref::softmax_forward;
using ref::softmax_xent_backward;
using ref::softmax_xent_loss;

}  // namespace statnn::kernels
