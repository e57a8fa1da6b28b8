// src/commands/summary.hpp — `summary`: the architecture table, the memory plan and what a board needs.
#pragma once

#include <cstdio>
#include <memory>

#include "cli.hpp"
#include "commands/flags.hpp"
#include "commands/network_for.hpp"
#include "export_c.hpp"
#include "processes.hpp"

namespace statnn::app {

// Flash and RAM on a board: the C export's weights and work memory (float32 and int8,
// one image at a time), and training's arena, where the weights live in RAM.
template <class Net>
void print_board_memory(Net& net) {
    std::printf("\nOn a board, bytes:            %14s %14s\n", "FLASH", "RAM");
    if constexpr (export_c::kSupports<Net>) {
        for (const bool int8 : {false, true}) {
            const export_c::Footprint f = export_c::footprint(net, int8);
            std::printf("  %-27s %14s %14s\n", int8 ? "int8 inference (export)" : "float32 inference (export)",
                        with_commas(f.weight_bytes).c_str(), with_commas(f.arena_bytes).c_str());
        }
    } else {
        std::printf("  inference: the C export has no code for a layer of this network\n");
    }
    const std::string training = "training, batch " + std::to_string(Net::kBatch);
    std::printf("  %-27s %14s %14s  (the arena above: weights in RAM)\n", training.c_str(), "-",
                with_commas(Net::kArenaBytes).c_str());
}

template <class Arch, int Batch, class R>
int summary_command(const R& recipe, const cli::Args& args) {
    using Net = NetworkFor<Arch, Batch, R>;
    std::printf("%s: %s\n\n", recipe.name, recipe.title);
    print_architecture<Net>(stdout);
    auto net = std::make_unique<Net>(1, threads_flag(args));
    print_memory_plan(stdout, *net);
    print_board_memory(*net);
    std::printf("%s\n", mpi_support_line().c_str());
    return 0;
}

}  // namespace statnn::app
