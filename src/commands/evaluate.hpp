// src/commands/evaluate.hpp — `evaluate --weights FILE`: accuracy and confusion matrix on
// the test set, optionally over several views of each image (--tta), its images normalised
// as the weights were trained.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "commands/data_location.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "commands/trained_weights.hpp"
#include "trainer.hpp"

namespace statnn::app {

// Measured on data of other classes than its own, a model's outputs are matched with the
// data's labels by number only: say so, naming both.
template <class Net, class R>
void warn_if_other_classes(const io::TrainingState& trained, const R& recipe, const cli::Args& args) {
    if (!trained.dataset.recorded()) return;
    const std::string dir = find_data_dir(args);
    const data::DataOptions options = options_for(args, dir, trained.classes);
    const auto names = data::names_for_classes(
        data::selected_names(data::dataset_class_names(dir, options), options.selection), Net::kClasses);
    const auto own = trained_class_names(trained, {}, Net::kClasses);
    if (names == own) return;
    std::fprintf(stderr, "%s: warning: %s was trained on other classes (%s) than those of %s (%s); outputs and labels are "
                 "matched by number\n", recipe.name, args.text("weights").c_str(),
                 class_names_excerpt(trained.dataset.format, own).c_str(), dir.c_str(),
                 class_names_excerpt(data::format_name(options.format), names).c_str());
}

template <class Arch, int Batch, class R>
int evaluate_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    const TestTimeAugmentation tta = tta_flag(args);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    const io::TrainingState trained = load_weights(*net, args);
    const data::Normalization normalization = trained_normalization(trained, recipe, args.text("weights"));
    const auto test_set = open_network_split<Net>(args, data::Split::Test, trained.classes);
    warn_if_other_classes<Net>(trained, recipe, args);
    NetworkReader<Net> reader(*test_set, Batch, long(args.integer("val-limit", 0)), false, 0, data::Augmentation{},
                              normalization);
    const auto t0 = std::chrono::steady_clock::now();
    const auto e = evaluate(*net, reader, tta);
    std::printf("%s: %ld test images%s, loss %.4f, %.1f s\n", recipe.name, e.images, tta_description(tta), e.loss,
                seconds_since(t0));
    std::printf("Accuracy: %.2f%%\n", 100.0 * e.acc);
    print_confusion<Net>(e.confusion, stdout);
    return 0;
}

}  // namespace statnn::app
