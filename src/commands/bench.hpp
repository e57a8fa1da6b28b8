// src/commands/bench.hpp — `bench train|infer`: full training steps (or inference passes)
// of one batch, after a warm-up, for --seconds; prints one JSON line ending with
// "images_per_s": X}. The batch is synthetic (uniform pixels, labels cycling through the
// classes), or with --data the first images of the training set.
//
// --profile: the same steps again with a clock read before and after every layer's
// forward and backward pass; per layer, milliseconds per step, share of the step and,
// for convolution and dense layers, GFLOP/s (what is not in any layer — the optimizer
// step, constraints, the clock itself — is the last row).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "statnn/flops.hpp"
#include "trainer.hpp"

namespace statnn::app {

struct LayerClock {
    std::vector<double> forward, backward;
    std::chrono::steady_clock::time_point begin;
    static void on_layer(void* user, int k, ProbePhase phase) {
        auto& c = *static_cast<LayerClock*>(user);
        const auto now = std::chrono::steady_clock::now();
        if (phase == ProbePhase::ForwardBegin || phase == ProbePhase::BackwardBegin) {
            c.begin = now;
            return;
        }
        (phase == ProbePhase::ForwardEnd ? c.forward : c.backward)[std::size_t(k)] +=
            std::chrono::duration<double>(now - c.begin).count();
    }
};

// One row of the profile per layer, and the rest of the step.
template <class Net>
void print_profile_rows(Net& net, const LayerClock& clock, long steps, bool train, double total) {
    std::printf("\n%-10s %-20s %11s %11s %7s %9s\n", "layer", "kind", "forward ms", "backward ms", "share", "GFLOP/s");
    double in_layers = 0;
    bool first_weighted = true;
    net.visit([&](auto k, auto& layer) {
        using L = std::decay_t<decltype(layer)>;
        const double f = clock.forward[std::size_t(k)] / double(steps), b = clock.backward[std::size_t(k)] / double(steps);
        in_layers += f + b;
        const double macs = double(detail::layer_macs<L>()) * Net::kBatch;
        // Forward, and in training the kernel gradient and (past the first weighted layer) the input gradient.
        const double work = macs == 0 ? 0 : 2 * macs * (train ? (first_weighted ? 2 : 3) : 1);
        if (macs > 0) first_weighted = false;
        char gflops[32] = "";
        if (work > 0) std::snprintf(gflops, sizeof gflops, "%9.1f", work / (f + b) / 1e9);
        std::printf("%-10s %-20s %11.3f %11.3f %6.1f%% %9s\n", net.layer_name(int(k)), L::kind, 1e3 * f, 1e3 * b,
                    100.0 * (f + b) / total, gflops);
    });
    std::printf("%-31s %11.3f %11s %6.1f%%\n", train ? "optimizer, constraints, rest" : "rest", 1e3 * (total - in_layers), "",
                100.0 * (total - in_layers) / total);
    std::printf("%-31s %11.3f ms per step of %d images (%ld steps)\n", "step", 1e3 * total, Net::kBatch, steps);
}

template <class Net, class Step>
void print_profile(Net& net, Step& one, bool train, double seconds) {
    LayerClock clock;
    clock.forward.assign(Net::kLayers, 0.0);
    clock.backward.assign(Net::kLayers, 0.0);
    net.set_probe({&LayerClock::on_layer, &clock});
    long steps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (steps < 3 || seconds_since(t0) < seconds) {
        one();
        ++steps;
    }
    const double total = seconds_since(t0) / double(steps);
    net.set_probe({});
    print_profile_rows(net, clock, steps, train, total);
}

// One batch in the network: the first training images of --data, or synthetic ones.
template <class Net, class R>
void fill_bench_batch(Net& net, const R& recipe, const cli::Args& args) {
    if (args.has("data")) {
        const auto train_set = open_network_split<Net>(args, data::Split::Train);
        // A normalisation to measure on the training data is measured on this batch: the
        // speed does not depend on its values.
        const data::Normalization normalization = recipe.normalization.awaits_statistics()
                                                      ? data::normalization_from(data::channel_statistics(*train_set, Net::kBatch))
                                                      : recipe.normalization;
        NetworkReader<Net> reader(*train_set, Net::kBatch, Net::kBatch, false, 0, data::Augmentation{}, normalization);
        reader.start_epoch(0);
        if (reader.next(net.input(), net.labels()) != Net::kBatch) throw data::DataError("bench: fewer images than one batch");
        return;
    }
    Rng rng(1);
    for (std::size_t e = 0; e < std::size_t(Net::kBatch) * Net::InShape::size; ++e) net.input()[e] = rng.uniform01();
    for (int r = 0; r < Net::kBatch; ++r) net.labels()[r] = r % Net::kClasses;
}

template <class Arch, int Batch, class R>
int bench_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const auto& pos = args.positional();
    const std::string mode = pos.empty() ? "train" : pos[0];
    if (pos.size() > 1 || (mode != "train" && mode != "infer")) throw cli::UsageError("bench takes one mode: train or infer");
    const double seconds = args.real("seconds", 5.0);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    fill_bench_batch(*net, recipe, args);
    const bool train = mode == "train";
    std::int64_t step = 0;
    auto one = [&] {
        if (train) {
            train_step(*net, recipe, Batch, step);
        } else {
            net->forward(Batch, false);
        }
        ++step;
    };
    const auto w0 = std::chrono::steady_clock::now();
    while (step < 3 || seconds_since(w0) < std::min(1.0, seconds / 5)) one();  // warm-up
    step = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (seconds_since(t0) < seconds) one();
    const double elapsed = seconds_since(t0);
    const double images = double(step) * Batch;
    const double flops = double(train ? training_flops_per_image<Net>() : forward_flops_per_image<Net>());
    std::printf("{\"model\": \"%s\", \"mode\": \"%s\", \"batch\": %d, \"threads\": %d, \"simd\": \"%s\", "
                "\"data\": \"%s\", \"steps\": %llu, \"seconds\": %.3f, \"gflops_per_s\": %.1f, \"images_per_s\": %.1f}\n",
                recipe.name, mode.c_str(), Batch, net->threads(), simd_arch_name(), args.has("data") ? "cifar10" : "synthetic",
                (unsigned long long)step, elapsed, images * flops / elapsed / 1e9, images / elapsed);
    if (args.has("profile")) print_profile(*net, one, train, seconds);
    return 0;
}

}  // namespace statnn::app
