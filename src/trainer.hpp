// src/trainer.hpp — one epoch of training, one pass of evaluation, and the checks
// between epochs. No output of its own: the command layer (app.hpp) prints and writes.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "progress.hpp"
#include "statnn/data/augment.hpp"
#include "statnn/data/batch_source.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/network.hpp"
#include "statnn/train/train_step.hpp"
#include "statnn/train/history.hpp"
#include "statnn/train/metrics.hpp"
#include "statnn/train/test_time_augmentation.hpp"

namespace statnn {

// Training produced a NaN or infinity: the message names the step.
struct DivergenceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <int Classes>
struct Evaluation {
    double loss = 0, acc = 0;
    long images = 0;
    ConfusionCounts<Classes> confusion;
};

inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

inline const char* tta_description(TestTimeAugmentation tta) {
    switch (tta) {
    case TestTimeAugmentation::Flip: return " and their mirror images (--tta flip: mean softmax of the two)";
    case TestTimeAugmentation::FlipTranslate:
        return " in six views (--tta flip-translate: image and mirror 1/4 each, moved by one pixel either way 1/8 each)";
    default: return "";
    }
}

// Runs every image of `reader` (one epoch of it, in its order) through `net` in
// inference mode; with test-time augmentation, also other views of it, and scores the
// weighted mean of their softmax outputs.
// With several processes (`comm`), each scores its share of every batch of a reader
// sharded like the training one, with the root's layer state (BatchNorm's running
// statistics: each process's follow its own rows), and the counts are summed.
template <class Net, class BatchSource>
Evaluation<Net::kClasses> evaluate(Net& net, BatchSource& reader, TestTimeAugmentation tta = TestTimeAugmentation::None,
                                   Communicator* comm = nullptr) {
    static_assert(data::is_batch_source_v<BatchSource>, "evaluate: reads batches from a batch source (data/batch_source.hpp)");
    using In = typename Net::InShape;
    Evaluation<Net::kClasses> e;
    if (comm && comm->size() > 1 && Net::kStateFloats > 0) comm->broadcast(net.state(), Net::kStateFloats, 0);
    reader.start_epoch(0);
    double loss_sum = 0;
    // On the stack: evaluation allocates nothing (at most Batch x classes floats) — but
    // for the translated views, which need the batch's originals: one buffer per call.
    std::array<float, std::size_t(Net::kBatch) * Net::kClasses> mean_probabilities;
    std::vector<float> originals(tta == TestTimeAugmentation::FlipTranslate ? std::size_t(Net::kBatch) * In::size : 0);
    for (ShardRows rows; reader.next_rows(net.input(), net.labels(), rows);) {
        const int n = rows.rows;
        if (n == 0) continue;
        if (tta == TestTimeAugmentation::None) {
            net.forward(n, false);
            loss_sum += net.loss(n) * n;
            e.confusion.add(net.probabilities(), net.labels(), n);
            e.images += n;
            continue;
        }
        const std::size_t scores_count = std::size_t(n) * Net::kClasses;
        std::fill(mean_probabilities.begin(), mean_probabilities.begin() + std::ptrdiff_t(scores_count), 0.0f);
        // The view in input() and its mirror image, each with weight w.
        auto add_view_and_mirror = [&](float w) {
            for (int pass = 0; pass < 2; ++pass) {
                if (pass == 1)
                    for (int r = 0; r < n; ++r)
                        data::mirror_horizontally(net.input() + std::size_t(r) * In::size, In::H, In::W, In::C);
                net.forward(n, false);
                const float* scores = net.probabilities();
                for (std::size_t i = 0; i < scores_count; ++i) mean_probabilities[i] += w * scores[i];
            }
        };
        if (tta == TestTimeAugmentation::Flip) {
            add_view_and_mirror(0.5f);
        } else {
            std::copy(net.input(), net.input() + std::size_t(n) * In::size, originals.begin());
            add_view_and_mirror(0.25f);
            for (const int shift : {1, -1}) {
                for (int r = 0; r < n; ++r)
                    data::translate_reflect(originals.data() + std::size_t(r) * In::size, net.input() + std::size_t(r) * In::size,
                                            In::H, In::W, In::C, shift, shift);
                add_view_and_mirror(0.125f);
            }
        }
        loss_sum += kernels::softmax_xent_loss<Net::kClasses>(mean_probabilities.data(), net.labels(), n) * n;
        e.confusion.add(mean_probabilities.data(), net.labels(), n);
        e.images += n;
    }
    if (comm && comm->size() > 1) {
        constexpr int C = Net::kClasses;
        std::array<double, C * C + 2> sums{};
        for (int i = 0; i < C; ++i)
            for (int j = 0; j < C; ++j) sums[std::size_t(i * C + j)] = double(e.confusion.counts[i][j]);
        sums[C * C] = loss_sum;
        sums[C * C + 1] = double(e.images);
        comm->sum(sums.data(), sums.size());
        for (int i = 0; i < C; ++i)
            for (int j = 0; j < C; ++j) e.confusion.counts[i][j] = std::int64_t(sums[std::size_t(i * C + j)]);
        loss_sum = sums[C * C];
        e.images = long(sums[C * C + 1]);
    }
    e.loss = e.images ? loss_sum / double(e.images) : 0.0;
    e.acc = e.confusion.accuracy();
    return e;
}

struct TrainEpochResult {
    double loss = 0, acc = 0, seconds = 0;  // over the whole epoch, resumed part included
    long steps = 0, images = 0;
    bool complete = false;     // false: stopped on request before the epoch's last step
    io::EpochProgress totals;  // what a checkpoint keeps to continue the epoch exactly
};

// One epoch of the recipe's training steps on `reader`'s batches, in the order of epoch
// `epoch` (1-based),
// continuing from `start` (an epoch interrupted after start.steps steps; zero: from the
// beginning). Loss and accuracy are running means over the epoch, with dropout active,
// as Keras reports them. When *stop becomes non-zero (a signal, see stop_signals.hpp)
// the epoch ends after the current step, incomplete; the check is one atomic load.
// `steps_done` counts the optimizer steps applied before and is advanced by each step.
// Throws DivergenceError on a non-finite loss.
//
// With several processes (`comm`, distributed.hpp) the reader hands each its share of every
// global batch; the totals are the global batch's, the same on every process, and the
// processes stop together at the step where any of them was asked to.
template <class Net, class R, class BatchSource>
TrainEpochResult train_epoch(Net& net, const R& recipe, std::int64_t& steps_done, BatchSource& reader, int epoch,
                             Progress& progress, const io::EpochProgress& start = {},
                             const std::atomic<int>* stop = nullptr, Communicator* comm = nullptr) {
    static_assert(data::is_batch_source_v<BatchSource>, "train_epoch: reads batches from a batch source (data/batch_source.hpp)");
    SingleProcess one;
    Communicator& processes = comm ? *comm : one;
    TrainEpochResult r;
    io::EpochProgress& t = r.totals;
    t = start;
    const auto t0 = std::chrono::steady_clock::now();
    const long steps = reader.batches_per_epoch();
    reader.start_epoch(epoch - 1, long(start.steps));
    r.complete = true;
    for (ShardRows rows; reader.next_rows(net.input(), net.labels(), rows);) {
        const bool stop_requested = stop && stop->load(std::memory_order_relaxed) != 0;
        const ShardStepResult step = train_step(net, recipe, rows, steps_done, processes, stop_requested);
        const double loss = step.loss;
        if (!step.finite)
            throw DivergenceError("epoch " + std::to_string(epoch) + ", step " + std::to_string(t.steps + 1) + " (update " +
                                  std::to_string(steps_done + 1) + "): the loss is " + std::to_string(loss));
        ++steps_done;
        t.correct += step.correct;
        t.loss_sum += loss * rows.total;
        t.images += rows.total;
        ++t.steps;
        progress.step(long(t.steps), t.loss_sum / double(t.images), double(t.correct) / double(t.images));
        // One process: the signal is read after the step, as before. Several: the request
        // travelled with the step's sums, so every process stops after the same step.
        const bool stop_now = processes.size() > 1 ? step.stop : stop && stop->load(std::memory_order_relaxed) != 0;
        if (stop_now && t.steps < steps) {
            r.complete = false;
            break;
        }
    }
    t.seconds = start.seconds + seconds_since(t0);
    r.seconds = t.seconds;
    r.steps = long(t.steps);
    r.images = long(t.images);
    r.loss = t.images ? t.loss_sum / double(t.images) : 0.0;
    r.acc = t.images ? double(t.correct) / double(t.images) : 0.0;
    return r;
}

// Index of the first parameter that is NaN or infinite, or -1.
template <class Net>
long first_non_finite_parameter(Net& net) {
    const float* p = net.params();
    for (std::size_t i = 0; i < Net::kParamFloats; ++i)
        if (!std::isfinite(p[i])) return long(i);
    return -1;
}

// Every ReLU layer's share of non-zero outputs over (up to) `max_images` images of
// `reader`. A layer at 0 passes no gradient back.
struct ReluActivity {
    std::string layer;  // a stand-alone ReLU is named after the layer it follows: "dense1 (relu5)"
    std::size_t active = 0, total = 0;
    double fraction() const { return total ? double(active) / double(total) : 0.0; }
};

template <class Net, class BatchSource>
std::vector<ReluActivity> relu_activity(Net& net, BatchSource& reader, long max_images) {
    std::vector<ReluActivity> result;
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        // Below the first trained layer outputs share buffers (network.hpp), and nothing trains to die.
        if (std::strcmp(L::activation, "relu") != 0 || int(k) < Net::kFirstTrainedLayer) return;
        std::string name = net.layer_name(int(k));
        if (L::kOperation == Operation::Activation && k > 0) name = std::string(net.layer_name(int(k) - 1)) + " (" + name + ")";
        result.push_back({name, 0, 0});
    });
    reader.start_epoch(0);
    long seen = 0;
    for (int n; seen < max_images && (n = reader.next(net.input(), net.labels())) > 0; seen += n) {
        net.forward(n, false);
        std::size_t i = 0;
        net.visit([&](auto k, auto& layer) {
            using L = std::decay_t<decltype(layer)>;
            if (std::strcmp(L::activation, "relu") != 0 || int(k) < Net::kFirstTrainedLayer) return;
            const float* a = net.activation(int(k));
            const std::size_t count = std::size_t(n) * L::Out::size;
            for (std::size_t e = 0; e < count; ++e) result[i].active += a[e] > 0.0f;
            result[i++].total += count;
        });
    }
    return result;
}

}  // namespace statnn
