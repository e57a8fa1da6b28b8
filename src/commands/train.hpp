// src/commands/train.hpp — `train`: a training run (commands/train/run.hpp) on the
// processes this command was started on (processes.hpp).
//
// With several processes, a failure on one ends them all at once: the others would wait
// for it in the next sum. A command-line problem, a divergence or an unusable checkpoint
// is the same on every process and printed by the root alone; anything else is named
// with the rank that met it.
#pragma once

#include <cstdio>
#include <exception>
#include <memory>

#include "cli.hpp"
#include "commands/train/run.hpp"
#include "processes.hpp"

namespace statnn::app {

template <class Arch, int Batch, class R>
int train_on(const R& recipe, const cli::Args& args, Communicator& comm) {
    return TrainingRun<Arch, Batch, R>(recipe, args, comm).run();
}

template <class Arch, int Batch, class R>
int train(const R& recipe, const cli::Args& args) {
    const std::unique_ptr<Communicator> comm = join_processes();
    if (comm->size() == 1) return train_on<Arch, Batch>(recipe, args, *comm);
    try {
        return train_on<Arch, Batch>(recipe, args, *comm);
    } catch (const std::exception& e) {
        const bool same_everywhere = dynamic_cast<const cli::UsageError*>(&e) || dynamic_cast<const DivergenceError*>(&e) ||
                                     dynamic_cast<const io::CheckpointError*>(&e);
        const int status = dynamic_cast<const cli::UsageError*>(&e) ? 2 : 1;
        if (comm->is_root())
            std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        else if (!same_everywhere)
            std::fprintf(stderr, "%s: process %d of %d: %s\n", recipe.name, comm->rank(), comm->size(), e.what());
        std::fflush(stderr);
        comm->abort(status);
        return status;  // not reached: abort ends the process
    }
}

}  // namespace statnn::app
