// src/app.hpp — the command-line program every per-architecture binary runs.
//
// targets/<name>.cpp defines a network type and its recipe and calls run_app():
//   <name> summary | train | evaluate | predict | bench | compare | export | import
// run_app parses the command line and hands it to the command's file in commands/.
// Problems are reported as one line "<name>: <what>" on stderr; the exit status is 2 for
// a bad command line and 1 for anything else that went wrong.
#pragma once

#include <cstdio>
#include <exception>
#include <string>

#include "cli.hpp"
#include "commands/bench.hpp"
#include "commands/evaluate.hpp"
#include "commands/export.hpp"
#include "commands/flags.hpp"
#include "commands/import.hpp"
#include "commands/predict.hpp"
#include "commands/summary.hpp"
#include "commands/train.hpp"
#include "compare.hpp"
#include "statnn/memory_budget.hpp"

namespace statnn {

namespace app {

template <class Arch, int Batch, class R>
int run_command(const std::string& command, const R& recipe, const cli::Args& args) {
    if (command == "summary") return summary_command<Arch, Batch>(recipe, args);
    if (command == "train") return train<Arch, Batch>(recipe, args);
    if (command == "evaluate") return evaluate_command<Arch, Batch>(recipe, args);
    if (command == "predict") return predict_command<Arch, Batch>(recipe, args);
    if (command == "bench") return bench_command<Arch, Batch>(recipe, args);
    if (command == "compare") return compare::compare_command(args, stdout);
    if (command == "export") return export_command<Arch, Batch>(recipe, args);
    if (command == "import") return import_command<Arch, Batch>(recipe, args);
    throw cli::UsageError("unknown command '" + command + "'");
}

}  // namespace app

template <class Arch, int Batch, class R>
int run_app(const R& recipe, int argc, char** argv) {
#if defined(STATNN_MEMORY_BUDGET)  // statnn_add_model(... MEMORY_BUDGET <bytes>)
    static_assert(require_fits_in<Arch, Batch, STATNN_MEMORY_BUDGET, R::OptimizerType::kStateSlots>());
#endif
    if (argc < 2) {
        app::print_usage(stderr, recipe);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "--help" || command == "-h" || command == "help") {
        app::print_usage(stdout, recipe);
        return 0;
    }
    try {
        const cli::Args args(argc, argv, 2, app::flag_specs());
        if (args.has("help")) {
            app::print_usage(stdout, recipe);
            return 0;
        }
        if (int(args.integer("verbose", 1)) > 2) throw cli::UsageError("--verbose: expected 0, 1 or 2");
        app::threads_flag(args);  // refuses an absurd --threads before any command starts work
        return app::run_command<Arch, Batch>(command, recipe, args);
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        std::fprintf(stderr, "Run '%s --help' for usage.\n", recipe.name);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        return 1;
    }
}

}  // namespace statnn
