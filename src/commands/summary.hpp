// src/commands/summary.hpp — `summary`: the architecture table and the memory plan.
#pragma once

#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "processes.hpp"

namespace statnn::app {

template <class Arch, int Batch, class R>
int summary_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    std::printf("%s: %s\n\n", recipe.name, recipe.title);
    print_architecture<Net>(stdout);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    print_memory_plan(stdout, *net);
    std::printf("%s\n", mpi_support_line().c_str());
    return 0;
}

}  // namespace statnn::app
