// src/commands/network_for.hpp — the network a recipe trains, its weights from a file,
// and its confusion counts as the reports take them.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "report/report.hpp"
#include "statnn/io/checkpoint.hpp"
#include "statnn/statnn.hpp"

namespace statnn {

// The network a recipe trains: as many optimizer state arrays as its optimizer keeps.
template <class Arch, int Batch, class R>
using NetworkFor = Network<Arch, Batch, R::OptimizerType::kStateSlots>;

namespace app {

// --weights into `net`; returns what the file records of the training (commands/trained_weights.hpp).
template <class Net>
io::TrainingState load_weights(Net& net, const cli::Args& args) {
    if (!args.has("weights")) throw cli::UsageError("--weights FILE is required");
    return io::load_checkpoint(args.text("weights"), net);
}

template <class Net>
report::ConfusionMatrix to_matrix(const ConfusionCounts<Net::kClasses>& c) {
    report::ConfusionMatrix m(Net::kClasses, std::vector<std::int64_t>(Net::kClasses));
    for (int i = 0; i < Net::kClasses; ++i)
        for (int j = 0; j < Net::kClasses; ++j) m[i][j] = c.counts[i][j];
    return m;
}

template <class Net>
void print_confusion(const ConfusionCounts<Net::kClasses>& c, std::FILE* out) {
    std::fprintf(out, "%s\n", report::confusion_text(to_matrix<Net>(c)).c_str());
}

}  // namespace app
}  // namespace statnn
