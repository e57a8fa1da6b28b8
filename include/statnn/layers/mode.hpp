// statnn/layers/mode.hpp — whether a step trains or evaluates.
//
// Every layer sees it in its StepContext: BatchNorm normalises with the batch's
// statistics and updates its running ones in Train, uses the running ones in Eval;
// dropout is active in Train only (and not at all when a reference run switches it
// off, which leaves the mode alone: golden and gradient tests train BatchNorm on batch
// statistics with dropout off).
#pragma once

namespace statnn {

enum class Mode { Train, Eval };

}  // namespace statnn
