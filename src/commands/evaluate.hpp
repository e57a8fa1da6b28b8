// src/commands/evaluate.hpp — `evaluate --weights FILE`: accuracy and confusion matrix on
// the test set, optionally over several views of each image (--tta).
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "trainer.hpp"

namespace statnn::app {

template <class Arch, int Batch, class R>
int evaluate_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const TestTimeAugmentation tta = tta_flag(args);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    load_weights(*net, args);
    const auto test_set = open_network_split<Net>(args, data::Split::Test);
    NetworkReader<Net> reader(*test_set, Batch, long(args.integer("val-limit", 0)), false, 0, data::Augmentation{},
                              recipe.normalization);
    const auto t0 = std::chrono::steady_clock::now();
    const auto e = evaluate(*net, reader, tta);
    std::printf("%s: %ld test images%s, loss %.4f, %.1f s\n", recipe.name, e.images, tta_description(tta), e.loss,
                seconds_since(t0));
    std::printf("Accuracy: %.2f%%\n", 100.0 * e.acc);
    print_confusion<Net>(e.confusion, stdout);
    return 0;
}

}  // namespace statnn::app
