// statnn/layers/mode.hpp — whether a step trains or evaluates.
//
// Layers whose computation differs between the two (BatchNorm: batch statistics and
// running-statistics updates in training, running statistics in evaluation) take it
// explicitly; today's StepContext::training only says whether dropout is active, and
// golden and gradient tests switch dropout off while training.
#pragma once

namespace statnn {

enum class Mode { Train, Eval };

}  // namespace statnn
