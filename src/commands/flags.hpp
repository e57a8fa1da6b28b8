// src/commands/flags.hpp — the command line every per-architecture binary takes: its
// flags, the usage text, and the flags several commands read.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"
#include "processes.hpp"
#include "statnn/data/augment.hpp"
#include "statnn/thread_pool.hpp"
#include "trainer.hpp"

namespace statnn::app {

inline const std::vector<cli::FlagSpec>& flag_specs() {
    static const std::vector<cli::FlagSpec> specs = {
        {"data", cli::FlagKind::Text, "DIR", "dataset folder: CIFAR-10 or CIFAR-100 binary, idx (MNIST, Fashion-MNIST), or statnn records (written by import), recognised from its files (default: $CIFAR10_DIR, ./data/cifar-10-batches-bin, ../shared/cifar-10/cifar-10-batches-bin)"},
        {"data-format", cli::FlagKind::Text, "cifar10|cifar100|idx|statnn", "the format of --data, when its files should not decide it"},
        {"labels", cli::FlagKind::Text, "fine|coarse", "CIFAR-100: the 100 fine classes (default) or the 20 coarse ones"},
        {"epochs", cli::FlagKind::PositiveInt, "N", "train: total epochs (default: the recipe's)"},
        {"seed", cli::FlagKind::Seed, "S", "train: seed for weights, shuffling, dropout and augmentation; import: which images --val-split moves (default 1)"},
        {"lr", cli::FlagKind::PositiveReal, "X", "train: learning rate, the peak of a warm-up schedule (default: the recipe's)"},
        {"decay", cli::FlagKind::NonNegativeReal, "X",
         "train: Keras' per-step learning-rate decay, lr / (1 + X * step), of a keras-decay schedule (default: the recipe's)"},
        {"momentum", cli::FlagKind::NonNegativeReal, "X", "train: the optimizer's momentum (default: the recipe's)"},
        {"weight-decay", cli::FlagKind::NonNegativeReal, "X", "train: the optimizer's weight decay, if it has one (default: the recipe's)"},
        {"label-smoothing", cli::FlagKind::NonNegativeReal, "X", "train: label smoothing of the loss, in [0, 1) (default: the recipe's)"},
        {"limit", cli::FlagKind::PositiveInt, "N", "train: use the first N training images only"},
        {"classes", cli::FlagKind::Text, "LIST",
         "train, evaluate: only these classes of the data (e.g. 5,6,7,8,9), relabelled 0..k-1 in the order given; the network must have k outputs"},
        {"per-class", cli::FlagKind::PositiveInt, "N", "train: of the training images, the first N of each class in an order set by --seed"},
        {"init-from", cli::FlagKind::Text, "FILE",
         "train: start from the tensors of another model's weights.bin or checkpoint.bin whose layer name and shape match (e.g. a backbone); the rest as initialised"},
        {"global-batch", cli::FlagKind::PositiveInt, "B",
         "train: images per optimizer step over all MPI processes, each taking at most the network's batch (default: the "
         "network's batch); without --lr the learning rate scales by B / batch (linear rule)"},
        {"val-limit", cli::FlagKind::PositiveInt, "N", "validate/evaluate on the first N test images only"},
        {"out", cli::FlagKind::Text, "DIR", "train: folder for reports and checkpoints (default runs/<name>-<date>-<time>); compare: folder for its files (default ./compare); export, import: the folder to write"},
        {"resume", cli::FlagKind::Switch, "", "train: continue the run in --out from its last checkpoint"},
        {"augment", cli::FlagKind::Switch, "", "train: random shift and horizontal flip of training images, drawn anew each epoch"},
        {"no-augment", cli::FlagKind::Switch, "", "train: no augmentation, for a recipe that augments by default"},
        {"weights", cli::FlagKind::Text, "FILE", "evaluate, predict: weights or checkpoint file"},
        {"format", cli::FlagKind::Text, "c|onnx", "export: c (C99 inference source, <model>.h and <model>.c) or onnx (<model>.onnx)"},
        {"int8", cli::FlagKind::Switch, "", "export: int8 kernels and inputs of the convolution and dense layers, calibrated on --limit training images (default 2000)"},
        {"tta", cli::FlagKind::Text, "none|flip|flip-translate",
         "evaluate: score the mean softmax of each test image and its mirror image (flip), or of six views: "
         "also both moved by one pixel up-left and down-right (flip-translate, airbench's); train: the views of "
         "the final evaluation (default: the recipe's; each epoch's validation scores the image alone)"},
        {"keep-epochs", cli::FlagKind::PositiveIntList, "LIST", "train: after these epochs keep weights and confusion matrix in <out>/epoch-NNN/ (e.g. 10,20,50,100)"},
        {"threads", cli::FlagKind::PositiveInt, "N", "worker threads (default: the cores this process may use; at most 4 per core)"},
        {"verbose", cli::FlagKind::NonNegativeInt, "N", "0 quiet, 1 progress bar, 2 one line per epoch (default 1; 2 when not a terminal)"},
        {"seconds", cli::FlagKind::PositiveReal, "S", "bench: seconds to measure (default 5)"},
        {"profile", cli::FlagKind::Switch, "", "bench: then the time of every layer's forward and backward pass, and its share of the step"},
        {"val-split", cli::FlagKind::PositiveReal, "F", "import: without <root>/test, move this fraction of each class's training images to the test split (0 < F < 1, default 0.1)"},
        {"resize", cli::FlagKind::Switch, "", "import: scale images of another size to the network's by area average (default: refuse them)"},
        {"help", cli::FlagKind::Switch, "", "show this help"},
    };
    return specs;
}

// The flags as --help shows them, with what --augment does for this recipe.
template <class R>
std::string describe_flags(const R& r) {
    std::vector<cli::FlagSpec> specs = flag_specs();
    const std::string augment =
        r.augmentation.enabled()
            ? "train: " + data::describe(r.augmentation) + " of training images, drawn anew each epoch" +
                  (r.augment_by_default ? " (the recipe's default)" : "")
            : std::string("train: not available (the recipe of ") + r.name + " defines no augmentation)";
    for (auto& spec : specs)
        if (std::string(spec.name) == "augment") spec.help = augment.c_str();
    return cli::describe_flags(specs);
}

template <class R>
void print_usage(std::FILE* out, const R& r) {
    std::fprintf(out,
                 "usage: %s <command> [flags]\n"
                 "%s\n\n"
                 "commands:\n"
                 "  summary                      architecture table and memory plan\n"
                 "  train                        train on --data, validating on its test split after every epoch\n"
                 "  evaluate --weights FILE      accuracy and confusion matrix on the test set\n"
                 "  predict --weights FILE IMAGE...   top-3 classes of PNG/PPM/PGM images of the network's size or test:INDEX records\n"
                 "  bench train|infer            images per second on one batch, synthetic or --data (one JSON line)\n"
                 "  compare RUN_DIR... [--out DIR]   runs of any model side by side: table, overlaid curves, confusion difference\n"
                 "  export --weights FILE --format c|onnx [--int8] --out DIR   C99 inference source, or an ONNX model\n"
                 "  import ROOT --out DIR        ROOT/train/<class>/<image> (PNG, JPEG, PPM, PGM) to statnn records for --data DIR\n\n"
                 "flags:\n%s",
                 r.name, r.title, describe_flags(r).c_str());
}

inline int default_threads() { return available_cores(); }

// More worker threads than cores only spin against each other (the pool's workers spin
// between parallel regions); a count like 100000 takes minutes just to start.
inline constexpr int kThreadsPerCore = 4;

inline int threads_flag(const cli::Args& args) {
    const long long threads = args.integer("threads", default_threads());
    const int cores = available_cores();
    if (threads > kThreadsPerCore * cores)
        throw cli::UsageError("--threads: expected at most " + std::to_string(kThreadsPerCore * cores) + " (" +
                              std::to_string(kThreadsPerCore) + " per core; this process may use " +
                              std::to_string(cores) + "), got '" + args.text("threads") + "'");
    return int(threads);
}

// --tta: none, flip or flip-translate; `absent` without the flag.
inline TestTimeAugmentation tta_flag(const cli::Args& args, TestTimeAugmentation absent = TestTimeAugmentation::None) {
    if (!args.has("tta")) return absent;
    if (args.text("tta") == "none") return TestTimeAugmentation::None;
    if (args.text("tta") == "flip") return TestTimeAugmentation::Flip;
    if (args.text("tta") == "flip-translate") return TestTimeAugmentation::FlipTranslate;
    throw cli::UsageError("--tta: expected none, flip or flip-translate, got '" + args.text("tta") + "'");
}

}  // namespace statnn::app
