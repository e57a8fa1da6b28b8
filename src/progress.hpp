// src/progress.hpp — Keras-style progress lines.
//
// On a terminal: "Epoch 3/10", then one line rewritten in place (at most every 50 ms):
//   " 312/1563 [=====>........................] - ETA: 1:02 - loss: 1.8012 - acc: 0.3301"
// and at the end of the epoch the same line completed with the validation metrics,
// seconds and images/s. Not on a terminal (a log, CI): one line per epoch.
#pragma once

#include <chrono>
#include <cstdio>

namespace statnn {

struct EpochSummary {
    long steps = 0;
    double seconds = 0, images_per_s = 0;
    double loss = 0, acc = 0, val_loss = 0, val_acc = 0;
    double allreduce_ms_per_step = -1;  // training on several processes: the gradient sum's share of a step
};

class Progress {
public:
    // verbose: 0 = quiet, 1 = progress bar (on a terminal), 2 = one line per epoch.
    Progress(std::FILE* out, int verbose);
    // `done`: steps of the epoch already taken (an epoch resumed mid-way).
    void epoch_begin(int epoch, int epochs, long steps, long done = 0);
    void step(long done, double loss, double acc);
    void epoch_end(const EpochSummary& s);
    // Ends a progress bar left mid-line (training stopped inside an epoch).
    void epoch_abandoned();

private:
    void draw(long done, double loss, double acc, bool final);
    std::FILE* out_;
    bool bar_;
    int verbose_;
    int epoch_ = 0, epochs_ = 0;
    long steps_ = 0, first_done_ = 0;
    std::chrono::steady_clock::time_point start_, first_step_, last_draw_;
};

}  // namespace statnn
