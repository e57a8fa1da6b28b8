// statnn/kernels/softmax_xent.hpp — softmax and cross-entropy kernels (see dispatch.hpp):
// the reference ones (batch × classes values per step, too few for SIMD to matter).
#pragma once

#include "statnn/kernels/ref/softmax_xent.hpp"

namespace statnn::kernels {

using ref::softmax_forward;
using ref::softmax_xent_backward;
using ref::softmax_xent_loss;
using ref::softmax_xent_smoothed_backward;
using ref::softmax_xent_smoothed_loss;

}  // namespace statnn::kernels
