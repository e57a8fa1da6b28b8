// src/progress.cpp — see progress.hpp.
#include "progress.hpp"

#include <cmath>
#include <string>
#include <unistd.h>

namespace statnn {

namespace {

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void format_duration(char* buf, std::size_t n, double s) {
    const long t = s > 0 && s < 1e9 ? long(std::lround(s)) : 0;  // a garbage estimate prints as 0:00
    if (t >= 3600)
        std::snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        std::snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

}  // namespace

Progress::Progress(std::FILE* out, int verbose)
    : out_(out), bar_(verbose == 1 && ::isatty(::fileno(out))), verbose_(verbose) {}

void Progress::epoch_begin(int epoch, int epochs, long steps, long done) {
    epoch_ = epoch;
    epochs_ = epochs;
    steps_ = steps;
    first_done_ = done;
    start_ = last_draw_ = std::chrono::steady_clock::now();
    if (bar_) {
        std::fprintf(out_, "Epoch %d/%d\n", epoch, epochs);
        std::fflush(out_);
    }
}

void Progress::step(long done, double loss, double acc) {
    if (done == first_done_ + 1) first_step_ = std::chrono::steady_clock::now();  // the first step warms up; ETA ignores it
    if (!bar_ || since(last_draw_) < 0.05) return;
    last_draw_ = std::chrono::steady_clock::now();
    draw(done, loss, acc, false);
}

void Progress::draw(long done, double loss, double acc, bool final) {
    constexpr int kWidth = 30;
    char bar[kWidth + 1];
    const int filled = steps_ ? int(double(done) / double(steps_) * kWidth) : kWidth;
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '=' : '.';
    if (!final && filled < kWidth && filled > 0) bar[filled - 1] = '>';
    bar[kWidth] = '\0';
    char when[64] = "";
    if (!final && done > first_done_ + 1) {
        const double per_step = since(first_step_) / double(done - first_done_ - 1);
        char eta[32];
        format_duration(eta, sizeof eta, per_step * double(steps_ - done));
        std::snprintf(when, sizeof when, " - ETA: %s", eta);
    }
    const int digits = std::snprintf(nullptr, 0, "%ld", steps_);
    std::fprintf(out_, "\r%*ld/%ld [%s]%s - loss: %.4f - acc: %.4f", digits, done, steps_, bar, when, loss, acc);
    std::fflush(out_);
}

void Progress::epoch_abandoned() {
    if (!bar_) return;
    std::fputc('\n', out_);
    std::fflush(out_);
}

static std::string allreduce_note(const EpochSummary& s) {
    if (s.allreduce_ms_per_step < 0) return "";
    char note[64];
    std::snprintf(note, sizeof note, " - allreduce: %.1fms/step", s.allreduce_ms_per_step);
    return note;
}

void Progress::epoch_end(const EpochSummary& s) {
    if (verbose_ == 0) return;
    const double ms_per_step = s.steps ? 1000.0 * s.seconds / double(s.steps) : 0.0;
    if (bar_) {
        draw(s.steps, s.loss, s.acc, true);
        std::fprintf(out_, " - val_loss: %.4f - val_acc: %.4f - %.0fs %.0fms/step - %.0f img/s%s\n", s.val_loss, s.val_acc,
                     s.seconds, ms_per_step, s.images_per_s, allreduce_note(s).c_str());
    } else {
        std::fprintf(out_,
                     "Epoch %d/%d - %ld/%ld - %.0fs %.0fms/step - %.0f img/s - loss: %.4f - acc: %.4f - val_loss: %.4f - "
                     "val_acc: %.4f%s\n",
                     epoch_, epochs_, s.steps, s.steps, s.seconds, ms_per_step, s.images_per_s, s.loss, s.acc, s.val_loss,
                     s.val_acc, allreduce_note(s).c_str());
    }
    std::fflush(out_);
}

}  // namespace statnn
