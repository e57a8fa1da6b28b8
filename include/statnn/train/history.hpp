// statnn/train/history.hpp — what one epoch of training measured.
#pragma once

namespace statnn {

struct EpochRecord {
    int epoch = 0;                                         // 1-based
    double loss = 0, acc = 0, val_loss = 0, val_acc = 0;  // acc in [0, 1]
    double lr = 0;       // learning rate the next step would use
    double seconds = 0;  // wall time of the epoch (training + validation)
};

}  // namespace statnn
