// src/app.hpp — the command-line program every per-architecture binary runs.
//
// targets/<name>.cpp defines a network type and its recipe and calls run_app().
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "statnn/statnn.hpp"

namespace statnn {

struct Recipe {
    const char* name;      // binary name, e.g. "cnn6"
    const char* title;     // one line about the architecture
    SgdConfig sgd;
    int epochs;
};

namespace app {

inline const std::vector<cli::FlagSpec>& flag_specs() {
    static const std::vector<cli::FlagSpec> specs = {
        {"data", cli::FlagKind::Text, "DIR", "CIFAR-10 binary folder (default: $CIFAR10_DIR, ./data/cifar-10-batches-bin, ../shared/cifar-10/cifar-10-batches-bin)"},
        {"epochs", cli::FlagKind::PositiveInt, "N", "training epochs (default: the recipe's)"},
        {"seed", cli::FlagKind::Seed, "S", "random seed for weights, shuffling and dropout (default 1)"},
        {"limit", cli::FlagKind::PositiveInt, "N", "train on the first N training images only"},
        {"threads", cli::FlagKind::PositiveInt, "N", "worker threads (default: all cores)"},
        {"help", cli::FlagKind::Switch, "", "show this help"},
    };
    return specs;
}

inline void print_usage(std::FILE* out, const Recipe& r) {
    std::fprintf(out,
                 "usage: %s <command> [flags]\n"
                 "%s\n\n"
                 "commands:\n"
                 "  summary   print the architecture table and the memory plan\n"
                 "  train     train on CIFAR-10\n\n"
                 "flags:\n%s",
                 r.name, r.title, cli::describe_flags(flag_specs()).c_str());
}

}  // namespace app

namespace app {

// Reads `n` records starting at record `first` of one CIFAR-10 binary file into the
// network's input (channels-last, /255) and labels. Returns false with a message on error.
inline int default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : int(n);
}

template <class Net>
bool read_records(const std::string& file, long first, int n, Net& net, std::string& error) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) {
        error = file + ": cannot open";
        return false;
    }
    unsigned char record[3073];
    bool ok = std::fseek(f, first * 3073L, SEEK_SET) == 0;
    for (int r = 0; ok && r < n; ++r) {
        ok = std::fread(record, 1, sizeof record, f) == sizeof record && record[0] <= 9;
        if (!ok) break;
        net.labels()[r] = record[0];
        float* img = net.input() + std::size_t(r) * 3072;
        for (int c = 0; c < 3; ++c)
            for (int p = 0; p < 1024; ++p) img[p * 3 + c] = float(record[1 + c * 1024 + p]) / 255.0f;
    }
    std::fclose(f);
    if (!ok) error = file + ": not a CIFAR-10 binary batch (short record or label > 9)";
    return ok;
}

inline std::string find_data_dir(const cli::Args& args) {
    if (args.has("data")) return args.text("data");
    if (const char* env = std::getenv("CIFAR10_DIR")) return env;
    for (const char* d : {"data/cifar-10-batches-bin", "../shared/cifar-10/cifar-10-batches-bin"}) {
        std::string probe = std::string(d) + "/data_batch_1.bin";
        if (std::FILE* f = std::fopen(probe.c_str(), "rb")) {
            std::fclose(f);
            return d;
        }
    }
    return "data/cifar-10-batches-bin";
}

template <class Arch, int Batch>
int train(const Recipe& recipe, const cli::Args& args) {
    using Net = Network<Arch, Batch>;
    const std::string dir = find_data_dir(args);
    const std::uint64_t seed = args.seed("seed", 1);
    const long limit = long(args.integer("limit", 10000));
    const int epochs = int(args.integer("epochs", recipe.epochs));
    Net net(seed, int(args.integer("threads", default_threads())));
    Sgd sgd(recipe.sgd);
    const std::string file = dir + "/data_batch_1.bin";
    std::uint64_t step = 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        double loss_sum = 0;
        long seen = 0;
        for (long first = 0; first < limit; first += Batch) {
            const int n = int(first + Batch <= limit ? Batch : limit - first);
            std::string error;
            if (!read_records(file, first, n, net, error)) {
                std::fprintf(stderr, "%s: %s\n", recipe.name, error.c_str());
                return 1;
            }
            net.forward(n, true, step);
            loss_sum += net.backward(n, step) * n;
            sgd.step(net);
            ++step;
            seen += n;
            std::printf("Epoch %d/%d %ld/%ld - loss: %.4f\n", epoch, epochs, seen, limit, loss_sum / double(seen));
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace app

template <class Arch, int Batch>
int run_app(const Recipe& recipe, int argc, char** argv) {
    using Net = Network<Arch, Batch>;
    if (argc < 2) {
        app::print_usage(stderr, recipe);
        return 2;
    }
    const std::string command = argv[1];
    if (command == "--help" || command == "help") {
        app::print_usage(stdout, recipe);
        return 0;
    }
    try {
        cli::Args args(argc, argv, 2, app::flag_specs());
        if (args.has("help")) {
            app::print_usage(stdout, recipe);
            return 0;
        }
        if (command == "summary") {
            std::printf("%s: %s\n\n", recipe.name, recipe.title);
            print_architecture<Net>(stdout);
            Net net(1, int(args.integer("threads", app::default_threads())));
            print_memory_plan(stdout, net);
            return 0;
        }
        if (command == "train") return app::train<Arch, Batch>(recipe, args);
        throw cli::UsageError("unknown command '" + command + "'");
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "%s: %s\n", recipe.name, e.what());
        app::print_usage(stderr, recipe);
        return 2;
    }
}

}  // namespace statnn
